"""Abuse limits on GraphQL documents, each reported with its own error code.

Depth, tokens and aliases use Strawberry's own extensions; their errors are
recognised here and given codes. The cost limit is ours: every field costs 1,
and a list field multiplies what is under it by the number of items it may
return (`first`/`last`, `limit`, the number of `ids`), so
`users(first: 100) { posts(first: 100) { ... } }` is expensive before it runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

# Messages of the validation rules we use -> the code clients get.
LIMIT_CODES = (
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found. Allowed", "TOO_MANY_ALIASES"),
    ("Document contains more than", "TOO_MANY_TOKENS"),
    ("introspection has been disabled", "INTROSPECTION_DISABLED"),
    ("introspection is disabled", "INTROSPECTION_DISABLED"),
)
_SIZE_ARGUMENTS = ("first", "last", "limit")


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
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.max_size = max_size
        self.lists = lists or {}  # list fields -> their size when no argument says

    def value(self, node: Any) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, ListValueNode):
            return list(node.values)
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
            total += 1 + self.multiplier(field) * below
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
        schema._connection_fields = cached
    return cached


def query_cost(
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any],
    max_size: int,
    lists: Mapping[str, int] | None = None,
) -> int:
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if definition.__class__.__name__ == "FragmentDefinitionNode"
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    cost = _Cost(fragments, variables, max_size, lists)
    return max((cost.of(operation.selection_set) for operation in operations), default=0)


class QueryCostLimiter(SchemaExtension):
    """Refuse, before any resolver runs, operations whose cost exceeds `max_cost`."""

    def __init__(self, max_cost: int, max_page_size: int, default_page_size: int) -> None:
        self.max_cost = max_cost
        self.max_page_size = max_page_size
        self.default_page_size = default_page_size

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            cost = query_cost(
                context.graphql_document,
                context.operation_name,
                context.variables or {},
                self.max_page_size,
                _default_sizes(context.schema, self.default_page_size),
            )
            if cost > self.max_cost:
                # Setting the result makes Strawberry skip execution altogether.
                context.result = GraphQLExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"This operation would cost {cost}; the limit is {self.max_cost}. "
                            "Ask for smaller pages or fewer nested lists.",
                            extensions={
                                "code": "QUERY_TOO_COMPLEX",
                                "cost": cost,
                                "maximum": self.max_cost,
                            },
                        )
                    ],
                )
        yield


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
