"""List fields (`connection_field`) under a plan: the page, then its documents.

The field's own resolver still says which list it is (and runs its rules), and
the page is fetched as `fetch_page` fetches it (`start_page`); only the
`Connection`/`Edge`/node objects that `from_page` would make are skipped: the
response is written from the page and its documents, with the same cursors
and page info. A whole collection's page also fetches the related lists its
nodes select (`users { posts }`) in its own round trip; each node's resolver
still says which list it shows, and finds that list's page already loaded. A
list that is its parent's relation and nothing else (`relation_field`) asks no
resolver: each parent's page is found by its id (`related_pages`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from graphql_api.execution.calls import Call
from graphql_api.execution.collect import CantPlan
from graphql_api.execution.fields import Parent
from graphql_api.execution.values import Completer, Later, NonNull, put
from graphql_api.pagination import Page, PageRequest
from graphql_api.schema.connections import ConnectionSpec, related_pages, start_page

_PAGING = ("first", "after", "last", "before")


class ConnectionCall(Call):
    """`completer` is a `PageOf`; `names` the node fields selected (the projection's).

    The parents of one wave are served together: one coroutine asks the resolver
    for each one's list, then starts every page, and their pages (futures of the
    same batch, for nested lists) are awaited at once: no task per parent."""

    __slots__ = ("cursors", "derived", "more", "names", "spec")

    def setup(self, spec: ConnectionSpec, names: set[str]) -> ConnectionCall:
        self.spec = spec
        self.names = names
        # A relation and nothing else: each parent's page needs only its id.
        self.derived = spec.derived and not self.permissions and self.stored is not None
        # Without a cursor selected, the documents need not carry their sort keys.
        completer = self.completer
        page_of = completer.inner if isinstance(completer, NonNull) else completer
        self.cursors = page_of.reads_cursors()
        # Without hasNextPage/hasPreviousPage, no item past the page is fetched.
        self.more = page_of.reads_more()
        return self

    def request(self, kwargs: dict[str, Any]) -> PageRequest:
        """The paging arguments, taken out of `kwargs`: the same request wherever
        this field's pages are asked for (a nested page is found by it)."""
        return PageRequest(
            *(kwargs.pop(name) for name in _PAGING), cursors=self.cursors, more=self.more
        )

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        out[self.key] = None  # keeps the key's place in the response's order
        batch = job.batches.get(self)
        if batch is None:
            batch = job.batches[self] = []
            pages = self._related(batch, job) if self.derived else self._pages(batch, job)
            job.pending.append(Later(pages, out, self.key, Scatter(self, batch)))
        if self.derived:
            batch.append((document["_id"], None, out))
            return
        source = obj if obj is not None or self.stored is None else Parent(document, self.stored)
        batch.append((source, self.arguments(job), out))

    async def _related(self, batch: list[Any], job: Any) -> list[Page]:
        """A derived relation's pages (`relation_field`): its arguments are the same
        for every parent, its list is the relation of each parent's id."""
        kwargs = self.arguments(job)
        request = self.request(kwargs)
        parents = [parent for parent, _, _ in batch]
        return await related_pages(
            job.info.context, self.spec, request, kwargs.get("sort"), self.names, parents
        )

    async def _pages(self, batch: list[Any], job: Any) -> list[Page | None]:
        lists = []
        for parent, kwargs, _ in batch:
            if self.permissions:
                await self.allowed(parent, kwargs, job)
            request = self.request(kwargs)
            source = await self.spec.resolver(parent, job.info, **kwargs)
            if source is not None and source.scans:  # it must run once: graphql-core runs it
                raise CantPlan("scan-shaped list")
            lists.append((source, request))
        context, node_type = job.info.context, self.spec.node_type
        nested = self._nested(job) if len(lists) == 1 else ()
        pages = [
            None
            if source is None
            else start_page(context, node_type, source, request, self.names, nested)
            for source, request in lists
        ]
        started = [page for page in pages if page is not None]
        if len(started) == 1:
            found = [await started[0]]
        else:
            found = await asyncio.gather(*started)
        done = iter(found)
        return [None if page is None else next(done) for page in pages]

    def _nested(self, job: Any) -> list[tuple[ConnectionSpec, PageRequest, Any, set[str]]]:
        """The relations each node's plan lists (`users { posts }`), with their
        arguments: the same for every node, so fetched with this page."""
        completer = self.completer
        page_of = completer.inner if isinstance(completer, NonNull) else completer
        nested = []
        for _, what, edge in page_of.fields:
            if what != "edges":
                continue
            for _, part, plan in edge:
                if part != "node":
                    continue
                for field in plan.fields:
                    if isinstance(field, ConnectionCall) and field.spec.relation is not None:
                        kwargs = field.arguments(job)
                        request = field.request(kwargs)
                        nested.append((field.spec, request, kwargs.get("sort"), field.names))
        return nested


