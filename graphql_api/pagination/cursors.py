"""Opaque cursors: an item's sort-key values, type-tagged, as JSON in base64url.

A cursor names a position in a list's order, not an offset, so it stays valid
while items are inserted or deleted. Cursors come back from clients, so
decoding trusts nothing: every malformed or tampered cursor is a
BAD_USER_INPUT error naming the argument, never a crash, and every value is
checked to be of the type its sort key holds (a string where a date belongs
would make the keyset comparison fail, or match the wrong documents).

Values are encoded exactly as precisely as MongoDB keeps them: a datetime as
BSON does, in whole milliseconds, truncated, so a cursor made from a document
before or after it was stored names the same position.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, DecimalException
from typing import Any

import orjson
from bson import Decimal128, ObjectId
from bson.datetime_ms import DatetimeMS
from bson.errors import InvalidId

from graphql_api.errors import BadUserInput
from graphql_api.models.money import stored_decimal

#: A list's order: (key, 1 ascending or -1 descending), the last key `_id`.
Sort = tuple[tuple[str, int], ...]

#: The type tag of the values of every key a list sorts by. A new sort key must
#: be added here (`ListQuery` refuses a sort over a key that is not), and must
#: never be missing or null: a cursor has no spelling for "no value".
SORT_KEY_TAGS: dict[str, str] = {"_id": "o", "created_at": "d", "price": "n"}
#: A cursor is a handful of short values; anything longer was not made here.
MAX_CURSOR_LENGTH = 512

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_MIN_MS = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // _MILLISECOND
_MAX_MS = (datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC) - _EPOCH) // _MILLISECOND


def _value(document: Mapping[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def sort_values(document: Mapping[str, Any], sort: Sort) -> list[Any]:
    """The document's values of the sort keys (dotted paths allowed), in order."""
    return [_value(document, name) for name, _ in sort]


def _encode_datetime(value: datetime) -> str:
    # The driver's own conversion (whole milliseconds, truncated; naive is UTC),
    # in integers: a float timestamp would round sub-milliseconds up.
    return str(int(DatetimeMS(value)))


_ENCODERS: dict[type, tuple[str, Callable[[Any], str]]] = {
    datetime: ("d", _encode_datetime),
    ObjectId: ("o", str),
    Decimal128: ("n", lambda value: str(stored_decimal(value))),  # finite: amounts
}


def _decode_datetime(text: str) -> datetime:
    if not text.lstrip("-").isdigit() or not text.isascii() or len(text) > 20:
        raise ValueError(text)
    ms = int(text)
    if not _MIN_MS <= ms <= _MAX_MS:
        raise ValueError(text)
    # Integer arithmetic: `fromtimestamp(ms / 1000)` is off by microseconds
    # far from 1970, where a float no longer holds every millisecond.
    return _EPOCH + ms * _MILLISECOND


def _decode_object_id(text: str) -> ObjectId:
    if len(text) != 24:  # ObjectId() also takes 12 raw bytes
        raise ValueError(text)
    return ObjectId(text)


def _decode_number(text: str) -> Decimal128:
    """A finite decimal well inside Decimal128 (stored prices are far smaller)."""
    if len(text) > 64 or not text.isascii():
        raise ValueError(text)
    value = Decimal(text)
    if not value.is_finite() or not -100 <= value.adjusted() <= 100:
        raise ValueError(text)
    return Decimal128(value)


_DECODERS: dict[str, Callable[[str], Any]] = {
    "d": _decode_datetime,
    "o": _decode_object_id,
    "n": _decode_number,
}


def encode_cursor(document: Mapping[str, Any], sort: Sort) -> str:
    """The opaque cursor of `document`'s position in `sort`."""
    parts = []
    for value in sort_values(document, sort):
        tag, encode = _ENCODERS[type(value)]
        parts.append(tag + encode(value))
    return base64.urlsafe_b64encode(orjson.dumps(parts)).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort, argument: str) -> list[Any]:
    """The sort-key values in `cursor`, each of the type its key holds, or BAD_USER_INPUT."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = orjson.loads(raw)
        if not isinstance(parts, list) or len(parts) != len(sort):
            raise ValueError(cursor)
        values = []
        for part, (name, _) in zip(parts, sort, strict=True):
            if not isinstance(part, str) or not part or part[0] != SORT_KEY_TAGS.get(name):
                raise ValueError(cursor)
            values.append(_DECODERS[part[0]](part[1:]))
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
    ):
        raise BadUserInput(
            f"`{argument}` is not a valid cursor for this list.", argument=argument
        ) from None


__all__ = [
    "MAX_CURSOR_LENGTH",
    "SORT_KEY_TAGS",
    "Sort",
    "decode_cursor",
    "encode_cursor",
    "sort_values",
]
