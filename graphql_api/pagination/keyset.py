"""Keyset paging: the MongoDB filter and sort of the items past a cursor, without `skip`.

A cursor holds an item's sort-key values (the last key is always `_id`, so the
order is total). The next page is what sorts strictly after them, so inserts
and deletes meanwhile never shift or repeat items, and a deep page costs what
the first does.

The query is kept *flat*: the list's filter plus an inclusive bound on the
first sort key (`created_at <= cursor's`), never an `$or`. Every planner,
including simple ones like the embedded server's, serves that from the index
on (filter fields, sort key, _id); the few items that tie with the cursor on
the first key but are not past it are dropped in Python (`inside`), with an
order consistent with MongoDB's for every sort key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bson import Decimal128

from graphql_api.models.money import to_decimal
from graphql_api.pagination.cursors import SORT_KEY_TAGS, Sort, decode_cursor, sort_values

#: Cursors a window must go past: their values, and True for `after` (False: `before`).
Bounds = list[tuple[list[Any], bool]]


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

    def hint(self) -> dict[str, Any]:
        """The declared index as MongoDB's `hint` option ({} where none applies)."""
        # MongoDB refuses a hint together with $text: the text index is implied.
        return {"hint": self.index} if self.index and "$text" not in self.filter else {}

    def find_options(self, filter: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The options to send with `filter` (the list's own, or its window past
        a cursor): the hint, unless the server would walk the index whole."""
        if self.index and HINTS.allows(
            self.index, self.sort, self.filter if filter is None else filter
        ):
            return self.hint()
        return {}


@dataclass
class HintPolicy:
    """When a list names its index to the server.

    MongoDB bounds a hinted index scan by the query's conditions, as its planner
    would: there every list names its index (`leading_keys` is None).
    SecantusDB (the embedded server) walks a hinted index whole, decoding every
    document of the collection: a page of one author's posts cost 34 times the
    unhinted query on the benchmark's 2,000 posts. There a list names its index
    only where that walk is already in the list's order (the index leads with
    the first sort key: products by price), which spares its slow sort, or
    where its planner's index bounds are wrong: a Decimal128 range (`price <=
    10` missed the product at 10.00; `tests/test_products.py`). Other lists are
    left to its planner. `Database.ensure_indexes` sets this from the server's
    `buildInfo`; one process talks to one server.
    """

    #: Each declared index's first key, where hinted indexes are walked whole.
    leading_keys: dict[str, str] | None = None

    def allows(self, index: str, sort: Sort, filter: Mapping[str, Any]) -> bool:
        if self.leading_keys is None or self.leading_keys.get(index) == sort[0][0]:
            return True
        return _compares_decimal(filter)


def _compares_decimal(condition: Any) -> bool:
    if isinstance(condition, Decimal128):
        return True
    if isinstance(condition, Mapping):
        return any(_compares_decimal(value) for value in condition.values())
    if isinstance(condition, list | tuple):
        return any(_compares_decimal(value) for value in condition)
    return False


HINTS = HintPolicy()


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


def inside(document: Mapping[str, Any], sort: Sort, bounds: Bounds) -> bool:
    """Whether `document` sorts strictly past every cursor in `bounds`."""
    values = sort_values(document, sort)
    for cursor, forward in bounds:
        order = _compare(values, cursor, sort)
        if (order <= 0) if forward else (order >= 0):
            return False
    return True


# --- the query ----------------------------------------------------------------


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


def window(
    query: ListQuery, after: str | None, before: str | None
) -> tuple[dict[str, Any], Bounds]:
    """The flat filter for the window between the cursors, and the cursors it must go past."""
    filter = dict(query.filter)
    bounds: Bounds = []
    (name, direction) = query.sort[0]
    for argument, forward, cursor in (("after", True, after), ("before", False, before)):
        if cursor is None:
            continue
        values = decode_cursor(cursor, query.sort, argument)
        op = "$gte" if (direction == 1) == forward else "$lte"
        filter = with_bound(filter, name, op, values[0])
        bounds.append((values, forward))
    return filter, bounds


def fetch_sort(sort: Sort, backward: bool) -> list[tuple[str, int]]:
    """The order to fetch in: paging backward reads the list from its end."""
    return [(name, -direction if backward else direction) for name, direction in sort]


__all__ = ["Bounds", "ListQuery", "fetch_sort", "inside", "window", "with_bound"]
