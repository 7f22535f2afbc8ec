"""Per-request DataLoaders: one batched query per relation instead of one per parent.

A new `Loaders` is made for every request (in the GraphQL context), so cached
documents never leak between requests or users.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bson import ObjectId
from strawberry.dataloader import DataLoader

from graphql_api.models import Product, User


async def _by_key(collection: Any, field: str, keys: Sequence[Any]) -> list[dict[str, Any] | None]:
    documents = await collection.find({field: {"$in": list(keys)}}).to_list()
    by_key = {document[field]: document for document in documents}
    return [by_key.get(key) for key in keys]


class Loaders:
    def __init__(self) -> None:
        self.user_by_id: DataLoader[ObjectId, dict[str, Any] | None] = DataLoader(
            lambda ids: _by_key(User.get_pymongo_collection(), "_id", ids)
        )
        self.product_by_sku: DataLoader[str, dict[str, Any] | None] = DataLoader(
            lambda skus: _by_key(Product.get_pymongo_collection(), "sku", skus)
        )
