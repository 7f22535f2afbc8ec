/* eslint-disable */
import { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 datetime with an offset (2026-11-23T15:31:52+00:00); answers are in UTC. Inputs must name an offset and stay within years 1-9999 in UTC. */
  DateTime: { input: string; output: string; }
  /** A decimal number as a string ("19.99"), exact: finite, less than 10^15 in absolute value, at most 10 decimal places (money is stored with 2). */
  Decimal: { input: string; output: string; }
  /** A JSON value (ECMA-404): at most 32 levels deep and 10,000 values; integers fit in 64 bits, numbers are finite. */
  JSON: { input: unknown; output: unknown; }
};

/** A new session. Send the token as `Authorization: Bearer <token>`. */
export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** Slides forward while the session is used. */
  expiresAt: Scalars['DateTime']['output'];
  /** Shown once; only its hash is stored. */
  token: Scalars['String']['output'];
  /** Null only when a field selected inside it failed (see `errors`): the session was started all the same, so the token is never lost to such an error. */
  user?: Maybe<User>;
};

export type AuthorStats = {
  __typename?: 'AuthorStats';
  author: User;
  publishedPostCount: Scalars['Int']['output'];
};

export type ChangePasswordInput = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
};

/** The author is the signed-in user. */
export type CreatePostInput = {
  content: Scalars['String']['input'];
  /** Publish at once. */
  published?: Scalars['Boolean']['input'];
  tags?: Array<Scalars['String']['input']>;
  title: Scalars['String']['input'];
};

export type CreateProductInput = {
  /** Stored lower-case. */
  category: Scalars['String']['input'];
  name: Scalars['String']['input'];
  /** Non-negative, at most 2 decimal places. */
  price: Scalars['Decimal']['input'];
  /** Letters, digits, '-' and '_'; stored upper-case. */
  sku: Scalars['String']['input'];
  stock?: Scalars['Int']['input'];
};

/** A ledger entry: credits moved from one user (or the system) to another. */
export type CreditTransfer = {
  __typename?: 'CreditTransfer';
  amount: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Null for credits granted by the system. */
  fromUser?: Maybe<User>;
  id: Scalars['ID']['output'];
  toUser?: Maybe<User>;
};

export type GrantCreditsInput = {
  amount: Scalars['Int']['input'];
  userId: Scalars['ID']['input'];
};

/** One product in an order, at the price paid. */
export type LineItem = {
  __typename?: 'LineItem';
  /** The product's name at purchase. */
  name: Scalars['String']['output'];
  /** The product as it is now; null if it was deleted. */
  product?: Maybe<Product>;
  quantity: Scalars['Int']['output'];
  sku: Scalars['String']['output'];
  /** The price paid for one. */
  unitPrice: Scalars['Decimal']['output'];
};

export type LoginInput = {
  password: Scalars['String']['input'];
  /** The username (in any case or look-alike spelling), or the email address. */
  username: Scalars['String']['input'];
};

/** Revenue of paid, shipped and completed orders in one month (UTC). */
export type MonthlyRevenue = {
  __typename?: 'MonthlyRevenue';
  averageOrderValue: Scalars['Decimal']['output'];
  /** 1-12. */
  month: Scalars['Int']['output'];
  orderCount: Scalars['Int']['output'];
  revenue: Scalars['Decimal']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Change the password; every other session ends. Returns how many ended. Wrong current passwords count against the same limit as failed logins. */
  changePassword: Scalars['Int']['output'];
  /** Write a post (a draft unless `published` is true). */
  createPost: Post;
  /** Add a product (admins). A used sku is a CONFLICT error. */
  createProduct: Product;
  /** Deactivate an account (yours; administrators: anyone's). The user and their data are kept, their sessions end; calling it again changes nothing. The last active administrator can't be deactivated (LAST_ADMIN). */
  deactivateUser: User;
  /** Delete your post for good. Returns its id. */
  deletePost: Scalars['ID']['output'];
  /** Remove a product (admins). Returns its sku. */
  deleteProduct: Scalars['String']['output'];
  /** Give a user credits from the system (admins). */
  grantCredits: CreditTransfer;
  /** Start a session. Failed attempts are limited per account and per address (RATE_LIMITED); a refusal never says whether the username exists. SERVICE_BUSY: too many passwords are being checked; nothing was counted, retry. */
  login: AuthPayload;
  /** End this session. */
  logout: Scalars['Boolean']['output'];
  /** End every session of the signed-in user, this one included. Returns how many ended. */
  logoutEverywhere: Scalars['Int']['output'];
  /** Buy products. Stock is taken and the order written in one transaction; if any line is out of stock (OUT_OF_STOCK) nothing changes. */
  placeOrder: Order;
  /** Publish your draft; publishing again changes nothing. */
  publishPost: Post;
  /** Replace the data kept on the current session and slide its expiry (at most 16 KiB of JSON object). */
  setSessionData: Session;
  /** Create an account and sign in: both, or neither. Username and email must be unused (CONFLICT). */
  signUp: AuthPayload;
  /** Move credits between two users, all or nothing. INSUFFICIENT_CREDITS if the sender's balance is too low. */
  transferCredits: CreditTransfer;
  /** Move an order along its workflow (INVALID_STATUS_TRANSITION otherwise): admins run fulfilment; buyers may cancel their pending orders. Cancelling a pending or paid order puts its stock back. */
  updateOrderStatus: Order;
  /** Edit your post. */
  updatePost: Post;
  /** Change a product, its stock included (admins). */
  updateProduct: Product;
  /** Change your own username and/or email. */
  updateProfile: User;
};


