"""Fail fast while the database is down, instead of waiting out each deadline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension


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
    definitions = document.definitions if document else ()
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    for definition in definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        if any(not name.startswith("__") for name in _root_fields(definition, fragments)):
            return False
    return True


def _root_fields(
    node: Any, fragments: dict[str, FragmentDefinitionNode], seen: frozenset[str] = frozenset()
) -> Iterator[str]:
    """The names of the root fields, through inline and named fragments (each once)."""
    for selection in node.selection_set.selections if node.selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                yield from _root_fields(fragments[name], fragments, seen | {name})
