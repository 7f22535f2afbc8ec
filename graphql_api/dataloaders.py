"""Per-operation DataLoaders: one batched query per relation instead of one per parent.

A new `Loaders` is made for every operation, and for every subscription event
(`Context.begin_operation`, `Context.begin_event`): cached documents never leak
between operations or users, and a long-lived WebSocket never reads stale ones.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import cached_property
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection
from strawberry.dataloader import DataLoader

from graphql_api.models import Order, Post, Product, User

Document = dict[str, Any]


def _finder(
    collection: Callable[[], AsyncCollection], field: str, projection: dict[str, Any] | None
) -> Callable[[Sequence[Any]], Awaitable[list[Document | None]]]:
    async def load(keys: Sequence[Any]) -> list[Document | None]:
        documents = (
            await collection()
            .find({field: {"$in": list(keys)}}, projection, limit=len(keys))
            .to_list()
        )
        found = {document[field]: document for document in documents}
        return [found.get(key) for key in keys]

    return load


def by_key(
    collection: Callable[[], AsyncCollection],
    field: str = "_id",
    projection: dict[str, Any] | None = None,
) -> DataLoader:
    """Documents by a unique field, `None` where there is none."""
    return DataLoader(_finder(collection, field, projection))


class Documents:
    """Documents by a unique field for a plan alone (`Loaders.narrowed`): what its
    waves fetched (`load_fn`, one call per wave), by key. Nothing else loads
    through it, so nothing waits on a key: no future per key, as a DataLoader
    needs for the resolvers that share it (graphql_api.execution.loads)."""

    __slots__ = ("found", "load_fn")

    def __init__(self, load_fn: Callable[[Sequence[Any]], Awaitable[list[Any]]]) -> None:
        self.load_fn = load_fn
        self.found: dict[Any, Any] = {}


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

    return DataLoader(load)


def counts(load_counts: Callable[[list[ObjectId]], Awaitable[list[int]]]) -> DataLoader:
    return DataLoader(load_counts)


#: The loaders by key: name -> (model, key field, projection). A user's password
#: hash never leaves the database through a loader.
KEYED: dict[str, tuple[Any, str, dict[str, Any] | None]] = {
    "user_by_id": (User, "_id", {"password_hash": 0}),
    "post_by_id": (Post, "_id", None),
    "product_by_id": (Product, "_id", None),
    "order_by_id": (Order, "_id", None),
    "product_by_sku": (Product, "sku", None),
}


class Loaders:
    """The loaders of one operation. Relation loaders are added by the schema modules."""

    def __init__(self) -> None:
        self._relations: dict[str, DataLoader] = {}
        self._narrowed: dict[tuple[str, tuple[str, ...]], Documents] = {}
        #: Pages fetched ahead of their asking, by (relation name, shape), then by
        #: parent: a parents' page brings its nested pages in the same round trip
        #: (graphql_api.services.lists.Nested.prime).
        self.primed: dict[tuple[str, Hashable], dict[Any, Any]] = {}

    # Made on first use: most requests need one or two of them.
    @cached_property
    def user_by_id(self) -> DataLoader:
        return self._keyed("user_by_id")

    @cached_property
    def post_by_id(self) -> DataLoader:
        return self._keyed("post_by_id")

    @cached_property
    def product_by_id(self) -> DataLoader:
        return self._keyed("product_by_id")

    @cached_property
    def order_by_id(self) -> DataLoader:
        return self._keyed("order_by_id")

    @cached_property
    def product_by_sku(self) -> DataLoader:
        return self._keyed("product_by_sku")

    def narrowed(self, name: str, keys: tuple[str, ...]) -> Documents:
        """The documents of loader `name` with only the stored `keys` (what a planned
        selection reads, `_id` and the key field among them): 50 posts' authors as
        `{username}` decode a fraction of whole user documents. For plans only."""
        documents = self._narrowed.get((name, keys))
        if documents is None:
            model, field, _ = KEYED[name]
            documents = self._narrowed[name, keys] = Documents(
                _finder(model.get_pymongo_collection, field, dict.fromkeys(keys, 1))
            )
        return documents

    def _keyed(self, name: str) -> DataLoader:
        model, field, projection = KEYED[name]
        return by_key(model.get_pymongo_collection, field, projection)

    def made(self, name: str) -> DataLoader | None:
        """The request's loader called `name`, if it was made already."""
        return self._relations.get(name)

    def relation(self, name: str, factory: Callable[[], DataLoader]) -> DataLoader:
        """The request's loader called `name`, made by `factory` on first use."""
        loader = self._relations.get(name)
        if loader is None:
            loader = self._relations[name] = factory()
        return loader


__all__ = ["KEYED", "Documents", "Loaders", "by_key", "counts", "grouped"]
