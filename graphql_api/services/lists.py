"""Lists the schema pages through: a whole collection's, or each parent's (batched).

A service builds the list (which documents, in which order, served by which
index); the schema asks it for one page of it with the fields it selected.
Nested lists (`users { posts(first: 5) }`) are loaded for every parent of the
operation at once, through the operation's loaders: one query however many
parents, one more for their counts if asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from beanie import Document
from bson import ObjectId

from graphql_api.dataloaders import Loaders, counts, grouped
from graphql_api.pagination import (
    ListQuery,
    Page,
    PageRequest,
    count_related,
    paginate,
    paginate_related,
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
        self, request: PageRequest, projection: Projection, loaders: Loaders, limits: PageLimits
    ) -> Page:
        return await paginate(
            self.model.get_pymongo_collection(),
            self.query,
            request,
            projection=projection,
            default_size=limits.default_size,
            max_size=limits.max_size,
        )


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
        """The page's future, from the batch (not a coroutine: a plan gathers many
        of them without a task each)."""
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

        async def load(ids: list[ObjectId], shape: tuple) -> dict[ObjectId, Page]:
            request, sort, fields = shape
            return await paginate_related(
                relation.parent.get_pymongo_collection(),
                ids,
                relation.child.get_pymongo_collection(),
                relation.foreign_field,
                relation.query(sort),
                request,
                count=lambda parent: lambda: count.load(parent),
                projection=dict(fields) if fields is not None else None,
                default_size=limits.default_size,
                max_size=limits.max_size,
            )

        pages = loaders.relation(relation.name, lambda: grouped(load))
        # Parents are grouped by everything that shapes their page: one query per shape.
        fields = tuple(sorted(projection.items())) if projection is not None else None
        return pages.load((self.parent, (request, self.sort, fields)))


PageSource = RootList | RelatedList
