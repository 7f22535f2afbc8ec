"""Keyset (cursor) pagination over a MongoDB sort, without `skip`.

A cursor holds the sort-key values of an item (the last key is always `_id`,
so the order is total). The next page is what sorts strictly after them, so
inserts and deletes meanwhile never shift or repeat items.

The page query is kept *flat*: the list's filter plus an inclusive bound on
the first sort key (`created_at <= cursor's`), never an `$or`. Every planner,
including simple ones like the embedded server's, serves that from the index
on (filter fields, sort key, _id); the few items that tie with the cursor on
the first key but are not past it are skipped here, in Python.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, DecimalException
from typing import Any

import orjson
from bson import Decimal128, ObjectId
from bson.errors import InvalidId
from pymongo.asynchronous.collection import AsyncCollection

from graphql_api.errors import BadUserInput
from graphql_api.models.money import to_decimal

Sort = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ListQuery:
    """What a list shows: a filter, a total order (ending with `_id`), and the
    declared index that serves both.

    Naming the index (sent as `hint`) makes every list's plan a decision made
    here and checked by a test, not a guess of the server's planner (the
    embedded server's planner misses most compound shapes). `residual` names
    filter fields the index does not hold, checked on the documents the index
    yields, where that is cheap (a user's own orders by status, say).
    """

    filter: Mapping[str, Any]
    sort: Sort
    index: str | None
    residual: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        assert self.sort[-1][0] == "_id", "the last sort key must be _id (a total order)"
        assert all(name in SORT_KEY_TAGS for name, _ in self.sort), "add the key to SORT_KEY_TAGS"

    def find_options(self) -> dict[str, Any]:
        # MongoDB refuses a hint together with $text: the text index is implied.
        return {"hint": self.index} if self.index and "$text" not in self.filter else {}


@dataclass(frozen=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

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


@dataclass
class Page:
    documents: list[dict[str, Any]]
    sort: Sort
    has_next_page: bool
    has_previous_page: bool
    count: Callable[[], Awaitable[int]] = field(repr=False)

    def cursor(self, document: Mapping[str, Any]) -> str:
        """Computed on demand: most clients ask only for pageInfo.endCursor."""
        return encode_cursor(document, self.sort)


# --- cursors ---------------------------------------------------------------


def _value(document: Mapping[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def sort_values(document: Mapping[str, Any], sort: Sort) -> list[Any]:
    return [_value(document, name) for name, _ in sort]


_ENCODERS: dict[type, tuple[str, Callable[[Any], str]]] = {
    datetime: ("d", lambda value: str(round(value.timestamp() * 1000))),
    ObjectId: ("o", str),
    Decimal128: ("n", str),
    bool: ("b", lambda value: "1" if value else ""),
    int: ("i", str),
    str: ("s", str),
}

#: The type of every sort key's values, so that a cursor's values are checked
#: against the list they page (a string where a date belongs, say, would make
#: the keyset comparison fail). A new sort key must be added here.
SORT_KEY_TAGS: dict[str, str] = {
    "_id": "o",
    "created_at": "d",
    "updated_at": "d",
    "published_at": "d",
    "price": "n",
}
#: A cursor is a handful of short values; anything longer was not made here.
MAX_CURSOR_LENGTH = 512
_MIN_MS = round(datetime(1, 1, 1, tzinfo=UTC).timestamp() * 1000)
_MAX_MS = round(datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC).timestamp() * 1000)
_INT64 = (-(2**63), 2**63 - 1)


def _decode_datetime(text: str) -> datetime:
    if not text.lstrip("-").isdigit() or not text.isascii() or len(text) > 20:
        raise ValueError(text)
    ms = int(text)
    if not _MIN_MS <= ms <= _MAX_MS:
        raise ValueError(text)
    return datetime.fromtimestamp(ms / 1000, UTC)


def _decode_number(text: str) -> Decimal128:
    """A finite decimal well inside Decimal128 (stored prices are far smaller)."""
    if len(text) > 64 or not text.isascii():
        raise ValueError(text)
    value = Decimal(text)
    if not value.is_finite() or not -100 <= value.adjusted() <= 100:
        raise ValueError(text)
    return Decimal128(value)


def _decode_int(text: str) -> int:
    if not text.lstrip("-").isdigit() or not text.isascii() or len(text) > 20:
        raise ValueError(text)
    value = int(text)
    if not _INT64[0] <= value <= _INT64[1]:
        raise ValueError(text)
    return value


def _refuse(text: str) -> Any:
    raise ValueError(text)


def _decode_bool(text: str) -> bool:
    if text not in ("", "1"):
        raise ValueError(text)
    return text == "1"


_DECODERS: dict[str, Callable[[str], Any]] = {
    "d": _decode_datetime,
    "o": lambda text: ObjectId(text) if len(text) == 24 else _refuse(text),
    "n": _decode_number,
    "b": _decode_bool,
    "i": _decode_int,
    "s": str,
}


def encode_cursor(document: Mapping[str, Any], sort: Sort) -> str:
    """An opaque cursor: the item's sort-key values, type-tagged, JSON, base64url."""
    parts = []
    for value in sort_values(document, sort):
        tag, encode = _ENCODERS[type(value)]
        parts.append(tag + encode(value))
    return base64.urlsafe_b64encode(orjson.dumps(parts)).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort, argument: str) -> list[Any]:
    """The sort-key values in `cursor`, each of the type its key holds, or BAD_USER_INPUT.

    Cursors come from clients: any bytes may arrive, so every step checks what it gets."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = orjson.loads(raw)
        if not isinstance(parts, list) or len(parts) != len(sort):
            raise ValueError(cursor)
        values = []
        for part, (name, _) in zip(parts, sort, strict=True):
            if not isinstance(part, str) or not part:
                raise ValueError(cursor)
            tag = part[0]
            if tag != SORT_KEY_TAGS.get(name, tag):
                raise ValueError(cursor)
            values.append(_DECODERS[tag](part[1:]))
        return values
    except (
        binascii.Error,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        InvalidId,
        DecimalException,
        OverflowError,
        OSError,
    ):
        raise BadUserInput(
            f"`{argument}` is not a valid cursor for this list.", argument=argument
        ) from None


# --- ordering in Python, consistent with MongoDB's for our sort keys ------------


def _comparable(value: Any) -> Any:
    return to_decimal(value) if isinstance(value, Decimal128) else value


def _compare(left: Sequence[Any], right: Sequence[Any], sort: Sort) -> int:
    """-1, 0 or 1 as `left` sorts before, with, or after `right` in `sort`."""
    for raw_left, raw_right, (_, direction) in zip(left, right, sort, strict=True):
        a, b = _comparable(raw_left), _comparable(raw_right)
        if a != b:
            return (-1 if a < b else 1) * direction
    return 0


# --- queries -----------------------------------------------------------------


def _tighter(op: str, a: Any, b: Any) -> Any:
    if op == "$gte":
        return a if _comparable(a) >= _comparable(b) else b
    return a if _comparable(a) <= _comparable(b) else b


def with_bound(filter: Mapping[str, Any], name: str, op: str, value: Any) -> dict[str, Any]:
    """`filter` and `name op value`, merged into one flat filter."""
    merged = dict(filter)
    current = merged.get(name)
    if current is None:
        merged[name] = {op: value}
    elif isinstance(current, Mapping) and all(key.startswith("$") for key in current):
        bounds = dict(current)
        bounds[op] = _tighter(op, bounds[op], value) if op in bounds else value
        merged[name] = bounds
    # else: an equality on the sort key already pins it; the bound adds nothing.
    return merged


def window(query: ListQuery, request: PageRequest) -> tuple[dict[str, Any], list[list[Any]]]:
    """The flat filter for the requested window, and the cursors it must go past."""
    filter = dict(query.filter)
    bounds = []
    (name, direction) = query.sort[0]
    for argument, forward in (("after", True), ("before", False)):
        cursor = getattr(request, argument)
        if cursor is None:
            continue
        values = decode_cursor(cursor, query.sort, argument)
        op = "$gte" if (direction == 1) == forward else "$lte"
        filter = with_bound(filter, name, op, values[0])
        bounds.append((values, forward))
    return filter, bounds


def _inside(document: Mapping[str, Any], sort: Sort, bounds: list) -> bool:
    values = sort_values(document, sort)
    for cursor, forward in bounds:
        order = _compare(values, cursor, sort)
        if (order <= 0) if forward else (order >= 0):
            return False
    return True


async def paginate(
    collection: AsyncCollection,
    query: ListQuery,
    request: PageRequest,
    *,
    default_size: int,
    max_size: int,
    projection: Mapping[str, Any] | None = None,
) -> Page:
    request.validate(max_size)
    size = request.size(default_size)
    filter, bounds = window(query, request)
    backward = request.backward
    sort = [(name, -direction if backward else direction) for name, direction in query.sort]
    if projection is not None:
        projection = {**projection, **{name: 1 for name, _ in query.sort}}

    # Over-fetch by one (is there a next page? even with `first: 0`) and by the
    # items that may tie with the cursor; grow if there were more.
    extra = 1 if bounds else 0
    while True:
        limit = size + 1 + extra
        batch = await collection.find(
            filter,
            projection,
            sort=sort,
            limit=limit,
            batch_size=limit,
            **query.find_options(),
        ).to_list()
        documents = [d for d in batch if _inside(d, query.sort, bounds)]
        if len(documents) > size or len(batch) < limit:
            break
        extra = 2 * (limit - len(documents))
    has_more = len(documents) > size
    documents = documents[:size]
    if backward:
        documents.reverse()

    async def count() -> int:
        return await collection.count_documents(query.filter, **query.find_options())

    return Page(
        documents=documents,
        sort=query.sort,
        has_next_page=has_more if not backward else request.before is not None,
        has_previous_page=has_more if backward else request.after is not None,
        count=count,
    )


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
    count: Callable[[Any], Callable[[], Awaitable[int]]],
    projection: Mapping[str, Any] | None = None,
) -> dict[Any, Page]:
    """One page of children for each of many parents, in one round trip.

    A `$lookup` from the parents runs the page query once per parent inside
    the server (each served by the index on (foreign_field, ..., sort key)),
    so `users { posts(first: 5) }` costs one query however many users.
    """
    request.validate(max_size)
    size = request.size(default_size)
    filter, bounds = window(query, request)
    backward = request.backward
    sort = {name: -direction if backward else direction for name, direction in query.sort}
    limit = size + 1 + (1 if bounds else 0)
    stages: list[dict[str, Any]] = [{"$match": filter}, {"$sort": sort}, {"$limit": limit}]
    if projection is not None:
        stages.append({"$project": {**projection, **dict.fromkeys(sort, 1), foreign_field: 1}})
    # Even with `first: 0`: one item past the page says whether there is a next one.
    cursor = await parents.aggregate(
        [
            {"$match": {"_id": {"$in": list(parent_ids)}}},
            {"$project": {"_id": 1}},
            {
                "$lookup": {
                    "from": children.name,
                    "localField": "_id",
                    "foreignField": foreign_field,
                    "pipeline": stages,
                    "as": "page",
                }
            },
        ]
    )
    rows = await cursor.to_list()
    batches = {row["_id"]: row["page"] for row in rows}

    pages: dict[Any, Page] = {}
    for parent in parent_ids:
        batch = batches.get(parent, [])
        documents = [d for d in batch if _inside(d, query.sort, bounds)]
        if len(documents) <= size and len(batch) == limit:
            # Many ties with the cursor (rare): page this parent on its own.
            alone = ListQuery({**query.filter, foreign_field: parent}, query.sort, query.index)
            pages[parent] = await paginate(
                children,
                alone,
                request,
                default_size=default_size,
                max_size=max_size,
                projection=projection,
            )
            pages[parent].count = count(parent)
            continue
        has_more = len(documents) > size
        documents = documents[:size]
        if backward:
            documents.reverse()
        pages[parent] = Page(
            documents=documents,
            sort=query.sort,
            has_next_page=has_more if not backward else request.before is not None,
            has_previous_page=has_more if backward else request.after is not None,
            count=count(parent),
        )
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