export type MutationChangePasswordArgs = {
  input: ChangePasswordInput;
};


export type MutationCreatePostArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: CreatePostInput;
};


export type MutationCreateProductArgs = {
  input: CreateProductInput;
};


export type MutationDeactivateUserArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeletePostArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteProductArgs = {
  sku: Scalars['String']['input'];
};


export type MutationGrantCreditsArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: GrantCreditsInput;
};


export type MutationLoginArgs = {
  input: LoginInput;
};


export type MutationPlaceOrderArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: PlaceOrderInput;
};


export type MutationPublishPostArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSetSessionDataArgs = {
  data: Scalars['JSON']['input'];
};


export type MutationSignUpArgs = {
  input: SignUpInput;
};


export type MutationTransferCreditsArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: TransferCreditsInput;
};


export type MutationUpdateOrderStatusArgs = {
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  status: OrderStatus;
};


export type MutationUpdatePostArgs = {
  id: Scalars['ID']['input'];
  input: UpdatePostInput;
};


export type MutationUpdateProductArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: UpdateProductInput;
  sku: Scalars['String']['input'];
};


export type MutationUpdateProfileArgs = {
  input: UpdateProfileInput;
};

/** An object with a globally unique id, fetchable by `node(id)`. */
export type Node = {
  /** Globally unique, opaque id. */
  id: Scalars['ID']['output'];
};

/** A purchase of products by a user. */
export type Order = Node & {
  __typename?: 'Order';
  /** When it was created. */
  createdAt: Scalars['DateTime']['output'];
  /** The MongoDB ObjectId, as hex. */
  databaseId: Scalars['String']['output'];
  /** Globally unique, opaque id. */
  id: Scalars['ID']['output'];
  items: Array<LineItem>;
  status: OrderStatus;
  /** The sum of the line items. */
  total: Scalars['Decimal']['output'];
  /** When it was last changed. */
  updatedAt: Scalars['DateTime']['output'];
  /** Who placed the order. */
  user?: Maybe<User>;
};

/** A page of a list, in a stable order, resumable from any cursor. */
export type OrderConnection = {
  __typename?: 'OrderConnection';
  edges: Array<OrderEdge>;
  pageInfo: PageInfo;
  /** How many items the whole list holds. Costs a count query: ask only if shown. */
  totalCount: Scalars['Int']['output'];
};

export type OrderEdge = {
  __typename?: 'OrderEdge';
  /** Pass as `after` or `before` to continue from this item. */
  cursor: Scalars['String']['output'];
  node: Order;
};

/** Which orders to list. All conditions must hold. */
export type OrderFilter = {
  createdAfter?: InputMaybe<Scalars['DateTime']['input']>;
  createdBefore?: InputMaybe<Scalars['DateTime']['input']>;
  status?: InputMaybe<OrderStatus>;
  userId?: InputMaybe<Scalars['ID']['input']>;
};

export type OrderItemInput = {
  /** At least 1. */
  quantity: Scalars['Int']['input'];
  sku: Scalars['String']['input'];
};

/** Orders of order lists. */
export type OrderSort =
  | 'NEWEST_FIRST'
  | 'OLDEST_FIRST';

