"""The product catalogue."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from graphql_api.schema.connections import Connection, connection
from graphql_api.schema.context import Info, page_request
from graphql_api.schema.scalars import to_decimal, to_id
from graphql_api.schema.users import given
from graphql_api.services import products as service


@strawberry.type(description="Something for sale. `sku` is its unique, upper-case code.")
class Product:
    id: strawberry.ID
    sku: str
    name: str
    category: str
    price: Decimal
    stock: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "Product":
        return cls(
            id=to_id(doc["_id"]),
            sku=doc["sku"],
            name=doc["name"],
            category=doc["category"],
            price=to_decimal(doc["price"]),
            stock=doc["stock"],
            created_at=doc["created_at"],
            updated_at=doc["updated_at"],
        )


@strawberry.input
class CreateProductInput:
    sku: str = strawberry.field(description="Letters, digits, '-' and '_'; stored upper-case.")
    name: str
    category: str = strawberry.field(description="Stored lower-case.")
    price: Decimal = strawberry.field(description="Non-negative, at most 2 decimal places.")
    stock: int = 0


@strawberry.input(description="Only the fields given are changed.")
class UpdateProductInput:
    name: str | None = strawberry.UNSET
    category: str | None = strawberry.UNSET
    price: Decimal | None = strawberry.UNSET
    stock: int | None = strawberry.UNSET


@strawberry.type
class ProductQueries:
    @strawberry.field(description="A product by sku (any case), or null.")
    async def product(self, sku: str) -> Product | None:
        doc = await service.get_product(sku)
        return Product.from_document(doc) if doc else None

    @strawberry.field(description="Products, cheapest first, optionally filtered.")
    async def products(
        self,
        info: Info,
        category: str | None = None,
        max_price: Decimal | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Product]:
        page = await service.list_products(
            page_request(first, after, last, before),
            category=category,
            max_price=max_price,
            **info.context.page_limits(),
        )
        return connection(page, Product.from_document)


@strawberry.type
class ProductMutations:
    @strawberry.mutation(description="Add a product. A used sku is a CONFLICT error.")
    async def create_product(self, input: CreateProductInput) -> Product:
        return Product.from_document(
            await service.create_product(
                sku=input.sku,
                name=input.name,
                category=input.category,
                price=input.price,
                stock=input.stock,
            )
        )

    @strawberry.mutation
    async def update_product(self, sku: str, input: UpdateProductInput) -> Product:
        return Product.from_document(await service.update_product(sku, given(input)))

    @strawberry.mutation(description="Remove a product. Returns its sku.")
    async def delete_product(self, sku: str) -> str:
        await service.delete_product(sku)
        return sku.strip().upper()
