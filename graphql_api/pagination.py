"""Keyset (cursor) pagination over a MongoDB sort, without `skip`.

A cursor holds the sort-key values of an item (its last key is always `_id`,
so the order is total). The next page starts strictly after those values, so
inserts and deletes meanwhile never shift or repeat items, and each page is
served by the index on the sort key.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bson import json_util
from pymongo.asynchronous.collection import AsyncCollection

from graphql_api.errors import BadUserInput

SortSpec = Sequence[tuple[str, int]]


@dataclass(frozen=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass
class Page:
    documents: list[dict[str, Any]]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    # What produced the page, so that totalCount can be counted on demand.
    collection: AsyncCollection
    filter: Mapping[str, Any]


def _value(document: Mapping[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def encode_cursor(document: Mapping[str, Any], sort: SortSpec) -> str:
    values = [_value(document, field) for field, _ in sort]
    raw = json_util.dumps(values, json_options=json_util.CANONICAL_JSON_OPTIONS)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: SortSpec, argument: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json_util.loads(raw, json_options=json_util.CANONICAL_JSON_OPTIONS)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != len(sort):
        raise BadUserInput(f"`{argument}` is not a valid cursor for this list.", argument=argument)
    return values


def _beyond(sort: SortSpec, values: Sequence[Any], forward: bool) -> dict[str, Any]:
    """The filter for items strictly after (forward) or before `values` in `sort`."""
    branches = []
    for index, (field, direction) in enumerate(sort):
        ascending = (direction == 1) == forward
        branch = {prior: values[i] for i, (prior, _) in enumerate(sort[:index])}
        branch[field] = {"$gt" if ascending else "$lt": values[index]}
        branches.append(branch)
    return {"$or": branches}


def check_page_size(value: int | None, argument: str, maximum: int) -> None:
    if value is not None and not 0 <= value <= maximum:
        raise BadUserInput(
            f"`{argument}` must be between 0 and {maximum}, got {value}.",
            argument=argument,
            maximum=maximum,
        )


async def paginate(
    collection: AsyncCollection,
    filter: Mapping[str, Any],
    sort: SortSpec,
    request: PageRequest,
    *,
    default_size: int,
    max_size: int,
    projection: Mapping[str, Any] | None = None,
) -> Page:
    assert sort[-1][0] == "_id", "the last sort key must be _id so that the order is total"
    if request.first is not None and request.last is not None:
        raise BadUserInput("Pass either `first` or `last`, not both.")
    check_page_size(request.first, "first", max_size)
    check_page_size(request.last, "last", max_size)

    backward = request.last is not None or (request.before is not None and request.first is None)
    size = request.last if backward else request.first
    size = default_size if size is None else size

    conditions: list[Mapping[str, Any]] = [filter] if filter else []
    if request.after is not None:
        conditions.append(_beyond(sort, decode_cursor(request.after, sort, "after"), True))
    if request.before is not None:
        conditions.append(_beyond(sort, decode_cursor(request.before, sort, "before"), False))
    query: Mapping[str, Any] = (
        {} if not conditions else conditions[0] if len(conditions) == 1 else {"$and": conditions}
    )

    query_sort = [(field, -direction if backward else direction) for field, direction in sort]
    documents = []
    if size > 0:
        documents = await collection.find(
            query, projection, sort=query_sort, limit=size + 1
        ).to_list()
    has_more = len(documents) > size
    documents = documents[:size]
    if backward:
        documents.reverse()

    return Page(
        documents=documents,
        cursors=[encode_cursor(document, sort) for document in documents],
        has_next_page=has_more if not backward else request.before is not None,
        has_previous_page=has_more if backward else request.after is not None,
        collection=collection,
        filter=filter,
    )
