"""Relay-style cursor connections (`edges { cursor node }`, `pageInfo`, `totalCount`)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from graphql_api.dataloaders import counts, grouped
from graphql_api.pagination import (
    ListQuery,
    Page,
    PageRequest,
    count_related,
    paginate,
    paginate_related,
)
from graphql_api.schema.context import Info
from graphql_api.schema.selection import FieldMap, projection

NodeT = TypeVar("NodeT")


@strawberry.type(description="Where a page sits in its list; cursors are opaque.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    _page: strawberry.Private[Page]
    _document: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="Pass as `after` or `before` to continue from this item.")
    def cursor(self) -> str:
        return self._page.cursor(self._document)


@strawberry.type(description="A page of a list, in a stable order, resumable from any cursor.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    _page: strawberry.Private[Page]

    @strawberry.field(
        description="How many items the whole list holds. Costs a count query: ask only if shown."
    )
    async def total_count(self) -> int:
        return await self._page.count()


def from_page(page: Page, convert: Callable[[dict[str, Any]], NodeT]) -> Connection[NodeT]:
    documents = page.documents
    return Connection(
        edges=[Edge(node=convert(doc), _page=page, _document=doc) for doc in documents],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursor(documents[0]) if documents else None,
            end_cursor=page.cursor(documents[-1]) if documents else None,
        ),
        _page=page,
    )


async def connection(
    info: Info,
    collection: AsyncCollection,
    query: ListQuery,
    request: PageRequest,
    convert: Callable[[dict[str, Any]], NodeT],
    projection: Mapping[str, Any] | None = None,
) -> Connection[NodeT]:
    page = await paginate(
        collection, query, request, projection=projection, **info.context.page_limits()
    )
    return from_page(page, convert)


@dataclass(frozen=True)
class Relation(Generic[NodeT]):
    """A list field on a parent type (`User.posts`), loaded for all parents at once."""

    name: str
    parents: Callable[[], AsyncCollection]
    children: Callable[[], AsyncCollection]
    foreign_field: str
    query: Callable[[Any], ListQuery]  # sort -> the list, without the parent condition
    default_sort: Any
    fields: FieldMap
    convert: Callable[[dict[str, Any]], NodeT]


async def related_connection(
    info: Info,
    relation: Relation[NodeT],
    parent: ObjectId,
    sort: Any,
    request: PageRequest,
) -> Connection[NodeT]:
    """One parent's page; the request's loader fetches every parent's in one query."""
    loaders = info.context.loaders
    limits = info.context.page_limits()
    count = loaders.relation(
        f"{relation.name}:count",
        lambda: counts(
            lambda ids: count_related(
                relation.children(),
                relation.foreign_field,
                relation.query(relation.default_sort).filter,
                ids,
            )
        ),
    )

    async def load(ids: list[ObjectId], shape: tuple) -> dict:
        request, sort, fields = shape
        return await paginate_related(
            relation.parents(),
            ids,
            relation.children(),
            relation.foreign_field,
            relation.query(sort),
            request,
            count=lambda parent: lambda: count.load(parent),
            projection=dict(fields) if fields is not None else None,
            **limits,
        )

    pages = loaders.relation(relation.name, lambda: grouped(load))
    # Parents are grouped by everything that shapes their page: one query per shape.
    fields = projection(info, relation.fields)
    shape = (
        request,
        sort or relation.default_sort,
        tuple(sorted(fields.items())) if fields else None,
    )
    return from_page(await pages.load((parent, shape)), relation.convert)
