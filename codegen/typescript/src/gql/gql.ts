/* eslint-disable */
import * as types from './graphql';
import { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation Login($username: String!, $password: String!) {\n  login(input: {username: $username, password: $password}) {\n    token\n    expiresAt\n    user {\n      id\n      username\n    }\n  }\n}\n\nquery Catalogue($category: String, $first: Int = 20) {\n  products(filter: {category: $category, inStock: true}, first: $first) {\n    edges {\n      node {\n        sku\n        name\n        price\n        stock\n      }\n    }\n  }\n}\n\nmutation PlaceOrder($items: [OrderItemInput!]!) {\n  placeOrder(input: {items: $items}) {\n    id\n    status\n    total\n    items {\n      sku\n      quantity\n      unitPrice\n    }\n  }\n}\n\nsubscription FollowOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n  }\n}": typeof types.LoginDocument,
    "query Feed($first: Int = 10, $after: String) {\n  posts(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        title\n        tags\n        publishedAt\n        author {\n          id\n          username\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nsubscription NewPosts {\n  postPublished {\n    id\n    title\n    author {\n      username\n    }\n  }\n}": typeof types.FeedDocument,
    "query UserPage($id: ID!, $posts: Int = 5) {\n  user(id: $id) {\n    id\n    username\n    createdAt\n    email\n    credits\n    posts(first: $posts) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          publishedAt\n        }\n      }\n    }\n  }\n}\n\nquery Me {\n  me {\n    id\n    username\n    email\n    credits\n    orders(first: 5) {\n      edges {\n        node {\n          id\n          status\n          total\n        }\n      }\n    }\n  }\n}": typeof types.UserPageDocument,
};
const documents: Documents = {
    "mutation Login($username: String!, $password: String!) {\n  login(input: {username: $username, password: $password}) {\n    token\n    expiresAt\n    user {\n      id\n      username\n    }\n  }\n}\n\nquery Catalogue($category: String, $first: Int = 20) {\n  products(filter: {category: $category, inStock: true}, first: $first) {\n    edges {\n      node {\n        sku\n        name\n        price\n        stock\n      }\n    }\n  }\n}\n\nmutation PlaceOrder($items: [OrderItemInput!]!) {\n  placeOrder(input: {items: $items}) {\n    id\n    status\n    total\n    items {\n      sku\n      quantity\n      unitPrice\n    }\n  }\n}\n\nsubscription FollowOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n  }\n}": types.LoginDocument,
    "query Feed($first: Int = 10, $after: String) {\n  posts(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        title\n        tags\n        publishedAt\n        author {\n          id\n          username\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nsubscription NewPosts {\n  postPublished {\n    id\n    title\n    author {\n      username\n    }\n  }\n}": types.FeedDocument,
    "query UserPage($id: ID!, $posts: Int = 5) {\n  user(id: $id) {\n    id\n    username\n    createdAt\n    email\n    credits\n    posts(first: $posts) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          publishedAt\n        }\n      }\n    }\n  }\n}\n\nquery Me {\n  me {\n    id\n    username\n    email\n    credits\n    orders(first: 5) {\n      edges {\n        node {\n          id\n          status\n          total\n        }\n      }\n    }\n  }\n}": types.UserPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Login($username: String!, $password: String!) {\n  login(input: {username: $username, password: $password}) {\n    token\n    expiresAt\n    user {\n      id\n      username\n    }\n  }\n}\n\nquery Catalogue($category: String, $first: Int = 20) {\n  products(filter: {category: $category, inStock: true}, first: $first) {\n    edges {\n      node {\n        sku\n        name\n        price\n        stock\n      }\n    }\n  }\n}\n\nmutation PlaceOrder($items: [OrderItemInput!]!) {\n  placeOrder(input: {items: $items}) {\n    id\n    status\n    total\n    items {\n      sku\n      quantity\n      unitPrice\n    }\n  }\n}\n\nsubscription FollowOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n  }\n}"): (typeof documents)["mutation Login($username: String!, $password: String!) {\n  login(input: {username: $username, password: $password}) {\n    token\n    expiresAt\n    user {\n      id\n      username\n    }\n  }\n}\n\nquery Catalogue($category: String, $first: Int = 20) {\n  products(filter: {category: $category, inStock: true}, first: $first) {\n    edges {\n      node {\n        sku\n        name\n        price\n        stock\n      }\n    }\n  }\n}\n\nmutation PlaceOrder($items: [OrderItemInput!]!) {\n  placeOrder(input: {items: $items}) {\n    id\n    status\n    total\n    items {\n      sku\n      quantity\n      unitPrice\n    }\n  }\n}\n\nsubscription FollowOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Feed($first: Int = 10, $after: String) {\n  posts(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        title\n        tags\n        publishedAt\n        author {\n          id\n          username\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nsubscription NewPosts {\n  postPublished {\n    id\n    title\n    author {\n      username\n    }\n  }\n}"): (typeof documents)["query Feed($first: Int = 10, $after: String) {\n  posts(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        title\n        tags\n        publishedAt\n        author {\n          id\n          username\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nsubscription NewPosts {\n  postPublished {\n    id\n    title\n    author {\n      username\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query UserPage($id: ID!, $posts: Int = 5) {\n  user(id: $id) {\n    id\n    username\n    createdAt\n    email\n    credits\n    posts(first: $posts) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          publishedAt\n        }\n      }\n    }\n  }\n}\n\nquery Me {\n  me {\n    id\n    username\n    email\n    credits\n    orders(first: 5) {\n      edges {\n        node {\n          id\n          status\n          total\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query UserPage($id: ID!, $posts: Int = 5) {\n  user(id: $id) {\n    id\n    username\n    createdAt\n    email\n    credits\n    posts(first: $posts) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          publishedAt\n        }\n      }\n    }\n  }\n}\n\nquery Me {\n  me {\n    id\n    username\n    email\n    credits\n    orders(first: 5) {\n      edges {\n        node {\n          id\n          status\n          total\n        }\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;