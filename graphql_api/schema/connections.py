"""Relay-style cursor connections (`edges { cursor node }`, `pageInfo`, `totalCount`).

Every list field is declared with `@connection_field`: its resolver takes the
field's own arguments (filter, sort) and returns the list to page through (see
`graphql_api.services.lists`); the paging arguments, their descriptions, the
projection of the selected fields and the assembly of the page are added here,
once for all lists.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import typing
from collections.abc import Awaitable, Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from strawberry.types.lazy_type import StrawberryLazyReference

from graphql_api.limits import scan_slot
from graphql_api.pagination import Page, PageRequest
from graphql_api.schema.context import Info
from graphql_api.schema.selection import requested
from graphql_api.schema.stored import reads
from graphql_api.services.lists import Nested, PageLimits, PageSource, Relation, RootList

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


# --- the paging arguments, declared once -------------------------------------------------

First = Annotated[
    int | None,
    strawberry.argument(
        description="At most this many items from the start of the list (after `after`)."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Continue after this item's `cursor` (or `endCursor`)."),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="At most this many items from the end of the list (before `before`)."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="Continue before this item's `cursor` (or `startCursor`)."),
]
_PAGING = tuple(
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=None)
    for name, annotation in (("first", First), ("after", After), ("last", Last), ("before", Before))
)

ListResolver = Callable[..., Awaitable[PageSource | None]]

#: Metadata key of a `connection_field`: its `ConnectionSpec` (for the planned execution).
CONNECTION = "graphql_api.connection"


@dataclass(frozen=True)
class ConnectionSpec:
    """What a list field is made of: which list (`resolver`) of which `node` type.

    `relation`: the resolver's list is this relation of its parent, in the order of
    its `sort` argument (when it shows the list at all): a plan may fetch it with
    the parents' page (`start_page(nested=...)`); the resolver still decides.
    `derived`: the resolver is nothing but that relation (`relation_field` made
    it), so a plan may serve each parent's page without asking it (`related_pages`)."""

    node: Any
    resolver: ListResolver
    nullable: bool
    relation: Relation | None = None
    derived: bool = False

    @functools.cached_property
    def node_type(self) -> Any:
        """The node class (a lazy reference resolved on first use, then kept)."""
        return _resolve(self.node)


async def fetch_page(
    info: Any, node_type: Any, source: PageSource, request: PageRequest, names: set[str]
) -> Page:
    """One page of `source`, reading only what the selected field `names` need."""
    async with scan_slot(info) if source.scans else nullcontext():
        return await start_page(info.context, node_type, source, request, names)


@functools.lru_cache(maxsize=8)
def _limits(default_size: int, max_size: int) -> PageLimits:
    return PageLimits(default_size, max_size)  # immutable: one per pair of settings


def _limits_of(context: Any) -> PageLimits:
    settings = context.settings
    return _limits(settings.default_page_size, settings.max_page_size)


def start_page(
    context: Any,
    node_type: Any,
    source: PageSource,
    request: PageRequest,
    names: set[str],
    nested: Sequence[tuple[ConnectionSpec, PageRequest, Any, set[str]]] = (),
) -> Awaitable[Page]:
    """The page, started: a nested list's is a future of its parents' batch.

    `nested`: (spec, paging, sort, selected names) of lists each node will be
    asked for, fetched with a whole collection's page in the same round trip."""
    limits = _limits_of(context)
    projection = node_type.stored.projection(names)
    if nested and isinstance(source, RootList):
        lookups = [
            _nested(spec, paging, sort, selected)
            for spec, paging, sort, selected in nested
            if spec.relation is not None
        ]
        return source.page(request, projection, context.loaders, limits, lookups)
    return source.page(request, projection, context.loaders, limits)


def related_pages(
    context: Any,
    spec: ConnectionSpec,
    request: PageRequest,
    sort: Any,
    names: set[str],
    parents: list[Any],
) -> Awaitable[list[Page]]:
    """The page of a derived relation (`relation_field`) for each of `parents` (their
    ids), with the same arguments for all: what each parent's resolver would list,
    worked out once for all of them."""
    assert spec.derived
    return _nested(spec, request, sort, names).pages(context.loaders, _limits_of(context), parents)


def _nested(spec: ConnectionSpec, request: PageRequest, sort: Any, names: set[str]) -> Nested:
    """`spec`'s relation's page for each parent, as its resolver would ask for it."""
    relation = spec.relation
    assert relation is not None
    projection = spec.node_type.stored.projection(names)
    return Nested(relation, sort or relation.default_sort, request, projection)


def relation_field(node: Any, relation: Relation, *, sort: Any, description: str) -> Any:
    """A list field that is always its parent's `relation`, in the order of its
    `sort` argument (of type `sort`, by default the relation's): no rule of its
    own, so a plan serves it straight from the pages fetched with its parents."""

    async def resolver(self: Any, info: Info, sort: Any = relation.default_sort) -> PageSource:
        return relation.of(self._document["_id"], sort)

    signature = inspect.signature(resolver)
    resolver.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            *list(signature.parameters.values())[:2],
            signature.parameters["sort"].replace(annotation=sort),
        ]
    )
    resolver.__name__ = resolver.__qualname__ = relation.name
    return _connection(node, resolver, description, False, (), relation, derived=True)


def connection_field(
    node: Any,
    *,
    description: str,
    nullable: bool = False,
    permission_classes: Sequence[type] = (),
    relation: Relation | None = None,
) -> Callable[[ListResolver], Any]:
    """A list field of `node`s: `resolver(self, info, **arguments)` says which list
    (None: hidden from this viewer, the field is null, with `nullable=True`);
    `relation`: which one it is, if always the parent's `relation` (`ConnectionSpec`)."""

    def decorate(resolver: ListResolver) -> Any:
        return _connection(node, resolver, description, nullable, permission_classes, relation)

    return decorate


def _connection(
    node: Any,
    resolver: ListResolver,
    description: str,
    nullable: bool,
    permission_classes: Sequence[type],
    relation: Relation | None,
    derived: bool = False,
) -> Any:
    """The field: the resolver's list paged, its `ConnectionSpec` for plans."""

    async def resolve(
        self: Any,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        **arguments: Any,
    ) -> Any:
        source = await resolver(self, info, **arguments)
        if source is None:
            return None
        node_type = _resolve(node)
        request = PageRequest(first, after, last, before)
        page = await fetch_page(info, node_type, source, request, requested(info))
        return from_page(page, node_type.from_document)

    signature = inspect.signature(resolver)
    connection = Connection[node]  # type: ignore[valid-type]
    resolve.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), *_PAGING],
        return_annotation=connection | None if nullable else connection,
    )
    resolve.__name__ = resolver.__name__
    resolve.__qualname__ = resolver.__qualname__
    resolve.__module__ = resolver.__module__
    spec = ConnectionSpec(node, resolver, nullable, relation, derived)
    return strawberry.field(
        resolver=resolve,
        description=description,
        permission_classes=list(permission_classes),
        metadata={**reads(), CONNECTION: spec},
    )


def _resolve(node: Any) -> Any:
    """The node class, also when given as `Annotated["Post", strawberry.lazy(module)]`."""
    if typing.get_origin(node) is Annotated:
        name, *extras = typing.get_args(node)
        reference = next(item for item in extras if isinstance(item, StrawberryLazyReference))
        module = importlib.import_module(reference.module, reference.package)
        return getattr(module, name.__forward_arg__ if hasattr(name, "__forward_arg__") else name)
    return node
