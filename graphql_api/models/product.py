"""The catalogue. Prices are Decimal (Decimal128 in MongoDB), never float."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from bson import Decimal128
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pymongo import ASCENDING, IndexModel

from graphql_api.models.base import TimestampedDocument

Sku = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_upper=True,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
    ),
]
CENT = Decimal("0.01")


def _to_cents(amount: Decimal) -> Decimal:
    """One spelling per amount: "1E+1", "10" and "10.000" are all stored as 10.00."""
    return amount.quantize(CENT) + Decimal("0.00")  # + 0.00 turns -0.00 into 0.00


def _from_decimal128(value: object) -> object:
    return value.to_decimal() if isinstance(value, Decimal128) else value


Money = Annotated[
    Decimal,
    BeforeValidator(_from_decimal128),  # as read back from MongoDB
    Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False),
    AfterValidator(_to_cents),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Category = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60)
]


class Product(TimestampedDocument):
    sku: Sku
    name: Name
    category: Category
    price: Money
    stock: int = Field(default=0, ge=0)

    class Settings:
        name = "products"
        indexes = [
            IndexModel([("sku", ASCENDING)], unique=True, name="sku_unique"),
            IndexModel(
                [("category", ASCENDING), ("price", ASCENDING), ("_id", ASCENDING)],
                name="category_price",
            ),
            # Listing across categories by price.
            IndexModel([("price", ASCENDING), ("_id", ASCENDING)], name="price"),
        ]
