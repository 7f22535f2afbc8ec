"""Abuse limits on GraphQL documents, each reported with its own error code.

Depth, tokens and aliases use Strawberry's own extensions; their errors are
recognised here (`limit_code`) and given codes. The cost limit is ours: the
operation is priced (`graphql_api.limits.cost`) before it is validated, and
charged to the client's budget (`graphql_api.limits.buckets`) before it runs;
every response reports it in `extensions.cost`, in Shopify's shape.
"""

from __future__ import annotations

import functools
import math
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import GraphQLError
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from pymongo.errors import PyMongoError
from strawberry.extensions import SchemaExtension, ValidationCache
from strawberry.types.graphql import OperationType

from graphql_api.limits.buckets import Buckets, client_key
from graphql_api.limits.controls import cost_controls
from graphql_api.limits.cost import Prices, default_sizes, price, scan_points
from graphql_api.settings import Settings

# Messages of the validation rules we use -> the code clients get.
LIMIT_CODES = (
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found. Allowed", "TOO_MANY_ALIASES"),
    ("Document contains more than", "TOO_MANY_TOKENS"),
    ("introspection has been disabled", "INTROSPECTION_DISABLED"),
    ("introspection is disabled", "INTROSPECTION_DISABLED"),
)


def limit_code(message: str) -> str | None:
    lowered = message.lower()
    return next((code for text, code in LIMIT_CODES if text.lower() in lowered), None)


class QueryCostLimiter(SchemaExtension):
    """Price each operation before it is validated or run; refuse it if it costs
    more than `max_query_cost` (then it is not even validated: refusing must stay
    cheap), or, once valid, more than the client's budget holds (RATE_LIMITED,
    with `retryAfterSeconds` and a `Retry-After` header). Refusals are charged
    (see `graphql_api.limits.debtors`); a client in debt is refused before
    parsing. Must come before `ValidationAfterCost` in the extension list."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cost: int | None = None
        self.report: dict[str, Any] | None = None
        self.buckets: Buckets | None = None
        self.key: str | None = None  # whose budget pays; None: budgets are off
        self.early: GraphQLError | None = None

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context
        await self._identify(context.context)
        if self.buckets is not None and self.key is not None:
            available = self.buckets.available(self.key)
            if available < 0:
                # In debt: refused without parsing what was sent (the stand-in
                # document is parsed once, by the parser cache).
                retry_after = -available / self.buckets.restore_per_s
                self.early = self._rate_limited(context.context, None, available, retry_after)
                context.query, context.graphql_document = "{ __typename }", None
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        if self.early is not None:
            context.pre_execution_errors = [self.early]
        elif context.graphql_document is not None and not context.pre_execution_errors:
            self.cost = await self._price(context)
            self.report = {"requestedQueryCost": self.cost}
            maximum = self.settings.max_query_cost
            if self.cost > maximum:
                if self.buckets is not None and self.key is not None:
                    self._report(self.cost, self.buckets.debit(self.key, maximum))
                context.pre_execution_errors = [
                    GraphQLError(
                        f"This operation would cost {self.cost}; the limit is {maximum}. "
                        "Ask for smaller pages or fewer nested lists, or narrow searches.",
                        extensions={
                            "code": "QUERY_TOO_COMPLEX",
                            "cost": self.cost,
                            "maximum": maximum,
                        },
                    )
                ]
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            if self.cost is None:
                self.cost = await self._price(context)
                self.report = {"requestedQueryCost": self.cost}
            context.result = self._charge(context.context, self.cost)
            if context.result is not None and context.operation_type is OperationType.SUBSCRIPTION:
                raise context.result.errors[0]  # Strawberry ignores `result` for subscriptions
        yield

    async def _identify(self, request: Any) -> None:
        """The client's bucket key: the user if signed in, else the address."""
        self.buckets, self.key = await budget(request, self.settings)

    async def _price(self, context: Any) -> int:
        return await operation_cost(
            context.schema,
            context.graphql_document,
            context.operation_name,
            context.variables or {},
            self.settings,
            getattr(context.context, "database", None),
        )

    def _charge(self, request: Any, cost: int) -> GraphQLExecutionResult | None:
        if self.buckets is None or self.key is None:
            return None
        charge = self.buckets.charge(self.key, cost)
        if charge.allowed:
            self._report(cost, charge.available)
            return None
        available = self.buckets.debit(self.key, self.settings.cost_refusal_points)
        needed = min(cost, self.buckets.capacity)  # a dearer one needs a full bucket
        retry_after = (needed - available) / self.buckets.restore_per_s
        error = self._rate_limited(request, cost, available, retry_after)
        return GraphQLExecutionResult(data=None, errors=[error])

    def _report(self, cost: int | None, available: float) -> None:
        assert self.buckets is not None
        self.report = {
            **({"requestedQueryCost": cost} if cost is not None else {}),
            "throttleStatus": self.buckets.throttle_status(available),
        }

    def _rate_limited(
        self, request: Any, cost: int | None, available: float, retry_after: float
    ) -> GraphQLError:
        assert self.buckets is not None
        self._report(cost, available)
        seconds = max(1, math.ceil(retry_after))
        response = getattr(request, "response", None)
        if response is not None:
            response.headers["retry-after"] = str(seconds)
        return GraphQLError(
            self.buckets.refusal_message(available, seconds, cost),
            extensions={
                "code": "RATE_LIMITED",
                **({"cost": cost} if cost is not None else {}),
                "retryAfterSeconds": seconds,
            },
        )

    def get_results(self) -> dict[str, Any]:
        if self.report is None or getattr(self.execution_context.context, "shared", False):
            return {}  # shared events: the cost was charged once, when each subscriber joined
        return {"cost": self.report}


