"""The GraphQL schema: one module per domain, merged into Query and Mutation here."""

import contextlib
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from graphql_api.schema.analytics import AnalyticsQueries
from graphql_api.schema.credits import CreditMutations
from graphql_api.schema.errors import ClientErrors, log_errors
from graphql_api.schema.nodes import NodeQueries
from graphql_api.schema.orders import Order, OrderMutations, OrderQueries
from graphql_api.schema.posts import Post, PostMutations, PostQueries
from graphql_api.schema.products import Product, ProductMutations, ProductQueries
from graphql_api.schema.sessions import SessionMutations, SessionQueries
from graphql_api.schema.users import User, UserMutations, UserQueries

Query = merge_types(
    "Query",
    (
        NodeQueries,
        UserQueries,
        PostQueries,
        ProductQueries,
        OrderQueries,
        SessionQueries,
        AnalyticsQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        UserMutations,
        PostMutations,
        ProductMutations,
        OrderMutations,
        SessionMutations,
        CreditMutations,
    ),
)


class CachedParsing(ParserCache):
    """Strawberry's parser cache, minus one flaw: a syntax error raised in the cache
    escapes the operation (and so error formatting). On failure, leave parsing to
    Strawberry, which reports it as a normal GraphQL error."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield


class APISchema(Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry logs every error at ERROR level; we log by kind instead.
        log_errors(errors)


schema = APISchema(
    query=Query,
    mutation=Mutation,
    types=[User, Post, Product, Order],
    extensions=[
        ClientErrors,
        lambda: CachedParsing(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ],
)

__all__ = ["Mutation", "Query", "schema"]
