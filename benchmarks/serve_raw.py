"""Baseline (the floor): hand-written Starlette JSON endpoints on raw PyMongo,
the same data as the GraphQL queries, batched by hand, orjson-encoded."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import orjson
from bson import Decimal128, ObjectId
from pymongo import AsyncMongoClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from benchmarks.common import COMMANDS_ROUTE, COUNTER, DATABASE, GC_ROUTE, MONGODB_URL

client = AsyncMongoClient(MONGODB_URL, tz_aware=True, event_listeners=[COUNTER])
db = client[DATABASE]


def json(data: object) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


def iso(value) -> str:
    return value.isoformat()


async def user(request: Request) -> Response:
    doc = await db.users.find_one({"_id": ObjectId(request.query_params["id"])})
    return json(
        {
            "id": str(doc["_id"]),
            "username": doc["username"],
            "email": doc["email"],
            "createdAt": iso(doc["created_at"]),
        }
    )


async def authors_of(posts: list[dict]) -> dict:
    ids = list({post["author_id"] for post in posts})
    found = await db.users.find({"_id": {"$in": ids}}, {"username": 1, "email": 1}).to_list()
    return {user["_id"]: user for user in found}


async def posts_with_authors(request: Request) -> Response:
    posts = await db.posts.find(
        {"published": True},
        {"title": 1, "author_id": 1, "created_at": 1},
        sort=[("created_at", -1), ("_id", -1)],
        limit=int(request.query_params["first"]),
    ).to_list()
    authors = await authors_of(posts)
    return json(
        [
            {
                "title": p["title"],
                "author": {
                    "username": authors[p["author_id"]]["username"],
                    "email": authors[p["author_id"]]["email"],
                },
            }
            for p in posts
        ]
    )


async def nested(request: Request) -> Response:
    users = await db.users.aggregate(
        [
            {"$match": {"is_active": True}},
            {"$sort": {"created_at": -1, "_id": -1}},
            {"$limit": int(request.query_params["first"])},
            {"$project": {"username": 1}},
            {
                "$lookup": {
                    "from": "posts",
                    "localField": "_id",
                    "foreignField": "author_id",
                    "pipeline": [
                        {"$match": {"published": True}},
                        {"$sort": {"created_at": -1, "_id": -1}},
                        {"$limit": 5},
                        {"$project": {"title": 1, "author_id": 1}},
                    ],
                    "as": "posts",
                }
            },
        ]
    )
    users = await users.to_list()
    authors = await authors_of([p for u in users for p in u["posts"]])
    return json(
        [
            {
                "username": u["username"],
                "posts": [
                    {
                        "title": p["title"],
                        "author": {"username": authors[p["author_id"]]["username"]},
                    }
                    for p in u["posts"]
                ],
            }
            for u in users
        ]
    )


async def products(request: Request) -> Response:
    found = await db.products.find(
        {
            "category": request.query_params["category"],
            "price": {"$lte": Decimal128(Decimal(request.query_params["maxPrice"]))},
        },
        {"sku": 1, "name": 1, "price": 1, "stock": 1},
        sort=[("price", -1), ("_id", -1)],
        limit=21,
        # The hint a correct endpoint needs on the embedded server (its planner's own
        # bounds miss a Decimal128 of another exponent: 60.00 for `<= 60`), as
        # graphql_api sends it; on MongoDB it is the plan the planner would pick.
        hint="category_price",
    ).to_list()
    return json(
        [
            {
                "sku": p["sku"],
                "name": p["name"],
                "price": str(p["price"].to_decimal()),
                "stock": p["stock"],
            }
            for p in found[:20]
        ]
    )


async def subscriptions(websocket: WebSocket) -> None:
    """The floor of an idle subscriber: a bare graphql-transport-ws socket that acks
    `connection_init` and holds its subscriptions (it never publishes)."""
    await websocket.accept(subprotocol="graphql-transport-ws")
    try:
        while True:
            message = await websocket.receive_json()
            if message.get("type") == "connection_init":
                await websocket.send_json({"type": "connection_ack"})
    except WebSocketDisconnect:
        pass


@contextlib.asynccontextmanager
async def lifespan(app):
    yield
    await client.close()


def app() -> Starlette:
    return Starlette(
        routes=[
            Route("/user", user),
            Route("/posts", posts_with_authors),
            Route("/nested", nested),
            Route("/products", products),
            WebSocketRoute("/graphql", subscriptions),
            COMMANDS_ROUTE,
            GC_ROUTE,
        ],
        lifespan=lifespan,
    )