/** PENDING -> PAID -> SHIPPED -> COMPLETED; PENDING or PAID -> CANCELLED. */
export type OrderStatus =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'PAID'
  | 'PENDING'
  | 'SHIPPED';

/** Where a page sits in its list; cursors are opaque. */
export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** The buyer is the signed-in user. */
export type PlaceOrderInput = {
  /** Lines with the same sku are merged. Prices are the catalogue's at checkout. */
  items: Array<OrderItemInput>;
};

/** A blog post. Drafts have `published: false`. */
export type Post = Node & {
  __typename?: 'Post';
  /** Null if the author's account no longer exists. */
  author?: Maybe<User>;
  content: Scalars['String']['output'];
  /** When it was created. */
  createdAt: Scalars['DateTime']['output'];
  /** The MongoDB ObjectId, as hex. */
  databaseId: Scalars['String']['output'];
  /** Globally unique, opaque id. */
  id: Scalars['ID']['output'];
  /** False for a draft, which only its author sees. */
  published: Scalars['Boolean']['output'];
  /** When it was first published. */
  publishedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Lower-case, each at most once. */
  tags: Array<Scalars['String']['output']>;
  title: Scalars['String']['output'];
  /** When it was last changed. */
  updatedAt: Scalars['DateTime']['output'];
};

/** A page of a list, in a stable order, resumable from any cursor. */
export type PostConnection = {
  __typename?: 'PostConnection';
  edges: Array<PostEdge>;
  pageInfo: PageInfo;
  /** How many items the whole list holds. Costs a count query: ask only if shown. */
  totalCount: Scalars['Int']['output'];
};

export type PostEdge = {
  __typename?: 'PostEdge';
  /** Pass as `after` or `before` to continue from this item. */
  cursor: Scalars['String']['output'];
  node: Post;
};

/** Which posts to list. All conditions must hold. */
export type PostFilter = {
  authorId?: InputMaybe<Scalars['ID']['input']>;
  /** false lists drafts: your own (with your `authorId`), or anyone's for admins. */
  published?: Scalars['Boolean']['input'];
  /** Words that must all appear in the title or content. */
  search?: InputMaybe<Scalars['String']['input']>;
  tag?: InputMaybe<Scalars['String']['input']>;
};

/** A search result: the post and how well it matched. */
export type PostSearchHit = {
  __typename?: 'PostSearchHit';
  post: Post;
  /** Higher is more relevant. */
  score: Scalars['Float']['output'];
};

/** Orders of post lists. */
export type PostSort =
  | 'NEWEST_FIRST'
  | 'OLDEST_FIRST';

/** Something for sale. `sku` is its unique, upper-case code. */
export type Product = Node & {
  __typename?: 'Product';
  /** Lower-case. */
  category: Scalars['String']['output'];
  /** When it was created. */
  createdAt: Scalars['DateTime']['output'];
  /** The MongoDB ObjectId, as hex. */
  databaseId: Scalars['String']['output'];
  /** Globally unique, opaque id. */
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  price: Scalars['Decimal']['output'];
  /** The unique code, upper-case. */
  sku: Scalars['String']['output'];
  /** How many are left to sell. */
  stock: Scalars['Int']['output'];
  /** When it was last changed. */
  updatedAt: Scalars['DateTime']['output'];
};

/** A page of a list, in a stable order, resumable from any cursor. */
export type ProductConnection = {
  __typename?: 'ProductConnection';
  edges: Array<ProductEdge>;
  pageInfo: PageInfo;
  /** How many items the whole list holds. Costs a count query: ask only if shown. */
  totalCount: Scalars['Int']['output'];
};

export type ProductEdge = {
  __typename?: 'ProductEdge';
  /** Pass as `after` or `before` to continue from this item. */
  cursor: Scalars['String']['output'];
  node: Product;
};

/** Which products to list. All conditions must hold. */
export type ProductFilter = {
  category?: InputMaybe<Scalars['String']['input']>;
  /** true: stock above 0; false: sold out. */
  inStock?: InputMaybe<Scalars['Boolean']['input']>;
  maxPrice?: InputMaybe<Scalars['Decimal']['input']>;
  minPrice?: InputMaybe<Scalars['Decimal']['input']>;
};

export type ProductSales = {
  __typename?: 'ProductSales';
  name: Scalars['String']['output'];
  orderCount: Scalars['Int']['output'];
  revenue: Scalars['Decimal']['output'];
  sku: Scalars['String']['output'];
  unitsSold: Scalars['Int']['output'];
};

