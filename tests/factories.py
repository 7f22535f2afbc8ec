"""Creating test data through the API itself, as a client would."""

from __future__ import annotations

import itertools
from typing import Any

from tests.conftest import GraphQLClient

_counter = itertools.count()

USER_FIELDS = (
    "id databaseId username email roles isActive credits createdAt updatedAt deactivatedAt"
)
POST_FIELDS = (
    "id databaseId title content tags published createdAt updatedAt publishedAt "
    "author { id username }"
)
PRODUCT_FIELDS = "id databaseId sku name category price stock createdAt updatedAt"
ORDER_FIELDS = (
    "id databaseId status total createdAt updatedAt user { id username } "
    "items { sku name quantity unitPrice product { sku stock } }"
)


PASSWORD = "correct horse battery staple"


async def sign_up(gql: GraphQLClient, username: str | None = None, **extra: Any) -> dict:
    """A new user, signed in: the user's fields plus `token` and `password`."""
    n = next(_counter)
    username = username or f"user{n}"
    email = extra.pop("email", f"{username}@example.com")
    password = extra.pop("password", PASSWORD)
    data = await gql.data(
        "mutation($input: SignUpInput!) "
        f"{{ signUp(input: $input) {{ token user {{ {USER_FIELDS} }} }} }}",
        {"input": {"username": username, "email": email, "password": password}},
    )
    return data["signUp"]["user"] | {"token": data["signUp"]["token"], "password": password}


async def login(gql: GraphQLClient, username: str, password: str = PASSWORD) -> str:
    data = await gql.data(
        "mutation($input: LoginInput!) { login(input: $input) { token } }",
        {"input": {"username": username, "password": password}},
    )
    return data["login"]["token"]


async def make_admin(db: Any, user: dict) -> dict:
    """Give `user` the admin role (there is no API for that: see `graphql-api promote`)."""
    from bson import ObjectId

    await db.users.update_one(
        {"_id": ObjectId(user["databaseId"])}, {"$set": {"roles": ["user", "admin"]}}
    )
    return user | {"roles": ["USER", "ADMIN"]}


async def grant(admin: GraphQLClient, user_id: str, amount: int) -> dict:
    data = await admin.data(
        "mutation($input: GrantCreditsInput!) { grantCredits(input: $input) { id amount } }",
        {"input": {"userId": user_id, "amount": amount}},
    )
    return data["grantCredits"]


async def create_post(gql: GraphQLClient, author: dict, **fields: Any) -> dict:
    """A post written by `author` (a user from `sign_up`)."""
    n = next(_counter)
    values = {"title": f"Post {n}", "content": f"Content {n}"} | fields
    data = await gql.as_user(author).data(
        f"mutation($input: CreatePostInput!) {{ createPost(input: $input) {{ {POST_FIELDS} }} }}",
        {"input": values},
    )
    return data["createPost"]


async def create_product(gql: GraphQLClient, **fields: Any) -> dict:
    n = next(_counter)
    values = {
        "sku": f"SKU-{n}",
        "name": f"Product {n}",
        "category": "books",
        "price": "10.00",
        "stock": 10,
    } | fields
    data = await gql.data(
        "mutation($input: CreateProductInput!) "
        f"{{ createProduct(input: $input) {{ {PRODUCT_FIELDS} }} }}",
        {"input": values},
    )
    return data["createProduct"]


async def place_order(gql: GraphQLClient, buyer: dict, items: list[tuple[str, int]]) -> dict:
    """An order placed by `buyer` (a user from `sign_up`)."""
    data = await gql.as_user(buyer).data(
        f"mutation($input: PlaceOrderInput!) {{ placeOrder(input: $input) {{ {ORDER_FIELDS} }} }}",
        {"input": {"items": [{"sku": sku, "quantity": q} for sku, q in items]}},
    )
    return data["placeOrder"]


async def set_status(gql: GraphQLClient, order_id: str, status: str) -> dict:
    data = await gql.data(
        "mutation($id: ID!, $status: OrderStatus!) "
        "{ updateOrderStatus(id: $id, status: $status) { id status updatedAt } }",
        {"id": order_id, "status": status},
    )
    return data["updateOrderStatus"]


def without_cost(body: dict) -> dict:
    """A response body without `extensions.cost` (the budget's report, on every answer)."""
    body = dict(body)
    extensions = {k: v for k, v in (body.pop("extensions", None) or {}).items() if k != "cost"}
    return {**body, "extensions": extensions} if extensions else body
