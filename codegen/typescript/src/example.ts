// How a frontend uses the generated documents: results and variables are typed.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { FeedDocument, PlaceOrderDocument } from "./gql/graphql";
import type { FeedQuery, PlaceOrderMutationVariables } from "./gql/graphql";

export const documents = { feed: FeedDocument, placeOrder: PlaceOrderDocument };

export function titles(result: FeedQuery): string[] {
  return result.posts.edges.map((edge) => edge.node.title);
}

export const order: PlaceOrderMutationVariables = { items: [{ sku: "BOOK-1", quantity: 2 }] };

// Trusted documents: send the hash the codegen put in `__meta__` (its document is in
// src/gql/persisted-documents.json, which the server loads as TRUSTED_DOCUMENTS), not the text.
export async function execute<Result, Variables>(
  url: string,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  token?: string,
): Promise<Result> {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error("document without a persisted hash: run `make codegen`");
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ documentId: `sha256:${hash}`, variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(body.errors?.[0]?.message ?? "no data");
  return body.data;
}
