"""Lists the schema pages through: a whole collection's, or each parent's (batched).

A service builds the list (which documents, in which order, served by which
index); the schema asks it for one page of it with the fields it selected.
Nested lists (`users { posts(first: 5) }`) are loaded for every parent of the
operation at once, through the operation's loaders: one query however many
parents, one more for their counts if asked; none when the parents' page was
fetched with them (`RootList.page(nested=...)` leaves them in `Loaders.primed`).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from beanie import Document
from bson import ObjectId

from graphql_api.dataloaders import Loaders, counts, grouped
from graphql_api.errors import BadUserInput
from graphql_api.pagination import (
    ListQuery,
    Lookup,
    Page,
    PageRequest,
    count_related,
    paginate,
    paginate_related,
    paginate_with,
)

Projection = Mapping[str, int] | None


def by_creation(name: str) -> type[Enum]:
    """The orders of a list by creation time, `_id` breaking ties (a total order)."""
    return Enum(
        name,
        {
            "NEWEST_FIRST": (("created_at", -1), ("_id", -1)),
            "OLDEST_FIRST": (("created_at", 1), ("_id", 1)),
        },
    )


@dataclass(frozen=True)
class PageLimits:
    default_size: int
    max_size: int


@dataclass(frozen=True)
class RootList:
    """A list over a whole collection (`users`, `posts(filter)`)."""

    model: type[Document]
    query: ListQuery
    #: The query examines documents one by one (a search without a text index):
    #: the schema bounds how many such lists run at once.
    scans: bool = False

    async def page(
        self,
        request: PageRequest,
        projection: Projection,
        loaders: Loaders,
        limits: PageLimits,
        nested: Sequence[Nested] = (),
    ) -> Page:
        """`nested`: pages each document will be asked for, fetched with the page (one
        round trip, not two) and left in the operation's loaders for the asking."""
        collection = self.model.get_pymongo_collection()
        nested = [
            item for item in nested if item.relation.parent is self.model and item.fits(limits)
        ]
        if not nested:
            return await paginate(
                collection,
                self.query,
                request,
                projection=projection,
                default_size=limits.default_size,
                max_size=limits.max_size,
            )
        page, found = await paginate_with(
            collection,
            self.query,
            request,
            [item.lookup(loaders, limits) for item in nested],
            projection=projection,
            default_size=limits.default_size,
            max_size=limits.max_size,
        )
        for item, pages in zip(nested, found, strict=True):
            item.prime(loaders, pages)
        return page


@dataclass(frozen=True)
class Relation:
    """A list field on a parent type (`User.posts`): children whose `foreign_field`
    is the parent's id, in one of the orders `query(sort)` gives."""

    name: str
    parent: type[Document]
    child: type[Document]
    foreign_field: str
    query: Callable[[Any], ListQuery]  # sort -> the list, without the parent condition
    default_sort: Any

    def of(self, parent: ObjectId, sort: Any = None) -> RelatedList:
        return RelatedList(self, parent, sort or self.default_sort)


@dataclass(frozen=True)
class RelatedList:
    """One parent's list; its page comes from one query for all the parents asking."""

    relation: Relation
    parent: ObjectId
    sort: Any
    scans = False

    def page(
        self, request: PageRequest, projection: Projection, loaders: Loaders, limits: PageLimits
    ) -> Awaitable[Page]:
        """The page's future, from the batch or fetched already (not a coroutine: a
        plan gathers many of them without a task each)."""
        nested = Nested(self.relation, self.sort, request, projection)
        shape = nested.shape
        primed = loaders.primed.get((self.relation.name, shape))
        if primed is not None and self.parent in primed:
            done = asyncio.get_running_loop().create_future()
            done.set_result(primed[self.parent])
            return done
        return nested.loader(loaders, limits).load((self.parent, shape))


@dataclass(frozen=True)
class Nested:
    """A relation's page for each parent of a page, with the same arguments for all:
    what a `RelatedList` of each of them will ask for."""

    relation: Relation
    sort: Any
    request: PageRequest
    projection: Projection

    @property
    def shape(self) -> tuple:
        """Everything that shapes a parent's page: parents are grouped by it, one query each."""
        fields = tuple(sorted(self.projection.items())) if self.projection is not None else None
        return (self.request, self.sort, fields)

    def lookup(self, loaders: Loaders, limits: PageLimits) -> Lookup:
        relation = self.relation
        count = loaders.relation(
            f"{relation.name}:count",
            lambda: counts(
                lambda ids: count_related(
                    relation.child.get_pymongo_collection(),
                    relation.foreign_field,
                    relation.query(relation.default_sort).filter,
                    ids,
                )
            ),
        )
        return Lookup(
            relation.child.get_pymongo_collection(),
            relation.foreign_field,
            relation.query(self.sort),
            self.request,
            limits.default_size,
            limits.max_size,
            count=lambda parent: lambda: count.load(parent),
            projection=dict(self.projection) if self.projection is not None else None,
        )

    def loader(self, loaders: Loaders, limits: PageLimits) -> Any:
        relation = self.relation
        made = loaders.made(relation.name)
        if made is not None:  # each parent's list asks: the closure below is made once
            return made
        # The loader lives in `loaders`: a strong reference back would make a cycle,
        # and every request's documents garbage for the cyclic collector to find.
        operation = weakref.ref(loaders)

        async def load(ids: list[ObjectId], shape: tuple) -> dict[ObjectId, Page]:
            request, sort, fields = shape
            nested = Nested(relation, sort, request, dict(fields) if fields is not None else None)
            current = operation()
            assert current is not None  # a loader only runs while its operation does
            lookup = nested.lookup(current, limits)
            return await paginate_related(
                relation.parent.get_pymongo_collection(),
                ids,
                lookup.children,
                lookup.foreign_field,
                lookup.query,
                request,
                count=lookup.count,
                projection=lookup.projection,
                default_size=limits.default_size,
                max_size=limits.max_size,
            )

        return loaders.relation(relation.name, lambda: grouped(load))

    def prime(self, loaders: Loaders, pages: Mapping[Any, Page]) -> None:
        """The pages, fetched with their parents, for each parent's asking (the first
        page found for a parent is the one it shows, as a DataLoader's cache would)."""
        key = (self.relation.name, self.shape)
        primed = loaders.primed.get(key)
        if primed is None:
            loaders.primed[key] = dict(pages)
            return
        for parent, page in pages.items():
            primed.setdefault(parent, page)

    async def pages(self, loaders: Loaders, limits: PageLimits, parents: list[Any]) -> list[Page]:
        """The page of each of `parents`: those fetched with their parents as they
        are (no loader, future or list object per parent), the others in one batch."""
        shape = self.shape
        found = loaders.primed.get((self.relation.name, shape)) or {}
        missing = [parent for parent in dict.fromkeys(parents) if parent not in found]
        if missing:
            loader = self.loader(loaders, limits)
            loaded = await asyncio.gather(*(loader.load((parent, shape)) for parent in missing))
            found = {**found, **dict(zip(missing, loaded, strict=True))}
        return [found[parent] for parent in parents]

    def fits(self, limits: PageLimits) -> bool:
        """Bad paging arguments are reported by each parent's list, as without a plan."""
        try:
            self.request.validate(limits.max_size)
        except BadUserInput:
            return False
        return True


PageSource = RootList | RelatedList