/** Orders of the product list. */
export type ProductSort =
  | 'PRICE_ASC'
  | 'PRICE_DESC';

export type Query = {
  __typename?: 'Query';
  /** The signed-in user; null without a token (a token that is not valid is UNAUTHENTICATED). */
  me?: Maybe<User>;
  /** Anything with a global id, or null if it no longer exists. */
  node?: Maybe<Node>;
  /** Several nodes at once, in the order of `ids` (batched). */
  nodes: Array<Maybe<Node>>;
  /** An order by id (its buyer and admins), or null. */
  order?: Maybe<Order>;
  /** All orders, newest first unless `sort` says otherwise (admins). Buyers see theirs as `me { orders }`. */
  orders: OrderConnection;
  /** A post by id, or null if there is none (or it is a draft and you are neither its author nor an admin). */
  post?: Maybe<Post>;
  /** Published posts, newest first unless `sort` says otherwise. */
  posts: PostConnection;
  /** A product by sku (any case), or null. */
  product?: Maybe<Product>;
  /** Products, cheapest first unless `sort` says otherwise. */
  products: ProductConnection;
  /** Months of `year` with revenue, in calendar order (admins). */
  revenueByMonth: Array<MonthlyRevenue>;
  /** Products by revenue over all paid orders, best first (admins). */
  salesByProduct: Array<ProductSales>;
  /** Published posts matching any word of `query`, most relevant first. Uses MongoDB's text index where the server has one; otherwise (the embedded server) a whole-word match on title and content, title matches weighing 3x: that one examines every post, so it costs by their number (see `extensions.cost`) and fails with QUERY_TOO_EXPENSIVE past its time bound. Too many or too long words are BAD_USER_INPUT. */
  searchPosts: Array<PostSearchHit>;
  /** Active authors with the most published posts (admins). */
  topAuthors: Array<AuthorStats>;
  /** A user's public profile by id, or null if there is none. */
  user?: Maybe<User>;
  /** All users, newest first unless `sort` says otherwise. Administrators only. */
  users: UserConnection;
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<OrderFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  sort?: OrderSort;
};


export type QueryPostArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPostsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<PostFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  sort?: PostSort;
};


export type QueryProductArgs = {
  sku: Scalars['String']['input'];
};


export type QueryProductsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ProductFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  sort?: ProductSort;
};


export type QueryRevenueByMonthArgs = {
  year: Scalars['Int']['input'];
};


export type QuerySalesByProductArgs = {
  limit?: Scalars['Int']['input'];
};


export type QuerySearchPostsArgs = {
  limit?: Scalars['Int']['input'];
  query: Scalars['String']['input'];
};


export type QueryTopAuthorsArgs = {
  limit?: Scalars['Int']['input'];
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUsersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<UserFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  sort?: UserSort;
};

/** What a user may do beyond the basics. */
export type Role =
  | 'ADMIN'
  | 'USER';

/** A sign-in session. Its token is never shown again after login. */
export type Session = {
  __typename?: 'Session';
  /** When it was created. */
  createdAt: Scalars['DateTime']['output'];
  /** True for the session making this request. */
  current: Scalars['Boolean']['output'];
  /** What the client keeps on this session. */
  data: Scalars['JSON']['output'];
  /** Slides forward while the session is used. */
  expiresAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** When it was last changed. */
  updatedAt: Scalars['DateTime']['output'];
  userAgent?: Maybe<Scalars['String']['output']>;
};

