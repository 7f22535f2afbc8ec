"""The product catalogue."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from graphql_api.auth.rules import IsAdmin
from graphql_api.schema.connections import Connection, connection
from graphql_api.schema.context import Info, page_request
from graphql_api.schema.relay import Node, to_global_id
from graphql_api.schema.scalars import to_decimal
from graphql_api.schema.selection import projection
from graphql_api.schema.users import given
from graphql_api.services import products as service
from graphql_api.services.products import ProductSort as _ProductSort

ProductSort = strawberry.enum(
    _ProductSort, name="ProductSort", description="Orders of the product list."
)

FIELDS = {
    "id": (),
    "databaseId": (),
    "sku": ("sku",),
    "name": ("name",),
    "category": ("category",),
    "price": ("price",),
    "stock": ("stock",),
    "createdAt": ("created_at",),
    "updatedAt": ("updated_at",),
}


@strawberry.type(description="Something for sale. `sku` is its unique, upper-case code.")
class Product(Node):
    database_id: str = strawberry.field(description="The MongoDB ObjectId, as hex.")
    sku: str
    name: str
    category: str
    price: Decimal
    stock: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "Product":
        get = doc.get
        return cls(
            id=to_global_id("Product", doc["_id"]),
            database_id=str(doc["_id"]),
            sku=get("sku"),
            name=get("name"),
            category=get("category"),
            price=to_decimal(doc["price"]) if "price" in doc else None,
            stock=get("stock"),
            created_at=get("created_at"),
            updated_at=get("updated_at"),
        )


@strawberry.input(description="Which products to list. All conditions must hold.")
class ProductFilter:
    category: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = strawberry.field(
        default=None, description="true: stock above 0; false: sold out."
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
    async def product(self, info: Info, sku: str) -> Product | None:
        doc = await info.context.loaders.product_by_sku.load(service.normalise_sku(sku))
        return Product.from_document(doc) if doc else None

    @strawberry.field(description="Products, cheapest first unless `sort` says otherwise.")
    async def products(
        self,
        info: Info,
        filter: ProductFilter | None = None,
        sort: ProductSort = _ProductSort.PRICE_ASC,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Product]:
        filter = filter or ProductFilter()
        query = service.products_query(
            category=filter.category,
            min_price=filter.min_price,
            max_price=filter.max_price,
            in_stock=filter.in_stock,
            sort=sort,
        )
        return await connection(
            info,
            service.collection(),
            query,
            page_request(first, after, last, before),
            Product.from_document,
            projection(info, FIELDS),
        )


@strawberry.type
class ProductMutations:
    @strawberry.mutation(
        description="Add a product (admins). A used sku is a CONFLICT error.",
        permission_classes=[IsAdmin],
    )
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

    @strawberry.mutation(
        description="Change a product, its stock included (admins).", permission_classes=[IsAdmin]
    )
    async def update_product(self, sku: str, input: UpdateProductInput) -> Product:
        return Product.from_document(await service.update_product(sku, given(input)))

    @strawberry.mutation(
        description="Remove a product (admins). Returns its sku.", permission_classes=[IsAdmin]
    )
    async def delete_product(self, sku: str) -> str:
        await service.delete_product(sku)
        return sku.strip().upper()
