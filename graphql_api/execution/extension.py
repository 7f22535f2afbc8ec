"""Planned execution as the schema's last extension.

It runs where graphql-core would (`on_execute`, after every other extension has
had its say: limits, cost, availability, authentication), and answers the
operation itself by setting the result, which makes Strawberry skip
graphql-core. It answers only when it can do so exactly: a query (no mutation,
no subscription), every field understood by the planner, and a run with no
error at all. Otherwise it sets nothing and graphql-core executes as before,
which also reports every error: the plan never writes one.

Plans are cached per query text, operation name and the values of the
variables that `@skip`/`@include` depend on; the other variables are read at
each run.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

from graphql import (
    ExecutionResult,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    OperationType,
)
from strawberry.extensions import SchemaExtension

from graphql_api.execution.collect import CantPlan, directive_variables
from graphql_api.execution.variables import Variables
from graphql_api.limits.cost import Prices

logger = logging.getLogger(__name__)

_CANT = object()  # cached: this operation is graphql-core's


class _Operation:
    """A query of a document, as the planner keeps it. `valid` once the whole stack
    has let it run (parsed, validated, within the limits): from then on the HTTP
    view may serve it directly (graphql_api.http.direct), which prices it once per
    value of the variables its price depends on (`prices`)."""

    __slots__ = (
        "conditions",
        "document",
        "fragments",
        "operation",
        "prices",
        "valid",
        "variables",
    )

    def __init__(self, document: Any, operation: OperationDefinitionNode, fragments: dict) -> None:
        self.document = document
        self.operation = operation
        self.fragments = fragments
        self.valid = False
        self.prices = Prices()
        self.variables: Variables | None = None  # for the schema that first serves it
        self.conditions = sorted(directive_variables([operation.selection_set, *(
            fragment.selection_set for fragment in fragments.values()
        )]))  # fmt: skip


class Planner:
    """The plans of one schema, bounded (least recently used go first)."""

    #: Operations answered by a plan in this process, all planners together (for tests).
    served_total = 0

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self.operations: OrderedDict[tuple, Any] = OrderedDict()
        self.plans: OrderedDict[tuple, Any] = OrderedDict()
        #: Operations answered by a plan, and left to graphql-core (for tests, benchmarks).
        self.served = 0
        self.fell_back = 0

    async def execute(self, execution: Any) -> ExecutionResult | None:
        """The result, or None: graphql-core's to execute."""
        result = await self._execute(execution)
        self.count(result is not None)
        return result

    def count(self, served: bool) -> None:
        if served:
            self.served += 1
            Planner.served_total += 1
        else:
            self.fell_back += 1

    async def _execute(self, execution: Any) -> ExecutionResult | None:
        query, document = execution.query, execution.graphql_document
        if query is None or document is None:
            return None
        key = (query, execution.operation_name)
        operation = self._remember(self.operations, key, lambda: _find(document, key[1]))
        if operation is _CANT:
            return None
        data = await self.serve(
            operation,
            key,
            execution.schema,
            execution.variables or {},
            execution.context,
            execution.root_value,
        )
        if data is None:
            return None
        operation.valid = True  # it got here: parsed, validated, within every limit
        return ExecutionResult(data=data)

    def prepared(self, query: str, operation_name: str | None) -> _Operation | None:
        """The operation of a document the whole stack has let run before, if kept."""
        operation = self.operations.get((query, operation_name))
        if operation is None or operation is _CANT or not operation.valid:
            return None
        return operation

    async def serve(
        self,
        operation: _Operation,
        key: tuple,
        schema: Any,
        raw_variables: dict[str, Any],
        context: Any,
        root_value: Any,
    ) -> dict[str, Any] | None:
        """The operation's `data` by its plan, or None: graphql-core's to execute."""
        # Imported here: the planner reads the schema's modules, which build the schema
        # (and so this extension) when imported.
        from graphql_api.execution.build import Builder  # noqa: PLC0415
        from graphql_api.execution.run import Job, run  # noqa: PLC0415

        coercion = operation.variables
        if coercion is None or coercion.schema is not schema._schema:
            coercion = operation.variables = Variables(
                schema._schema, operation.operation.variable_definitions or ()
            )
        variables = coercion.coerce(raw_variables)
        if isinstance(variables, list):
            return None  # graphql-core reports them
        conditions = tuple(variables.coerced.get(name) for name in operation.conditions)

        def build() -> Any:
            builder = Builder(schema._schema, operation.fragments, variables)
            try:
                return builder.operation(operation.operation)
            except CantPlan as reason:
                logger.debug("not planned: %s", reason)
                return _CANT
            except Exception:  # a gap in the planner: graphql-core still answers
                logger.exception("planning failed; graphql-core executes this operation")
                return _CANT

        plan = self._remember(self.plans, (*key, conditions), build)
        if plan is _CANT:
            return None
        job = Job(context, variables, schema.schema_converter.scalar_registry, schema.config)
        try:
            return await run(plan, root_value, job)
        except Exception as failure:
            logger.debug("plan run ended (%r); graphql-core executes it", failure)
            return None

    def _remember(self, cache: OrderedDict, key: tuple, make: Any) -> Any:
        found = cache.get(key)
        if found is None:
            found = cache[key] = make()
            if len(cache) > self.maxsize:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return found


def _find(document: Any, name: str | None) -> Any:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        operation = operations[0] if len(operations) == 1 else None
    else:
        operation = next((o for o in operations if o.name and o.name.value == name), None)
    if operation is None or operation.operation is not OperationType.QUERY:
        return _CANT
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return _Operation(document, operation, fragments)


def planned_execution(planner: Planner | None = None) -> type[SchemaExtension]:
    """The extension class, sharing one `Planner` between the schema's operations."""
    shared = planner or Planner()

    class PlannedExecution(SchemaExtension):
        planner = shared

        async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
            execution = self.execution_context
            if execution.result is None and not execution.pre_execution_errors:
                result = await shared.execute(execution)
                if result is not None:
                    execution.result = result
            yield

    return PlannedExecution


__all__ = ["Planner", "planned_execution"]
