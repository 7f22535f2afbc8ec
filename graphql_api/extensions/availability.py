"""Fail fast while the database is down, instead of waiting out each deadline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from graphql_api.limits.cost import selected_fields


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
        fields = selected_fields(definition.selection_set)
        if any(not field.name.value.startswith("__") for field in fields):
            return False
    return True
