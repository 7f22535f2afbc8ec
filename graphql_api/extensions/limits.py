"""Abuse limits on GraphQL documents, each reported with its own error code.

Depth, tokens and aliases use Strawberry's own extensions; their errors are
recognised here and given codes. The cost limit is ours, computed before any
resolver runs: every field costs 1, and a list field multiplies what is under
it by the number of items it may return (`first`/`last`, `limit`, the number
of `ids`), so `users(first: 100) { posts(first: 100) { ... } }` is expensive.
A scan-shaped field (see `SCANS`: work no index bounds) also costs the
documents it may have to examine, one point per `COST_SCAN_DOCUMENTS_PER_POINT`
documents of the collection, whatever its page size.

The cost is then charged to the client's budget (`graphql_api.budget`); every response
reports it in `extensions.cost`, in Shopify's shape.
"""

from __future__ import annotations

import functools
import math
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from pymongo.errors import PyMongoError
from strawberry.extensions import SchemaExtension, ValidationCache

from graphql_api.budget import Buckets, client_key, cost_controls
from graphql_api.settings import Settings

# Messages of the validation rules we use -> the code clients get.
LIMIT_CODES = (
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found. Allowed", "TOO_MANY_ALIASES"),
    ("Document contains more than", "TOO_MANY_TOKENS"),
    ("introspection has been disabled", "INTROSPECTION_DISABLED"),
    ("introspection is disabled", "INTROSPECTION_DISABLED"),
)
_SIZE_ARGUMENTS = ("first", "last", "limit")
UNKNOWN_SCAN_POINTS = 1000  # a scan of a collection whose size is not known (yet): 10k documents


def _filter(arguments: Mapping[str, Any], name: str) -> Any:
    value = arguments.get("filter")
    return value.get(name) if isinstance(value, Mapping) else None


# Fields whose database work no index bounds: field name -> (collection it may
# scan, whether these arguments make it scan, given "the server has a text index").
# tests/test_query_plans.py lists what each list filter's index bounds.
SCANS: dict[str, tuple[str, Callable[[Mapping[str, Any], bool], bool]]] = {
    # The regex fallback examines every published post (SecantusDB has no text index).
    "searchPosts": ("posts", lambda arguments, text_index: not text_index),
    "posts": ("posts", lambda a, text_index: not text_index and bool(_filter(a, "search"))),
    # Stock is checked on the documents the price index yields, not bounded by it.
    "products": ("products", lambda a, text_index: _filter(a, "inStock") is not None),
}


def limit_code(message: str) -> str | None:
    lowered = message.lower()
    return next((code for text, code in LIMIT_CODES if text.lower() in lowered), None)


class _Cost:
    def __init__(
        self,
        fragments: Mapping[str, Any],
        variables: Mapping[str, Any],
        max_size: int,
        lists: Mapping[str, int] | None = None,
        scan_points: Mapping[str, int] | None = None,
        text_index: bool = False,
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.max_size = max_size
        self.lists = lists or {}  # list fields -> their size when no argument says
        self.scan_points = scan_points or {}  # collection -> points of one scan of it
        self.text_index = text_index
        self.scanned: set[str] = set()  # collections some field may scan

    def value(self, node: Any) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            # int() refuses 4,300+ digits (ValueError): such a literal is no size anyway.
            return int(node.value) if len(node.value) <= 18 else None
        if isinstance(node, ListValueNode):
            return list(node.values)
        if isinstance(node, (StringValueNode, BooleanValueNode)):
            return node.value
        if isinstance(node, NullValueNode):
            return None
        if isinstance(node, ObjectValueNode):
            return {field.name.value: self.value(field.value) for field in node.fields}
        return None

    def multiplier(self, field: FieldNode) -> int:
        arguments = {argument.name.value: argument.value for argument in field.arguments or ()}
        for name in _SIZE_ARGUMENTS:
            if name in arguments:
                size = self.value(arguments[name])
                # Sizes past the maximum are refused by the field itself, with a clearer error.
                return min(max(size, 1), self.max_size) if isinstance(size, int) else self.max_size
        if "ids" in arguments:
            ids = self.value(arguments["ids"])
            return min(max(len(ids), 1), self.max_size) if isinstance(ids, list) else self.max_size
        return self.lists.get(field.name.value, 1)

    def scan(self, field: FieldNode, seen: frozenset[str]) -> int:
        """What examining the collection costs, if this field scans one (once more
        for a `totalCount`, which counts the whole match)."""
        rule = SCANS.get(field.name.value)
        if rule is None:
            return 0
        collection, scans = rule
        arguments = {a.name.value: self.value(a.value) for a in field.arguments or ()}
        if not scans(arguments, self.text_index):
            return 0
        self.scanned.add(collection)
        children = self.fields(field.selection_set, seen)
        counts = sum(1 for child in children if child.name.value == "totalCount")
        # A size not known (yet) is priced as a large collection, never as free.
        points = self.scan_points.get(collection, UNKNOWN_SCAN_POINTS)
        return points * (1 + counts)

    def fields(
        self, selection_set: SelectionSetNode | None, seen: frozenset[str]
    ) -> Iterator[FieldNode]:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    yield from self.fields(fragment.selection_set, seen | {name})

    def of(self, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset()) -> int:
        total = 0
        for field in self.fields(selection_set, seen):
            below = self.of(field.selection_set, seen)
            total += 1 + self.scan(field, seen) + self.multiplier(field) * below
        return total


def _default_sizes(schema: Any, default_page_size: int) -> dict[str, int]:
    """Connection fields return `default_page_size` items when not told otherwise."""
    cached = getattr(schema, "_connection_fields", None)
    if cached is None:
        cached = {}
        for graphql_type in schema._schema.type_map.values():
            for name, field in (getattr(graphql_type, "fields", None) or {}).items():
                named = field.type
                while hasattr(named, "of_type"):
                    named = named.of_type
                if named.name.endswith("Connection"):
                    cached[name] = default_page_size
                # A list whose size argument has a default (`searchPosts(limit = 20)`)
                # returns that many when not told otherwise.
                for argument in _SIZE_ARGUMENTS:
                    default = getattr(
                        (getattr(field, "args", None) or {}).get(argument), "default_value", None
                    )
                    if isinstance(default, int) and not isinstance(default, bool):
                        cached[name] = max(cached.get(name, 1), default)
        schema._connection_fields = cached
    return cached


def query_cost(
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any],
    max_size: int,
    lists: Mapping[str, int] | None = None,
    scan_points: Mapping[str, int] | None = None,
    text_index: bool = False,
) -> int:
    return _price(document, operation_name, variables, max_size, lists, scan_points, text_index)[0]


