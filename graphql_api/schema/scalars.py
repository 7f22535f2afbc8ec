"""Conversions from stored BSON values to the schema's scalars."""

from decimal import Decimal
from typing import Any

import strawberry
from bson import Decimal128


def to_decimal(value: Decimal | Decimal128 | Any) -> Decimal:
    """Money comes back from MongoDB as Decimal128; the schema speaks Decimal (a string)."""
    if isinstance(value, Decimal128):
        return value.to_decimal()
    return Decimal(value)


def to_id(value: Any) -> strawberry.ID:
    return strawberry.ID(str(value))