export type SignUpInput = {
  /** Stored lower-case; unique. */
  email: Scalars['String']['input'];
  /** 8-256 characters; stored as an Argon2 hash. */
  password: Scalars['String']['input'];
  /** 3-50 letters, digits, '_', '.' or '-'. Unique ignoring case and Unicode look-alikes (NFKC): `Admin` or a fullwidth `admin` are taken once `admin` is. */
  username: Scalars['String']['input'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The order each time its status changes (its buyer and admins). */
  orderStatusChanged: Order;
  /** Every order that reaches COMPLETED: the fulfilment feed (admins). */
  ordersCompleted: Order;
  /** Posts as they are published (anyone). */
  postPublished: Post;
};


export type SubscriptionOrderStatusChangedArgs = {
  orderId: Scalars['ID']['input'];
};

/** Credits leave the signed-in user's account. */
export type TransferCreditsInput = {
  /** Positive whole credits. */
  amount: Scalars['Int']['input'];
  toUserId: Scalars['ID']['input'];
};

/** Only the fields given are changed. */
export type UpdatePostInput = {
  content?: InputMaybe<Scalars['String']['input']>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  title?: InputMaybe<Scalars['String']['input']>;
};

/** Only the fields given are changed. */
export type UpdateProductInput = {
  category?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  price?: InputMaybe<Scalars['Decimal']['input']>;
  stock?: InputMaybe<Scalars['Int']['input']>;
};

/** Only the fields given are changed. */
export type UpdateProfileInput = {
  email?: InputMaybe<Scalars['String']['input']>;
  username?: InputMaybe<Scalars['String']['input']>;
};

/** A person with an account. `email`, `credits`, `orders` and `sessions` are visible to the user themselves and to administrators, and null for everybody else. */
export type User = Node & {
  __typename?: 'User';
  /** When it was created. */
  createdAt: Scalars['DateTime']['output'];
  /** Credits to spend or transfer. */
  credits?: Maybe<Scalars['Int']['output']>;
  /** The MongoDB ObjectId, as hex. */
  databaseId: Scalars['String']['output'];
  /** When the account was deactivated. */
  deactivatedAt?: Maybe<Scalars['DateTime']['output']>;
  email?: Maybe<Scalars['String']['output']>;
  /** Globally unique, opaque id. */
  id: Scalars['ID']['output'];
  /** False once the account is deactivated. */
  isActive: Scalars['Boolean']['output'];
  /** This user's orders. */
  orders?: Maybe<OrderConnection>;
  /** This user's published posts. */
  posts: PostConnection;
  roles: Array<Role>;
  /** This user's sign-in sessions, most recently used first. */
  sessions?: Maybe<Array<Session>>;
  /** When it was last changed. */
  updatedAt: Scalars['DateTime']['output'];
  username: Scalars['String']['output'];
};


/** A person with an account. `email`, `credits`, `orders` and `sessions` are visible to the user themselves and to administrators, and null for everybody else. */
export type UserOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  sort?: OrderSort;
};


/** A person with an account. `email`, `credits`, `orders` and `sessions` are visible to the user themselves and to administrators, and null for everybody else. */
export type UserPostsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  sort?: PostSort;
};

/** A page of a list, in a stable order, resumable from any cursor. */
export type UserConnection = {
  __typename?: 'UserConnection';
  edges: Array<UserEdge>;
  pageInfo: PageInfo;
  /** How many items the whole list holds. Costs a count query: ask only if shown. */
  totalCount: Scalars['Int']['output'];
};

export type UserEdge = {
  __typename?: 'UserEdge';
  /** Pass as `after` or `before` to continue from this item. */
  cursor: Scalars['String']['output'];
  node: User;
};

/** Which users to list. All conditions must hold. */
export type UserFilter = {
  createdAfter?: InputMaybe<Scalars['DateTime']['input']>;
  createdBefore?: InputMaybe<Scalars['DateTime']['input']>;
  /** Deactivated users are listed with `false`. */
  isActive?: Scalars['Boolean']['input'];
  role?: InputMaybe<Role>;
};

/** Orders of the user list. */
export type UserSort =
  | 'NEWEST_FIRST'
  | 'OLDEST_FIRST';

export type LoginMutationVariables = Exact<{
  username: Scalars['String']['input'];
  password: Scalars['String']['input'];
}>;


export type LoginMutation = { __typename?: 'Mutation', login: { __typename?: 'AuthPayload', token: string, expiresAt: string, user?: { __typename?: 'User', id: string, username: string } | null } };

export type CatalogueQueryVariables = Exact<{
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
}>;


export type CatalogueQuery = { __typename?: 'Query', products: { __typename?: 'ProductConnection', edges: Array<{ __typename?: 'ProductEdge', node: { __typename?: 'Product', sku: string, name: string, price: string, stock: number } }> } };

export type PlaceOrderMutationVariables = Exact<{
  items: Array<OrderItemInput> | OrderItemInput;
}>;


export type PlaceOrderMutation = { __typename?: 'Mutation', placeOrder: { __typename?: 'Order', id: string, status: OrderStatus, total: string, items: Array<{ __typename?: 'LineItem', sku: string, quantity: number, unitPrice: string }> } };

