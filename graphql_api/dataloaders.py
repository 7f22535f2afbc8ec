"""Per-operation DataLoaders: one batched query per relation instead of one per parent.

A new `Loaders` is made for every operation, and for every subscription event
(`Context.begin_operation`, `Context.begin_event`): cached documents never leak
between operations or users, and a long-lived WebSocket never reads stale ones.

The loaders are Strawberry's DataLoaders (the same batches, cache and errors),
except for who runs a batch: Strawberry schedules a task per batch on the next
turn of the event loop; ours also list their batches in the operation's
`Loaders`, so that an executor that knows nothing else can join a batch (the
planned executor, once its wave of loads is made) runs it at once in its own
task (`Loaders.dispatch`): no task and no extra turns of the loop per batch.
Batches nobody runs that way are dispatched as Strawberry dispatches them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import cached_property
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection
from strawberry.dataloader import Batch, DataLoader, dispatch_batch

from graphql_api.models import Order, Post, Product, User

Document = dict[str, Any]


class Loader(DataLoader):
    """A DataLoader whose batches an executor may run in its own task.

    `pending` (set by `Loaders`): the operation's list of batches not yet
    dispatched. Without it, this is Strawberry's DataLoader as it is."""

    pending: list[tuple[Loader, Batch]] | None = None

    def load(self, key: Any) -> Awaitable[Any]:
        pending = self.pending
        if pending is None or not self.cache or self.max_batch_size:
            return super().load(key)
        # Strawberry's `load` (cached futures, one batch per turn of the loop), with
        # the batch listed where the executor finds it.
        future = self.cache_map.get(key)
        if future is not None and not future.cancelled():
            return future
        loop = self.loop
        future = loop.create_future()
        self.cache_map.set(key, future)
        batch = self.batch
        if batch is None or batch.dispatched or not batch.tasks:
            batch = self.batch = Batch()
            pending.append((self, batch))
            loop.call_soon(self._schedule, batch)
        batch.add_task(key, future)
        return future

    def _schedule(self, batch: Batch) -> None:
        """Strawberry's scheduled dispatch, unless the batch was run already."""
        if batch.dispatched:
            return
        if self.pending is not None:
            with contextlib.suppress(ValueError):
                self.pending.remove((self, batch))
        task = batch._dispatch_task = asyncio.create_task(dispatch_batch(self, batch))
        task.add_done_callback(lambda _: setattr(batch, "_dispatch_task", None))


def by_key(
    collection: Callable[[], AsyncCollection],
    field: str = "_id",
    projection: dict[str, Any] | None = None,
) -> DataLoader:
    """Documents by a unique field, `None` where there is none."""

    async def load(keys: Sequence[Any]) -> list[Document | None]:
        documents = (
            await collection()
            .find({field: {"$in": list(keys)}}, projection, limit=len(keys))
            .to_list()
        )
        found = {document[field]: document for document in documents}
        return [found.get(key) for key in keys]

    return Loader(load)


def grouped(
    load_group: Callable[[list[ObjectId], Hashable], Awaitable[dict[ObjectId, Any]]],
) -> DataLoader:
    """For keys `(parent_id, arguments)`: one call per distinct `arguments`.

    Nested lists (`users { posts(first: 5) }`) ask with the same arguments for
    every parent, so this is one query for all the parents.
    """

    async def load(keys: Sequence[tuple[ObjectId, Hashable]]) -> list[Any]:
        parents: dict[Hashable, list[ObjectId]] = defaultdict(list)
        for parent, arguments in keys:
            parents[arguments].append(parent)
        results = await asyncio.gather(
            *(load_group(list(dict.fromkeys(ids)), args) for args, ids in parents.items())
        )
        found = {
            (parent, args): value
            for args, result in zip(parents, results, strict=True)
            for parent, value in result.items()
        }
        return [found[key] for key in keys]

    return Loader(load)


def counts(load_counts: Callable[[list[ObjectId]], Awaitable[list[int]]]) -> DataLoader:
    return Loader(load_counts)


class Loaders:
    """The loaders of one operation. Relation loaders are added by the schema modules."""

    def __init__(self) -> None:
        self._relations: dict[str, DataLoader] = {}
        #: Batches of this operation's loaders waiting for their scheduled dispatch.
        self.pending: list[tuple[Loader, Batch]] = []

    def _own(self, loader: DataLoader) -> DataLoader:
        if isinstance(loader, Loader):
            loader.pending = self.pending
        return loader

    # Made on first use: most requests need one or two of them.
    @cached_property
    def user_by_id(self) -> DataLoader:
        return self._own(by_key(User.get_pymongo_collection, projection={"password_hash": 0}))

    @cached_property
    def post_by_id(self) -> DataLoader:
        return self._own(by_key(Post.get_pymongo_collection))

    @cached_property
    def product_by_id(self) -> DataLoader:
        return self._own(by_key(Product.get_pymongo_collection))

    @cached_property
    def order_by_id(self) -> DataLoader:
        return self._own(by_key(Order.get_pymongo_collection))

    @cached_property
    def product_by_sku(self) -> DataLoader:
        return self._own(by_key(Product.get_pymongo_collection, "sku"))

    def relation(self, name: str, factory: Callable[[], DataLoader]) -> DataLoader:
        """The request's loader called `name`, made by `factory` on first use."""
        loader = self._relations.get(name)
        if loader is None:
            loader = self._relations[name] = self._own(factory())
        return loader

    def waits_for(self, future: Any) -> bool:
        """Whether `future` is a load of a batch not dispatched yet."""
        return any(
            task.future is future
            for _, batch in self.pending
            if not batch.dispatched
            for task in batch.tasks
        )

    async def dispatch(self) -> None:
        """Run the batches not dispatched yet, now, in this task (one query each, as
        their scheduled dispatch would have sent). Only for a caller that knows no
        other load can still join them: nothing else of the operation is running."""
        batches = [(loader, batch) for loader, batch in self.pending if not batch.dispatched]
        self.pending.clear()
        for _, batch in batches:
            batch.dispatched = True  # their scheduled dispatch finds them taken
        if len(batches) == 1:
            await dispatch_batch(*batches[0])
        elif batches:
            await asyncio.gather(*(dispatch_batch(loader, batch) for loader, batch in batches))


__all__ = ["Loader", "Loaders", "by_key", "counts", "grouped"]
