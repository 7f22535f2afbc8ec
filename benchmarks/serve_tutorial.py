"""Baseline: the tutorial way. Strawberry types over Beanie documents, each
relation resolved with its own query (post.author = one find per post), no
parser/validation caches, the standard JSON encoder."""

from __future__ import annotations

import contextlib
from datetime import datetime
from decimal import Decimal

import strawberry
from beanie import PydanticObjectId, init_beanie
from pymongo import AsyncMongoClient
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from benchmarks.common import COMMANDS_ROUTE, COUNTER, DATABASE, MONGODB_URL
from graphql_api.models import DOCUMENT_MODELS
from graphql_api.models import Post as PostDocument
from graphql_api.models import Product as ProductDocument
from graphql_api.models import User as UserDocument


@strawberry.type
class User:
    id: strawberry.ID
    username: str
    email: str
    created_at: datetime

    @strawberry.field
    async def posts(self, limit: int = 5) -> list[Post]:
        documents = (
            await PostDocument.find(
                PostDocument.author_id == PydanticObjectId(self.id),
                PostDocument.published == True,  # noqa: E712
            )
            .sort(-PostDocument.created_at)
            .limit(limit)
            .to_list()
        )
        return [Post.from_document(document) for document in documents]

    @classmethod
    def from_document(cls, document: UserDocument) -> User:
        return cls(
            id=strawberry.ID(str(document.id)),
            username=document.username,
            email=document.email,
            created_at=document.created_at,
        )


@strawberry.type
class Post:
    id: strawberry.ID
    title: str
    created_at: datetime
    author_id: strawberry.Private[str]

    @strawberry.field
    async def author(self) -> User | None:
        document = await UserDocument.get(self.author_id)  # one query per post
        return User.from_document(document) if document else None

    @classmethod
    def from_document(cls, document: PostDocument) -> Post:
        return cls(
            id=strawberry.ID(str(document.id)),
            title=document.title,
            created_at=document.created_at,
            author_id=str(document.author_id),
        )


@strawberry.type
class Product:
    sku: str
    name: str
    price: Decimal
    stock: int


@strawberry.type
class Query:
    @strawberry.field
    async def user(self, id: strawberry.ID) -> User | None:
        document = await UserDocument.get(id)
        return User.from_document(document) if document else None

    @strawberry.field
    async def users(self, limit: int = 10) -> list[User]:
        documents = (
            await UserDocument.find(UserDocument.is_active == True)  # noqa: E712
            .sort(-UserDocument.created_at)
            .limit(limit)
            .to_list()
        )
        return [User.from_document(document) for document in documents]

    @strawberry.field
    async def posts(self, limit: int = 20) -> list[Post]:
        documents = (
            await PostDocument.find(PostDocument.published == True)  # noqa: E712
            .sort(-PostDocument.created_at)
            .limit(limit)
            .to_list()
        )
        return [Post.from_document(document) for document in documents]

    @strawberry.field
    async def products(self, category: str, max_price: Decimal, limit: int = 20) -> list[Product]:
        documents = (
            await ProductDocument.find(
                ProductDocument.category == category, ProductDocument.price <= max_price
            )
            .sort(-ProductDocument.price)
            .limit(limit)
            .to_list()
        )
        return [Product(sku=d.sku, name=d.name, price=d.price, stock=d.stock) for d in documents]


schema = strawberry.Schema(query=Query)


def app() -> Starlette:
    client = AsyncMongoClient(MONGODB_URL, tz_aware=True, event_listeners=[COUNTER])

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await init_beanie(
            database=client[DATABASE], document_models=list(DOCUMENT_MODELS), skip_indexes=True
        )
        yield
        await client.close()

    graphql = GraphQL(schema)
    return Starlette(
        routes=[Route("/graphql", graphql, methods=["GET", "POST"]), COMMANDS_ROUTE],
        lifespan=lifespan,
    )
