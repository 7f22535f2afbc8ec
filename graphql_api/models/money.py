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


# Both conversions are pure Python in PyMongo (4 µs and 3 µs: digit by digit), and
# amounts repeat (a catalogue's prices, a page read again and again): each distinct
# value is converted once, per spelling (60 and 60.00 are different Decimal128s).
# Both types are immutable, so the values are shared. Bounded: cleared when full.
_CACHED = 4096
_read_back: dict[bytes, Decimal] = {}
_stored: dict[str, Decimal128] = {}


def stored_decimal(value: Decimal128) -> Decimal:
    """`value.to_decimal()`, remembered by its 16 bytes."""
    key = value.bid
    found = _read_back.get(key)
    if found is None:
        if len(_read_back) >= _CACHED:
            _read_back.clear()
        found = _read_back[key] = value.to_decimal()
    return found


def to_decimal(value: Decimal | Decimal128 | int | str) -> Decimal:
    """An amount as read back from MongoDB (Decimal128) or given in Python."""
    return stored_decimal(value) if isinstance(value, Decimal128) else Decimal(value)


def to_decimal128(value: Decimal | Decimal128) -> Decimal128:
    """An amount as MongoDB stores it."""
    if isinstance(value, Decimal128):
        return value
    key = str(value)  # exact: the spelling is part of the value stored
    found = _stored.get(key)
    if found is None:
        if len(_stored) >= _CACHED:
            _stored.clear()
        found = _stored[key] = Decimal128(value)
    return found


def to_cents(amount: Decimal) -> Decimal:
    """One spelling per amount: "1E+1", "10" and "10.000" are all stored as 10.00."""
    return amount.quantize(CENT) + Decimal("0.00")  # + 0.00 turns -0.00 into 0.00


def _from_stored(value: Any) -> Any:
    return stored_decimal(value) if isinstance(value, Decimal128) else value


Money = Annotated[
    Decimal,
    BeforeValidator(_from_stored),  # as read back from MongoDB
    Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False),
    AfterValidator(to_cents),
]
