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


async def sign_up(gql: GraphQLClient, username: str | None = None, **extra: Any) -> dict:
    n = next(_counter)
    username = username or f"user{n}"
    email = extra.pop("email", f"{username}@example.com")
    data = await gql.data(
        f"mutation($input: SignUpInput!) {{ signUp(input: $input) {{ {USER_FIELDS} }} }}",
        {"input": {"username": username, "email": email}},
    )
    return data["signUp"]


async def grant(gql: GraphQLClient, user_id: str, amount: int) -> dict:
    data = await gql.data(
        "mutation($input: GrantCreditsInput!) { grantCredits(input: $input) { id amount } }",
        {"input": {"userId": user_id, "amount": amount}},
    )
    return data["grantCredits"]


async def create_post(gql: GraphQLClient, author_id: str, **fields: Any) -> dict:
    n = next(_counter)
    values = {"authorId": author_id, "title": f"Post {n}", "content": f"Content {n}"} | fields
    data = await gql.data(
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


async def place_order(gql: GraphQLClient, user_id: str, items: list[tuple[str, int]]) -> dict:
    data = await gql.data(
        f"mutation($input: PlaceOrderInput!) {{ placeOrder(input: $input) {{ {ORDER_FIELDS} }} }}",
        {
            "input": {
                "userId": user_id,
                "items": [{"sku": sku, "quantity": quantity} for sku, quantity in items],
            }
        },
    )
    return data["placeOrder"]


async def set_status(gql: GraphQLClient, order_id: str, status: str) -> dict:
    data = await gql.data(
        "mutation($id: ID!, $status: OrderStatus!) "
        "{ updateOrderStatus(id: $id, status: $status) { id status updatedAt } }",
        {"id": order_id, "status": status},
    )
    return data["updateOrderStatus"]
