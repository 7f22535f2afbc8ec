"""Running a plan: walk the documents, await what must be awaited in waves.

Everything synchronous (stored fields, conversions, scalars) is written at once;
each awaitable (a resolver, a page, a private field whose viewer is not known
yet) is set aside with where its value goes. The awaitables of one wave are
awaited together, so that the DataLoaders batch them exactly as they do under
graphql-core (all authors of a page in one query); their values may set aside
more, for the next wave. Any failure ends the run: the caller then leaves the
operation to graphql-core, which reports errors as it always has.

Nothing else of the operation runs beside the plan, so once a wave's loads are
all made, the DataLoader batches they wait for are run here, in the request's
task (`Loaders.dispatch`), rather than by a task each on a later turn of the
event loop: the same batches (one query each), without their tasks and turns.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Mapping
from typing import Any

from graphql.execution.values import VariableValues
from strawberry.schema.config import StrawberryConfig

from graphql_api.dataloaders import Loaders
from graphql_api.execution.calls import PlanInfo
from graphql_api.execution.collect import CantPlan
from graphql_api.execution.fields import ObjectPlan
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
        loaders = getattr(context, "loaders", None)
        self.loaders: Loaders | None = loaders if isinstance(loaders, Loaders) else None
        self.variables = variables
        self.scalars = scalars
        self.config = config
        self.pending: list[Later] = []
        #: The parents of this wave, per field that serves them all at once.
        self.batches: dict[Any, list[Any]] = {}


async def run(plan: ObjectPlan, root_value: Any, job: Job) -> dict[str, Any]:
    """The operation's `data`; raises (anything) where graphql-core must answer instead."""
    try:
        data = plan.run(None, root_value, job)
        while job.pending:
            wave, job.pending = job.pending, []
            job.batches.clear()  # what the completions put is for the next wave
            results = await _wave(wave, job.loaders)
            for later, result in zip(wave, results, strict=True):
                later.container[later.key] = later.completer.complete(result, job)
        return data
    finally:
        for later in job.pending:  # never started: close them quietly
            if inspect.iscoroutine(later.awaitable):
                later.awaitable.close()
        job.pending.clear()


async def _wave(wave: list[Later], loaders: Loaders | None) -> list[Any]:
    """The values of a wave's awaitables, in order; raises CantPlan if one failed."""
    if loaders is not None and all(isinstance(later.awaitable, asyncio.Future) for later in wave):
        # Loads (a page's authors): every load of the wave is made, so their batch
        # is complete: run it here.
        if loaders.pending:
            await loaders.dispatch()
        if all(later.awaitable.done() for later in wave):
            results = []
            for later in wave:
                future = later.awaitable
                if future.cancelled():
                    raise CantPlan("a load was cancelled")
                if (failure := future.exception()) is not None:
                    raise CantPlan("a load failed") from failure
                results.append(future.result())
            return results
    if len(wave) == 1:  # awaited here: no task (a root field, most reads)
        awaitable = wave[0].awaitable
        if loaders is not None and inspect.iscoroutine(awaitable):
            awaitable = _Driven(awaitable, loaders)
        try:
            return [await awaitable]
        except Exception as failure:
            raise CantPlan("a resolver failed") from failure
    results = await asyncio.gather(*(later.awaitable for later in wave), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise CantPlan("a resolver failed") from result
    return results


class _Driven:
    """Awaits a coroutine in this task, as `await coroutine` would, except that when
    it waits for a load of a batch nobody has dispatched yet, the batch is run here
    (the coroutine is the only thing of the operation running: no other load can
    join the batch) before the coroutine goes on."""

    __slots__ = ("coroutine", "loaders")

    def __init__(self, coroutine: Any, loaders: Loaders) -> None:
        self.coroutine = coroutine
        self.loaders = loaders

    def __await__(self) -> Any:
        coroutine, loaders = self.coroutine, self.loaders
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                yielded = coroutine.send(value) if error is None else coroutine.throw(error)
            except StopIteration as stop:
                return stop.value
            value = error = None
            if loaders.pending and loaders.waits_for(yielded):
                yield from loaders.dispatch().__await__()
                if yielded.done():
                    yielded._asyncio_future_blocking = False  # as the task would have
                    continue  # the coroutine reads the load's result (or its error)
            try:
                value = yield yielded  # the task waits for it, as for any await
            except BaseException as failure:  # cancellation too: passed on
                error = failure
