"""The product catalogue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bson import Decimal128
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from graphql_api.errors import NotFound
from graphql_api.models import Product, utcnow
from graphql_api.pagination import Page, PageRequest, paginate
from graphql_api.services.common import conflict
from graphql_api.validation import build, validate_fields

CHEAPEST_FIRST = [("price", 1), ("_id", 1)]
_UNIQUE_FIELDS = {"sku_unique": "sku"}


def _collection():
    return Product.get_pymongo_collection()


def normalise_sku(sku: str) -> str:
    return validate_fields(Product, {"sku": sku})["sku"]


async def create_product(
    *, sku: str, name: str, category: str, price: Decimal, stock: int
) -> dict[str, Any]:
    product = build(Product, sku=sku, name=name, category=category, price=price, stock=stock)
    try:
        await product.insert()
    except DuplicateKeyError as error:
        raise conflict(error, _UNIQUE_FIELDS, "product") from None
    return product.model_dump(by_alias=True)


async def get_product(sku: str) -> dict[str, Any] | None:
    return await _collection().find_one({"sku": normalise_sku(sku)})


async def update_product(sku: str, changes: dict[str, Any]) -> dict[str, Any]:
    key = normalise_sku(sku)
    values = validate_fields(Product, changes)
    if "price" in values:
        values["price"] = Decimal128(values["price"])
    product = await _collection().find_one_and_update(
        {"sku": key},
        {"$set": {**values, "updated_at": utcnow()}},
        return_document=ReturnDocument.AFTER,
    )
    if product is None:
        raise NotFound(f"No product with sku {key}.", argument="sku")
    return product


async def delete_product(sku: str) -> None:
    key = normalise_sku(sku)
    result = await _collection().delete_one({"sku": key})
    if not result.deleted_count:
        raise NotFound(f"No product with sku {key}.", argument="sku")


async def list_products(
    page: PageRequest,
    *,
    category: str | None,
    max_price: Decimal | None,
    default_size: int,
    max_size: int,
) -> Page:
    filter: dict[str, Any] = {}
    if category is not None:
        filter["category"] = validate_fields(Product, {"category": category})["category"]
    if max_price is not None:
        filter["price"] = {"$lte": Decimal128(max_price)}
    return await paginate(
        _collection(), filter, CHEAPEST_FIRST, page, default_size=default_size, max_size=max_size
    )
