"""Money: `Decimal` in Python, Decimal128 in MongoDB, never float.

The one place that converts between the two, so that every reader and writer
agrees on the spelling of an amount (two decimal places, no negative zero).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from bson import Decimal128
from pydantic import AfterValidator, BeforeValidator, Field

CENT = Decimal("0.01")


def to_decimal(value: Decimal | Decimal128 | int | str) -> Decimal:
    """An amount as read back from MongoDB (Decimal128) or given in Python."""
    return value.to_decimal() if isinstance(value, Decimal128) else Decimal(value)


def to_decimal128(value: Decimal | Decimal128) -> Decimal128:
    """An amount as MongoDB stores it."""
    return value if isinstance(value, Decimal128) else Decimal128(value)


def to_cents(amount: Decimal) -> Decimal:
    """One spelling per amount: "1E+1", "10" and "10.000" are all stored as 10.00."""
    return amount.quantize(CENT) + Decimal("0.00")  # + 0.00 turns -0.00 into 0.00


def _from_stored(value: Any) -> Any:
    return value.to_decimal() if isinstance(value, Decimal128) else value


Money = Annotated[
    Decimal,
    BeforeValidator(_from_stored),  # as read back from MongoDB
    Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False),
    AfterValidator(to_cents),
]