async def budget(request: Any, settings: Settings) -> tuple[Buckets | None, str | None]:
    """The buckets and the key of whose budget pays: the user if signed in, else the
    address; (None, None) when budgets are off (or the database is down, which
    DatabaseAvailability refuses anyway)."""
    database = getattr(request, "database", None)
    if database is None or not settings.cost_budget_capacity or not database.available:
        return None, None
    if getattr(request, "shared", False):
        return None, None  # a shared subscription execution: its subscribers paid when they joined
    buckets = cost_controls(database, settings).buckets
    address = getattr(request, "client_address", None)
    return buckets, client_key(await _user_id(request), address)


async def operation_cost(
    schema: Any,
    document: Any,
    operation_name: str | None,
    variables: dict[str, Any],
    settings: Settings,
    database: Any,
    prices: Prices | None = None,
) -> int:
    """What the operation costs (`graphql_api.limits.cost`), scans priced by the
    collections' current sizes; looked up in `prices` (the operation's) if given."""
    text_index = database.capabilities.text_search if database is not None else False
    key = prices.key(variables, text_index) if prices is not None else None
    known = prices.get(key) if prices is not None else None
    if known is not None:
        return known
    read: set[str] | None = set() if prices is not None else None
    priced = functools.partial(
        price,
        document,
        operation_name,
        variables,
        settings.max_page_size,
        default_sizes(schema, settings.default_page_size),
        text_index=text_index,
        read=read,
    )
    cost, scanned = priced()
    if scanned:
        if database is not None and database.available:
            # Only operations that may scan read the collection sizes (cached).
            sizes = await cost_controls(database, settings).sizes.current(database)
            cost, _ = priced(scan_points(sizes, settings.cost_scan_documents_per_point))
    elif prices is not None and read is not None:
        prices.keep(read, variables, cost, text_index)
    return cost


async def _user_id(request: Any) -> Any:
    """The signed-in user's id, or None (anonymous, a session that is not valid,
    or the session lookup failed: then the address pays)."""
    viewer = getattr(request, "viewer", None)
    if viewer is None or getattr(request, "token", None) is None:
        return None
    try:
        signed_in = await viewer()
    except PyMongoError:
        return None
    return getattr(signed_in, "user_id", None)


class ValidationAfterCost(ValidationCache):
    """Strawberry's validation cache, skipped when the cost limit has refused the
    operation already: validating a 30-alias document costs more than pricing it."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()
