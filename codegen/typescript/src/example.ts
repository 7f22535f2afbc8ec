// How a frontend uses the generated documents: results and variables are typed.
import { FeedDocument, PlaceOrderDocument } from "./gql/graphql";
import type { FeedQuery, PlaceOrderMutationVariables } from "./gql/graphql";

export const documents = { feed: FeedDocument, placeOrder: PlaceOrderDocument };

export function titles(result: FeedQuery): string[] {
  return result.posts.edges.map((edge) => edge.node.title);
}

export const order: PlaceOrderMutationVariables = { items: [{ sku: "BOOK-1", quantity: 2 }] };