def _price(
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any],
    max_size: int,
    lists: Mapping[str, int] | None = None,
    scan_points: Mapping[str, int] | None = None,
    text_index: bool = False,
) -> tuple[int, set[str]]:
    """The cost, and the collections it may scan (priced by `scan_points`)."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if definition.__class__.__name__ == "FragmentDefinitionNode"
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    total, scanned = 0, set()
    literals = _Cost(fragments, {}, max_size)
    for operation in operations:
        # A variable the client left out takes its default: price what will run.
        given = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in given and definition.default_value is not None:
                given[name] = literals.value(definition.default_value)
        cost = _Cost(fragments, given, max_size, lists, scan_points, text_index)
        total = max(total, cost.of(operation.selection_set))
        scanned |= cost.scanned
    return total, scanned


def scan_points(sizes: Mapping[str, int], documents_per_point: int) -> dict[str, int]:
    return {name: max(1, math.ceil(size / documents_per_point)) for name, size in sizes.items()}


class QueryCostLimiter(SchemaExtension):
    """Price each operation before it is validated or run; refuse it if it costs
    more than `max_query_cost` (then it is not even validated: refusing must stay
    cheap), or, once valid, more than the client's budget holds (RATE_LIMITED,
    with `retryAfterSeconds` and a `Retry-After` header). Refusals are charged
    (see `budget`); a client in debt is refused before parsing. Must come before
    `ValidationAfterCost` in the extension list."""

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
        yield

    async def _identify(self, request: Any) -> None:
        """The client's bucket key: the user if signed in, else the address."""
        settings = self.settings
        database = getattr(request, "database", None)
        if database is None or not settings.cost_budget_capacity or not database.available:
            return  # no budget, or DatabaseAvailability refuses it anyway
        self.buckets = cost_controls(database, settings).buckets
        address = getattr(request, "client_address", None)
        self.key = client_key(await _user_id(request), address)

    async def _price(self, context: Any) -> int:
        settings = self.settings
        database = getattr(context.context, "database", None)
        price = functools.partial(
            _price,
            context.graphql_document,
            context.operation_name,
            context.variables or {},
            settings.max_page_size,
            _default_sizes(context.schema, settings.default_page_size),
            text_index=database.capabilities.text_search if database is not None else False,
        )
        cost, scanned = price()
        if scanned and database is not None and database.available:
            # Only operations that may scan read the collection sizes (cached).
            sizes = await cost_controls(database, settings).sizes.current(database)
            cost, _ = price(scan_points(sizes, settings.cost_scan_documents_per_point))
        return cost

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
            "throttleStatus": {
                "maximumAvailable": self.buckets.capacity,
                "currentlyAvailable": math.floor(available),
                "restoreRate": self.buckets.restore_per_s,
            },
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
        needs = f"This operation costs {cost} points; your" if cost is not None else "Your"
        return GraphQLError(
            f"{needs} budget has {math.floor(available)} of {self.buckets.capacity} and "
            f"regains {self.buckets.restore_per_s:g} a second. Try again in {seconds} s.",
            extensions={
                "code": "RATE_LIMITED",
                **({"cost": cost} if cost is not None else {}),
                "retryAfterSeconds": seconds,
            },
        )

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report is not None else {}


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


class DatabaseAvailability(SchemaExtension):
    """Fail at once with DB_UNAVAILABLE while the driver sees no server.

    Without this, every request during an outage would wait out its whole
    deadline in the driver's retries. Introspection-only operations still run:
    the explorer keeps working while the database is down.
    """

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        database = getattr(context.context, "database", None)
        if (
            database is not None
            and context.result is None
            and not database.available
            and not _introspection_only(context.graphql_document, context.operation_name)
        ):
            context.result = GraphQLExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "The database is unavailable. Try again shortly.",
                        extensions={"code": "DB_UNAVAILABLE"},
                    )
                ],
            )
        yield


def _introspection_only(document: Any, operation_name: str | None) -> bool:
    for definition in document.definitions if document else ():
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        fields = _Cost({}, {}, 1).fields(definition.selection_set, frozenset())
        if any(not field.name.value.startswith("__") for field in fields):
            return False
    return True
