"""The product catalogue."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from graphql_api.errors import NotFound
from graphql_api.models import Product, utcnow
from graphql_api.models.money import to_decimal128
from graphql_api.pagination import ListQuery
from graphql_api.services.common import atomic, conflict
from graphql_api.services.lists import RootList
from graphql_api.validation import build, validate_fields

_UNIQUE_FIELDS = {"sku_unique": "sku"}


class ProductSort(Enum):
    PRICE_ASC = (("price", 1), ("_id", 1))
    PRICE_DESC = (("price", -1), ("_id", -1))


def collection():
    return Product.get_pymongo_collection()


def products_query(
    *,
    category: str | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool | None = None,
    sort: ProductSort = ProductSort.PRICE_ASC,
) -> ListQuery:
    """Served by (category, price) or (price); stock is checked on the way
    (most products are in stock, so an index on it would not narrow much)."""
    filter: dict[str, Any] = {}
    index = "price"
    if category is not None:
        filter["category"] = validate_fields(Product, {"category": category})["category"]
        index = "category_price"
    price: dict[str, Any] = {}
    if min_price is not None:
        price["$gte"] = to_decimal128(min_price)
    if max_price is not None:
        price["$lte"] = to_decimal128(max_price)
    if price:
        filter["price"] = price
    residual: tuple[str, ...] = ()
    if in_stock is not None:
        filter["stock"] = {"$gt": 0} if in_stock else 0
        residual = ("stock",)
    return ListQuery(filter, sort.value, index, residual)


def list_products(**filters: Any) -> RootList:
    """The catalogue, by `products_query`'s filters."""
    return RootList(Product, products_query(**filters))


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


async def update_product(sku: str, changes: dict[str, Any]) -> dict[str, Any]:
    key = normalise_sku(sku)
    values = validate_fields(Product, changes)
    if "price" in values:
        values["price"] = to_decimal128(values["price"])

    async def change(session: AsyncClientSession | None) -> dict[str, Any]:
        product = await collection().find_one_and_update(
            {"sku": key},
            {"$set": {**values, "updated_at": utcnow()}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if product is None:
            raise NotFound(f"No product with sku {key}.", argument="sku")
        return product

    # A transaction only to record an idempotency key with the change.
    return await atomic(Product, change)


async def delete_product(sku: str) -> None:
    key = normalise_sku(sku)
    result = await collection().delete_one({"sku": key})
    if not result.deleted_count:
        raise NotFound(f"No product with sku {key}.", argument="sku")
