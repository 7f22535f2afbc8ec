"""The schema's custom scalars, bounded at the edge, and conversions the schema's ids.

Strawberry's own `Decimal`, `DateTime` and `JSON` accept anything Python can parse:
`"1e6145"` (past Decimal128), `"NaN"`, a datetime that overflows when converted to UTC,
integers past BSON's int64, `1e400` (infinity, stored as null). Each of those then failed
deep inside a resolver as INTERNAL_SERVER_ERROR, or was stored wrong. The scalars here
refuse them when the value arrives, as a variable or as a literal, with BAD_USER_INPUT,
so every value a resolver sees can be stored and compared as it is.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition

from graphql_api.schema.scalars.bounds import bad_input
from graphql_api.schema.scalars.datetimes import DateTimeScalar, parse_datetime
from graphql_api.schema.scalars.decimals import DecimalScalar, parse_decimal
from graphql_api.schema.scalars.json_values import JSON, JSONScalar, check_json

#: Every Decimal, datetime and JSON of the schema, inputs included, goes through these
#: (`StrawberryConfig.scalar_map`).
SCALAR_MAP: dict[object, ScalarDefinition] = {
    decimal.Decimal: DecimalScalar,
    dt.datetime: DateTimeScalar,
    JSON: JSONScalar,
}


def to_id(value: Any) -> strawberry.ID:
    """A stored id as the schema's ID."""
    return strawberry.ID(str(value))


__all__ = [
    "JSON",
    "SCALAR_MAP",
    "DateTimeScalar",
    "DecimalScalar",
    "JSONScalar",
    "bad_input",
    "check_json",
    "parse_datetime",
    "parse_decimal",
    "to_id",
]
