"""The catalogue. Prices are Decimal (Decimal128 in MongoDB), never float."""

from __future__ import annotations

from typing import Annotated

from beanie import Document
from pydantic import Field, StringConstraints
from pymongo import ASCENDING, IndexModel

from graphql_api.models.base import CreatedAt, UpdatedAt
from graphql_api.models.exposed import Exposed
from graphql_api.models.money import Money

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
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Category = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60)
]


class Product(Document):
    sku: Annotated[Sku, Exposed("The unique code, upper-case.")]
    name: Annotated[Name, Exposed()]
    category: Annotated[Category, Exposed("Lower-case.")]
    price: Annotated[Money, Exposed()]
    stock: Annotated[int, Exposed("How many are left to sell.")] = Field(default=0, ge=0)
    created_at: CreatedAt
    updated_at: UpdatedAt

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
