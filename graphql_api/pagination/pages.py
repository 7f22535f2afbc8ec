"""Pages: `first/after/last/before` checked, the window fetched, the page assembled.

Every list pages the same way, a whole collection's (`paginate`) or each of
many parents' at once (`paginate_related`, one round trip however many
parents), or both in one (`paginate_with`: each document's children are
`$lookup`ed in the page's own round trip), so `hasNextPage`, the over-fetch
that answers it and the limits on page sizes are decided here once. The
schema turns a `Page` into a connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from graphql_api.errors import BadUserInput
from graphql_api.pagination.cursors import Sort, encode_cursor
from graphql_api.pagination.keyset import ListQuery, fetch_sort, inside, window

Count = Callable[[], Awaitable[int]]


@dataclass(frozen=True)
class PageRequest:
    """The Relay paging arguments, as the client gave them; `cursors`: whether the
    page's cursors are read (its documents then carry their sort keys); `more`:
    whether `hasNextPage`/`hasPreviousPage` are (the window then takes one item
    past the page, which says whether there are more)."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    cursors: bool = True
    more: bool = True

    @property
    def sort_keys(self) -> bool:
        """Whether the documents are fetched with their sort keys: for cursors, and
        to check a window's bounds (`after`/`before`)."""
        return self.cursors or self.after is not None or self.before is not None

    def validate(self, max_size: int) -> None:
        if self.first is not None and self.last is not None:
            raise BadUserInput("Pass either `first` or `last`, not both.")
        for name in ("first", "last"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= max_size:
                raise BadUserInput(
                    f"`{name}` must be between 0 and {max_size}, got {value}.",
                    argument=name,
                    maximum=max_size,
                )

    @property
    def backward(self) -> bool:
        return self.last is not None or (self.before is not None and self.first is None)

    def size(self, default: int) -> int:
        size = self.last if self.backward else self.first
        return default if size is None else size

    def needed(self, size: int) -> int:
        """The documents a window must hold: the page, and one past it when whether
        there are more is read (and for an empty page: a limit of 0 is no limit)."""
        return size + 1 if self.more or size == 0 else size


@dataclass
class Page:
    """One page of documents, in the list's order; the total is counted only if asked.
    `has_next_page`/`has_previous_page` are known only if the request's `more` is."""

    documents: list[dict[str, Any]]
    sort: Sort
    has_next_page: bool
    has_previous_page: bool
    count: Count = field(repr=False)

    def cursor(self, document: Mapping[str, Any]) -> str:
        """Computed on demand: most clients ask only for pageInfo.endCursor."""
        return encode_cursor(document, self.sort)


def _assemble(
    documents: list[dict[str, Any]], size: int, request: PageRequest, sort: Sort, count: Count
) -> Page:
    """The page from the window's documents in fetch order (one more than `size`
    if there is more in the direction of paging)."""
    has_more = len(documents) > size
    documents = documents[:size]
    backward = request.backward
    if backward:
        documents.reverse()
    return Page(
        documents=documents,
        sort=sort,
        has_next_page=has_more if not backward else request.before is not None,
        has_previous_page=has_more if backward else request.after is not None,
        count=count,
    )


async def paginate(
    collection: AsyncCollection,
    query: ListQuery,
    request: PageRequest,
    *,
    default_size: int,
    max_size: int,
    projection: Mapping[str, Any] | None = None,
) -> Page:
    page, _ = await paginate_with(
        collection,
        query,
        request,
        (),
        default_size=default_size,
        max_size=max_size,
        projection=projection,
    )
    return page


async def paginate_with(
    collection: AsyncCollection,
    query: ListQuery,
    request: PageRequest,
    lookups: Sequence[Lookup],
    *,
    default_size: int,
    max_size: int,
    projection: Mapping[str, Any] | None = None,
) -> tuple[Page, list[dict[Any, Page]]]:
    """The page, and each `lookups`' page of children for each of its documents,
    in the same round trip (one aggregation); parents missing from a lookup's
    pages need their own query (`Lookup.pages`)."""
    request.validate(max_size)
    size = request.size(default_size)
    filter, bounds = window(query, request.after, request.before)
    sort = fetch_sort(query.sort, request.backward)
    if projection is not None and request.sort_keys:
        projection = {**projection, **{name: 1 for name, _ in query.sort}}

    async def fetch(limit: int) -> list[dict[str, Any]]:
        if not lookups:
            return await collection.find(
                filter,
                projection,
                sort=sort,
                limit=limit,
                batch_size=limit,
                **query.find_options(filter),
            ).to_list()
        stages: list[dict[str, Any]] = [
            {"$match": filter},
            {"$sort": dict(sort)},
            {"$limit": limit},
        ]
        if projection is not None:
            stages.append({"$project": projection})
        stages.extend(lookup.stage(f"{_EMBEDDED}{i}") for i, lookup in enumerate(lookups))
        # One more than can come: a full first batch would leave the cursor open.
        cursor = await collection.aggregate(
            stages, batchSize=limit + 1, **query.find_options(filter)
        )
        return await cursor.to_list()

    # Over-fetch by one (is there a next page? even with `first: 0`) and by the
    # items that may tie with the cursor; grow if there were more.
    needed = request.needed(size)
    extra = 1 if bounds else 0
    while True:
        limit = needed + extra
        batch = await fetch(limit)
        documents = [d for d in batch if inside(d, query.sort, bounds)] if bounds else batch
        if len(documents) >= needed or len(batch) < limit:
            break
        extra = 2 * (limit - len(documents))

    async def count() -> int:
        return await collection.count_documents(query.filter, **query.find_options())

    page = _assemble(documents, size, request, query.sort, count)
    nested = []
    for i, lookup in enumerate(lookups):
        embedded = {document["_id"]: document.pop(f"{_EMBEDDED}{i}") for document in documents}
        nested.append(lookup.pages(embedded))
    return page, nested


#: Where a parent's children are embedded while its page is fetched (removed after).
_EMBEDDED = "__graphql_api_lookup_"


@dataclass(frozen=True)
class Lookup:
    """A page of children for each parent, as a `$lookup` stage from the parents:
    the one description of a nested page's query, however its parents are fetched."""

    children: AsyncCollection
    foreign_field: str
    query: ListQuery
    request: PageRequest
    default_size: int
    max_size: int
    count: Callable[[Any], Count]
    projection: Mapping[str, Any] | None = None

    def stage(self, name: str) -> dict[str, Any]:
        """Each parent's window (raises `BadUserInput` for bad paging arguments)."""
        self.request.validate(self.max_size)
        filter, bounds = window(self.query, self.request.after, self.request.before)
        sort = dict(fetch_sort(self.query.sort, self.request.backward))
        stages: list[dict[str, Any]] = [
            {"$match": filter},
            {"$sort": sort},
            {"$limit": self._limit(bounds)},
        ]
        if self.projection is not None:
            keys = dict.fromkeys(sort, 1) if self.request.sort_keys else {}
            stages.append({"$project": {**self.projection, **keys, self.foreign_field: 1}})
        return {
            "$lookup": {
                "from": self.children.name,
                "localField": "_id",
                "foreignField": self.foreign_field,
                "pipeline": stages,
                "as": name,
            }
        }

    def _limit(self, bounds: Any) -> int:
        request = self.request
        return request.needed(request.size(self.default_size)) + (1 if bounds else 0)

    def pages(self, batches: Mapping[Any, list[dict[str, Any]]]) -> dict[Any, Page]:
        """The pages of the parents whose window held the page; not those whose
        window was filled with items tying with the cursor (rare): they are
        paged on their own (`alone`)."""
        query, request = self.query, self.request
        size = request.size(self.default_size)
        needed = request.needed(size)
        _, bounds = window(query, request.after, request.before)
        limit = self._limit(bounds)
        pages: dict[Any, Page] = {}
        for parent, batch in batches.items():
            documents = [d for d in batch if inside(d, query.sort, bounds)] if bounds else batch
            if len(documents) >= needed or len(batch) < limit:
                pages[parent] = _assemble(documents, size, request, query.sort, self.count(parent))
        return pages

    async def alone(self, parent: Any) -> Page:
        query = self.query
        page = await paginate(
            self.children,
            ListQuery({**query.filter, self.foreign_field: parent}, query.sort, query.index),
            self.request,
            default_size=self.default_size,
            max_size=self.max_size,
            projection=self.projection,
        )
        page.count = self.count(parent)
        return page


async def paginate_related(
    parents: AsyncCollection,
    parent_ids: Sequence[Any],
    children: AsyncCollection,
    foreign_field: str,
    query: ListQuery,
    request: PageRequest,
    *,
    default_size: int,
    max_size: int,
    count: Callable[[Any], Count],
    projection: Mapping[str, Any] | None = None,
) -> dict[Any, Page]:
    """One page of children for each of many parents, in one round trip.

    A `$lookup` from the parents runs the page query once per parent inside
    the server (each served by the index on (foreign_field, ..., sort key)),
    so `users { posts(first: 5) }` costs one query however many users.
    """
    lookup = Lookup(
        children, foreign_field, query, request, default_size, max_size, count, projection
    )
    cursor = await parents.aggregate(
        [
            {"$match": {"_id": {"$in": list(parent_ids)}}},
            {"$project": {"_id": 1}},
            lookup.stage("page"),
        ]
    )
    batches = {row["_id"]: row["page"] for row in await cursor.to_list()}
    found = lookup.pages({parent: batches.get(parent, []) for parent in parent_ids})
    pages: dict[Any, Page] = {}
    for parent in parent_ids:
        pages[parent] = found[parent] if parent in found else await lookup.alone(parent)
    return pages


async def count_related(
    children: AsyncCollection,
    foreign_field: str,
    filter: Mapping[str, Any],
    parent_ids: Sequence[Any],
) -> list[int]:
    """How many children each parent has, in one round trip."""
    cursor = await children.aggregate(
        [
            {"$match": {**filter, foreign_field: {"$in": list(parent_ids)}}},
            {"$group": {"_id": f"${foreign_field}", "count": {"$sum": 1}}},
        ]
    )
    counts = {row["_id"]: row["count"] async for row in cursor}
    return [counts.get(parent, 0) for parent in parent_ids]


__all__ = [
    "Lookup",
    "Page",
    "PageRequest",
    "count_related",
    "paginate",
    "paginate_related",
    "paginate_with",
]
