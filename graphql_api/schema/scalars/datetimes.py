"""DateTime: ISO-8601 with a UTC offset, refused when it cannot be stored as UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from graphql import ValueNode
from graphql.language import StringValueNode

from graphql_api.schema.scalars.bounds import MAX_SCALAR_TEXT, bad_input
from graphql_api.schema.scalars.bounds import shorten as _shorten


def parse_datetime(value: object) -> dt.datetime:
    """An ISO-8601 datetime with an offset, as an aware datetime in UTC."""
    if not isinstance(value, str):
        raise bad_input(f"DateTime must be an ISO-8601 string, got {type(value).__name__}.")
    if not value or len(value) > MAX_SCALAR_TEXT or not value.isascii():
        raise bad_input(f"Not an ISO-8601 datetime: {_shorten(value)!r}.")
    try:
        parsed = dt.datetime.fromisoformat(value.upper())  # RFC 3339 allows "t" and "z"
    except ValueError:
        raise bad_input(f"Not an ISO-8601 datetime: {_shorten(value)!r}.") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise bad_input(
            f"DateTime needs a time zone offset, e.g. 2026-01-31T00:00:00Z, got {value!r}."
        )
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise bad_input(
            f"DateTime {value!r} is outside years 1-9999 once converted to UTC."
        ) from None


def _datetime_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> dt.datetime:
    if isinstance(node, StringValueNode):
        return parse_datetime(node.value)
    raise bad_input("DateTime must be an ISO-8601 string.")


DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description=(
        "An ISO-8601 datetime with an offset (2026-11-23T15:31:52+00:00); answers are in "
        "UTC. Inputs must name an offset and stay within years 1-9999 in UTC."
    ),
    serialize=dt.datetime.isoformat,
    parse_value=parse_datetime,
    parse_literal=_datetime_literal,
)
