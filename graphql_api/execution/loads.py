"""Settling a wave: each DataLoader's keys of the wave fetched with one call.

Under graphql-core every parent's relation is `loader.load(key)`: a future, a
`LoaderTask` with a done-callback, the future gathered with the others, and at
dispatch one `set_result` per future, whose callbacks run one by one on the
event loop. For 50 posts' authors that bookkeeping cost more CPU than the query.

A plan knows a wave's keys before anything runs, so it asks each loader once:

- keys whose future is in the loader's cache and done are read from it;
- keys with a future still pending (another load in flight) wait for it;
- the other keys get a future of their own in the cache at once (a resolver of
  the same wave that loads one of them finds it, as under graphql-core), and the
  loader's batch function is called with all of them: one query, as before.

The loader's cache ends up as `load` would have left it, so later waves and
resolvers share its documents. A relation that reads only some stored keys loads
through the plan's own `Documents` (`Loaders.narrowed`), which no resolver
shares: its wave only fetches the keys it has not fetched yet, with no future.

If a DataLoader's batch function fails, or a value is an exception, the futures
it was to resolve are cancelled and dropped from the cache (a cancelled future
is never reused by `load`) and the run ends: the operation goes to graphql-core,
which loads and reports as it always has (a failed fetch of `Documents` keeps
nothing, and ends the run the same way).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from graphql_api.dataloaders import Documents
from graphql_api.execution.collect import CantPlan
from graphql_api.execution.values import Completer, Later


class Loaded:
    """A parent's relation: the document `loader` gives for `wanted`, completed into
    `container[key]` when its wave is settled."""

    __slots__ = ("completer", "container", "key", "loader", "wanted")

    def __init__(
        self, loader: DataLoader, wanted: Any, container: Any, key: Any, completer: Completer
    ) -> None:
        self.loader = loader
        self.wanted = wanted
        self.container = container
        self.key = key
        self.completer = completer


class _Fetch:
    """One loader's part of a wave: what its cache knew, and what it must fetch."""

    __slots__ = ("foreign", "futures", "known", "loader", "missing", "waiting")

    def __init__(self, loader: DataLoader) -> None:
        self.loader = loader
        self.known: dict[Any, Any] = {}  # key -> value
        self.waiting: dict[Any, asyncio.Future] = {}  # key -> its future, pending
        self.missing: list[Any] = []
        self.futures: list[asyncio.Future] = []  # the futures of `missing`, in the cache
        self.foreign: list[asyncio.Future] = []  # pending futures another load resolves

    def claim(self, key: Any) -> None:
        if key in self.known or key in self.waiting:
            return
        cache = self.loader.cache_map
        future = cache.get(key)
        if future is None or future.cancelled():
            future = self.loader.loop.create_future()
            cache.set(key, future)
            self.missing.append(key)
            self.futures.append(future)
            self.waiting[key] = future
        elif future.done():
            if future.exception() is not None:
                raise CantPlan("a load failed")
            self.known[key] = future.result()
        else:
            self.waiting[key] = future
            self.foreign.append(future)

    async def fetch(self) -> None:
        """The missing keys' documents, into their futures (one call)."""
        futures = self.futures
        try:
            values = await self.loader.load_fn(self.missing)
            if len(values) != len(futures):
                raise CantPlan("a batch function gave another number of values")
            for value in values:
                if isinstance(value, BaseException):
                    raise CantPlan("a batch function gave an error")
        except BaseException:
            self.drop()
            raise
        for future, value in zip(futures, values, strict=True):
            if not future.done():
                future.set_result(value)

    def drop(self) -> None:
        cache = self.loader.cache_map
        for key, future in zip(self.missing, self.futures, strict=True):
            if not future.done():
                future.cancel()
            if cache.get(key) is future:
                cache.delete(key)

    def value(self, key: Any) -> Any:
        if key in self.known:
            return self.known[key]
        future = self.waiting[key]
        if future.cancelled() or future.exception() is not None:
            raise CantPlan("a load failed")
        return future.result()


class _Planned:
    """A plan's own `Documents`' part of a wave: the keys it lacks, fetched with one
    call. Only plans load through it, and waves run one after another, so no key is
    ever in flight elsewhere: no futures, nothing to wait for or to drop."""

    __slots__ = ("documents", "missing")

    foreign: tuple[()] = ()

    def __init__(self, documents: Documents) -> None:
        self.documents = documents
        self.missing: dict[Any, None] = {}  # in the order first asked for

    def claim(self, key: Any) -> None:
        if key not in self.documents.found:
            self.missing[key] = None

    async def fetch(self) -> None:
        keys = list(self.missing)
        values = await self.documents.load_fn(keys)
        if len(values) != len(keys):
            raise CantPlan("a batch function gave another number of values")
        self.documents.found.update(zip(keys, values, strict=True))

    def drop(self) -> None:
        pass

    def value(self, key: Any) -> Any:
        return self.documents.found[key]


async def _together(awaitables: list[Any]) -> list[Any]:
    if not awaitables:  # everything was in the loaders' caches
        return []
    if len(awaitables) == 1:  # awaited here: no task (a root field, most reads)
        try:
            return [await awaitables[0]]
        except Exception as failure:
            raise CantPlan("a resolver failed") from failure
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise CantPlan("a resolver failed") from result
    return results


def batched(loader: DataLoader | Documents) -> bool:
    """Loaders this module can ask directly: a plan's own documents, or a DataLoader
    that caches and takes batches of any size."""
    if type(loader) is Documents:
        return True
    return bool(loader.cache) and loader.max_batch_size is None


async def settle(wave: Sequence[Later | Loaded]) -> list[Any]:
    """The values of the wave's items, in its order; raises CantPlan if any failed."""
    fetches: dict[int, _Fetch | _Planned] = {}
    awaited: list[Any] = []  # resolvers' awaitables, in the wave's order
    try:
        for item in wave:
            if type(item) is Loaded:
                fetch = fetches.get(id(item.loader))
                if fetch is None:
                    planned = type(item.loader) is Documents
                    fetch = (_Planned if planned else _Fetch)(item.loader)
                    fetches[id(item.loader)] = fetch
                fetch.claim(item.wanted)
            else:
                awaited.append(item.awaitable)
    except BaseException:
        for fetch in fetches.values():  # no future claimed may be left pending
            fetch.drop()
        raise
    together = [*awaited]
    for fetch in fetches.values():
        if fetch.missing:
            together.append(fetch.fetch())
        together.extend(fetch.foreign)
    results = await _together(together)
    resolved = iter(results[: len(awaited)])
    return [
        fetches[id(item.loader)].value(item.wanted) if type(item) is Loaded else next(resolved)
        for item in wave
    ]


__all__ = ["Loaded", "batched", "settle"]
