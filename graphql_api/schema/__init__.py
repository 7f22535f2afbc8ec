"""The GraphQL schema: one module per domain, merged into Query and Mutation here."""

from typing import Any

from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from graphql_api.execution import planned_execution
from graphql_api.extensions.availability import DatabaseAvailability
from graphql_api.extensions.cost_limit import QueryCostLimiter, ValidationAfterCost
from graphql_api.extensions.errors import ClientErrors, log_errors
from graphql_api.extensions.input_errors import CodedInputErrors
from graphql_api.extensions.operation_scope import OperationScope
from graphql_api.extensions.parsing import CachedParsing
from graphql_api.extensions.request_log import RequestLog
from graphql_api.extensions.suggestions import HideSuggestions
from graphql_api.persisted import persisted_operations
from graphql_api.schema.accounts import AccountMutations
from graphql_api.schema.analytics import AnalyticsQueries
from graphql_api.schema.credits import CreditMutations
from graphql_api.schema.nodes import NodeQueries
from graphql_api.schema.orders import Order, OrderMutations, OrderQueries
from graphql_api.schema.posts import Post, PostMutations, PostQueries
from graphql_api.schema.products import Product, ProductMutations, ProductQueries
from graphql_api.schema.scalars import SCALAR_MAP
from graphql_api.schema.sessions import SessionMutations
from graphql_api.schema.subscriptions import Subscription
from graphql_api.schema.users import User, UserMutations, UserQueries
from graphql_api.settings import Settings, get_settings
from graphql_api.tracing import tracing_extension

Query = merge_types(
    "Query",
    (
        NodeQueries,
        UserQueries,
        PostQueries,
        ProductQueries,
        OrderQueries,
        AnalyticsQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutations,
        UserMutations,
        PostMutations,
        ProductMutations,
        OrderMutations,
        SessionMutations,
        CreditMutations,
    ),
)


class APISchema(Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry logs every error at ERROR level; we log by kind instead.
        log_errors(errors)


def create_schema(settings: Settings | None = None) -> APISchema:
    """The schema with the abuse limits of `settings` (the SDL does not depend on them)."""
    settings = settings or get_settings()
    # The rule classes are made once: ValidationCache is keyed by them, so new
    # classes per request would turn every validation into a cache miss.
    limit_rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_query_aliases).validation_rules,
    ]
    extensions: list[Any] = [
        RequestLog,  # first in, last out: it sees the errors as clients will
        ClientErrors,
        OperationScope,  # before anything looks the viewer up: each operation starts afresh
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: CachedParsing(maxsize=512),
        lambda: AddValidationRules(limit_rules),
        CodedInputErrors,  # before validation runs
        lambda: QueryCostLimiter(settings),  # prices before validation, charges after
        lambda: ValidationAfterCost(maxsize=512),
        DatabaseAvailability,
        # Last: it resolves hashes to documents before parsing, and its refusals replace
        # the validation result, which ValidationCache (before it) would overwrite.
        persisted_operations(settings),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
        extensions.append(HideSuggestions)  # no schema leaks through "Did you mean"
    # Last: it answers read queries itself once everything else has had its say. Not
    # with tracing, whose per-resolver spans need graphql-core's resolver calls.
    if settings.planned_execution and not settings.otel_enabled:
        extensions.append(planned_execution())
    if settings.otel_enabled:  # outermost: its span covers the others
        extensions.insert(0, tracing_extension())
    return APISchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[User, Post, Product, Order],
        extensions=extensions,
        # Bounded Decimal, DateTime, JSON scalars; @defer/@stream over HTTP (multipart/mixed):
        # graphql_api.http.view masks the errors of later payloads, which Strawberry's
        # extensions never see.
        config=StrawberryConfig(
            scalar_map=SCALAR_MAP,
            enable_experimental_incremental_execution=settings.incremental_delivery,
        ),
    )


schema = create_schema()

__all__ = ["Mutation", "Query", "create_schema", "schema"]
