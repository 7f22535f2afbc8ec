"""Each operation starts afresh: its own loaders, the session's current state.

A WebSocket runs many operations over one connection and one context; this
extension gives each its own scope (see `Context.begin_operation`). It also
refuses, with a code, an operation sent with a bearer token that is not (or no
longer) valid. (A subscription over HTTP is refused earlier, by the HTTP view.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphql_api.errors import Unauthenticated


class OperationScope(SchemaExtension):
    def on_operation(self) -> AsyncIterator[None] | None:  # type: ignore[override]
        context = self.execution_context.context
        if hasattr(context, "begin_operation"):
            context.begin_operation()
        yield

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        context = execution.context
        refusal: Exception | None = None
        database = getattr(context, "database", None)
        if database is not None and not database.available:
            pass  # DatabaseAvailability answers DB_UNAVAILABLE at once, without a lookup
        elif execution.result is None and getattr(context, "token", None) is not None:
            try:
                if await context.viewer() is None:
                    # A client that sends a token expects to act as its user: say the
                    # session is gone instead of answering as an anonymous visitor.
                    refusal = Unauthenticated(context.unauthenticated_reason())
            except Exception as error:  # the lookup failed (database down): coded by ClientErrors
                refusal = error
        if refusal is not None:
            error = GraphQLError(str(refusal), original_error=refusal)
            if execution.operation_type is OperationType.SUBSCRIPTION:
                raise error  # Strawberry ignores `result` for subscriptions
            execution.result = ExecutionResult(data=None, errors=[error])
        yield