class Scatter(Completer):
    """The pages of a batch, each completed into its parent's object; the first
    parent's is the value (the batch's `Later` goes there)."""

    __slots__ = ("batch", "call")

    def __init__(self, call: ConnectionCall, batch: list[Any]) -> None:
        self.call = call
        self.batch = batch

    def complete(self, pages: Any, job: Any) -> Any:
        key, completer = self.call.key, self.call.completer
        values = [completer.complete(page, job) for page in pages]
        for (_, _, out), value in zip(self.batch[1:], values[1:], strict=True):
            out[key] = value
        return values[0]


class PageOf(Completer):
    """A page as its `Connection`. `fields`: (key, what, below) with what one of
    "edges" (below: the edge's (key, "cursor" | "node" | a typename, node plan)),
    "pageInfo" (below: (key, field name or a typename)), "totalCount", or a typename."""

    __slots__ = ("count", "fields")

    def __init__(self, fields: list[tuple[str, str, Any]], count: Completer) -> None:
        self.fields = fields
        self.count = count

    def reads_cursors(self) -> bool:
        """Whether an edge's `cursor` or `pageInfo`'s start or end cursor is selected."""
        for _, what, below in self.fields:
            if what == "edges" and any(part == "cursor" for _, part, _ in below):
                return True
            if what == "pageInfo" and any(
                name in ("startCursor", "endCursor") for _, name in below
            ):
                return True
        return False

    def reads_more(self) -> bool:
        """Whether `pageInfo`'s hasNextPage or hasPreviousPage is selected."""
        return any(
            what == "pageInfo"
            and any(name in ("hasNextPage", "hasPreviousPage") for _, name in below)
            for _, what, below in self.fields
        )

    def complete(self, page: Any, job: Any) -> Any:
        if page is None:
            return None
        out: dict[str, Any] = {}
        for key, what, below in self.fields:
            if what == "edges":
                out[key] = [self._edge(page, document, below, job) for document in page.documents]
            elif what == "pageInfo":
                out[key] = _page_info(page, below)
            elif what == "totalCount":
                put(page.count(), out, key, self.count, job)
            else:
                out[key] = what
        return out

    @staticmethod
    def _edge(
        page: Page, document: dict[str, Any], edge: list[tuple[str, str, Any]], job: Any
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, what, node in edge:
            if what == "cursor":
                out[key] = page.cursor(document)
            elif what == "node":
                out[key] = node.run(document, None, job)
            else:
                out[key] = what
        return out


def _page_info(page: Page, selected: list[tuple[str, str]]) -> dict[str, Any]:
    """Only what is selected: a cursor is computed only if asked for (the documents
    carry their sort keys only then)."""
    return {key: _page_info_value(page, what) for key, what in selected}


def _page_info_value(page: Page, what: str) -> Any:
    documents = page.documents
    if what == "hasNextPage":
        return page.has_next_page
    if what == "hasPreviousPage":
        return page.has_previous_page
    if what == "startCursor":
        return page.cursor(documents[0]) if documents else None
    if what == "endCursor":
        return page.cursor(documents[-1]) if documents else None
    return what  # a typename