export type FollowOrderSubscriptionVariables = Exact<{
  orderId: Scalars['ID']['input'];
}>;


export type FollowOrderSubscription = { __typename?: 'Subscription', orderStatusChanged: { __typename?: 'Order', id: string, status: OrderStatus } };

export type FeedQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type FeedQuery = { __typename?: 'Query', posts: { __typename?: 'PostConnection', edges: Array<{ __typename?: 'PostEdge', cursor: string, node: { __typename?: 'Post', id: string, title: string, tags: Array<string>, publishedAt?: string | null, author?: { __typename?: 'User', id: string, username: string } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };

export type NewPostsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type NewPostsSubscription = { __typename?: 'Subscription', postPublished: { __typename?: 'Post', id: string, title: string, author?: { __typename?: 'User', username: string } | null } };

export type UserPageQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  posts?: InputMaybe<Scalars['Int']['input']>;
}>;


export type UserPageQuery = { __typename?: 'Query', user?: { __typename?: 'User', id: string, username: string, createdAt: string, email?: string | null, credits?: number | null, posts: { __typename?: 'PostConnection', totalCount: number, edges: Array<{ __typename?: 'PostEdge', node: { __typename?: 'Post', id: string, title: string, publishedAt?: string | null } }> } } | null };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { __typename?: 'Query', me?: { __typename?: 'User', id: string, username: string, email?: string | null, credits?: number | null, orders?: { __typename?: 'OrderConnection', edges: Array<{ __typename?: 'OrderEdge', node: { __typename?: 'Order', id: string, status: OrderStatus, total: string } }> } | null } | null };


export const LoginDocument = {"__meta__":{"hash":"f9a7ff85da3045b045a423aa2d8b5488f7d8308a6d525041961a8598075e3717"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Login"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"username"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"password"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"username"},"value":{"kind":"Variable","name":{"kind":"Name","value":"username"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"password"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}}]}}]}}]}}]} as unknown as DocumentNode<LoginMutation, LoginMutationVariables>;
export const CatalogueDocument = {"__meta__":{"hash":"e458a9b48f2cd3eead25b1fb7f47a2966eb4df711ef1f6e8b0602231c861f6e9"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Catalogue"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"category"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"products"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"category"},"value":{"kind":"Variable","name":{"kind":"Name","value":"category"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"inStock"},"value":{"kind":"BooleanValue","value":true}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sku"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"stock"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CatalogueQuery, CatalogueQueryVariables>;
export const PlaceOrderDocument = {"__meta__":{"hash":"21f9418afd85f0d99c23294087b132479dd34481f8f9f81a3e978a1cf6872103"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PlaceOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"items"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"OrderItemInput"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"placeOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"items"},"value":{"kind":"Variable","name":{"kind":"Name","value":"items"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sku"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"}}]}}]}}]}}]} as unknown as DocumentNode<PlaceOrderMutation, PlaceOrderMutationVariables>;
export const FollowOrderDocument = {"__meta__":{"hash":"361971156268308c928e9ada8860a3390d9dfe44327c5862780c66b7121b3d52"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"FollowOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderStatusChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"orderId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<FollowOrderSubscription, FollowOrderSubscriptionVariables>;
export const FeedDocument = {"__meta__":{"hash":"c85037a7f69aa8b8fdb5746d8f0e909ae6dc9a56f64f8f085c0e47d868be455c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Feed"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"10"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"posts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"publishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<FeedQuery, FeedQueryVariables>;
export const NewPostsDocument = {"__meta__":{"hash":"9ea08301689f4265980df75f7031f2bbd17a0b017036f95d301cb26c6bf7dac8"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"NewPosts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"postPublished"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"username"}}]}}]}}]}}]} as unknown as DocumentNode<NewPostsSubscription, NewPostsSubscriptionVariables>;
export const UserPageDocument = {"__meta__":{"hash":"47ad9e571054993d57a45bca8c12caefc6a132904d6690beb377069b12a79a19"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UserPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"posts"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"user"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"credits"}},{"kind":"Field","name":{"kind":"Name","value":"posts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"posts"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"publishedAt"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<UserPageQuery, UserPageQueryVariables>;
export const MeDocument = {"__meta__":{"hash":"db03b109fcec27f5952ef7a3ce556ab3101b2bff323a612feec4a92b226828b6"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"credits"}},{"kind":"Field","name":{"kind":"Name","value":"orders"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<MeQuery, MeQueryVariables>;