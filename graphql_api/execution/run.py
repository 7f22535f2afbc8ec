"""Running a plan: walk the documents, await what must be awaited in waves.

Everything synchronous (stored fields, conversions, scalars) is written at once;
each awaitable (a resolver, a page, a private field whose viewer is not known
yet) is set aside with where its value goes. The awaitables of one wave are
awaited together, and its relations' keys asked of each DataLoader at once
(graphql_api.execution.loads), so that they are batched exactly as under
graphql-core (all authors of a page in one query); their values may set aside
more, for the next wave. Any failure ends the run: the caller then leaves the
operation to graphql-core, which reports errors as it always has.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from graphql.execution.values import VariableValues
from strawberry.schema.config import StrawberryConfig

from graphql_api.execution.calls import PlanInfo
from graphql_api.execution.fields import ObjectPlan
from graphql_api.execution.loads import Loaded, settle
from graphql_api.execution.values import Later


class Job:
    """One run of a plan."""

    __slots__ = ("batches", "config", "info", "loaders", "pending", "scalars", "variables")

    def __init__(
        self,
        context: Any,
        variables: VariableValues,
        scalars: Mapping[object, Any],
        config: StrawberryConfig,
    ) -> None:
        self.info = PlanInfo(context)
        self.variables = variables
        self.scalars = scalars
        self.config = config
        self.pending: list[Later | Loaded] = []
        #: The parents of this wave, per field that serves them all at once.
        self.batches: dict[Any, list[Any]] = {}
        #: Per relation or lookup plan: its loader in this run, and whether it is `batched`.
        self.loaders: dict[Any, tuple[Any, bool]] = {}


async def run(plan: ObjectPlan, root_value: Any, job: Job) -> dict[str, Any]:
    """The operation's `data`; raises (anything) where graphql-core must answer instead."""
    try:
        data = plan.run(None, root_value, job)
        while job.pending:
            wave, job.pending = job.pending, []
            job.batches.clear()  # what the completions put is for the next wave
            results = await settle(wave)
            for later, result in zip(wave, results, strict=True):
                later.container[later.key] = later.completer.complete(result, job)
        return data
    finally:
        for later in job.pending:  # never started: close them quietly
            if type(later) is Later and inspect.iscoroutine(later.awaitable):
                later.awaitable.close()
        job.pending.clear()
