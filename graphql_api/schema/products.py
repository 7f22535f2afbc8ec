"""The product catalogue."""

from decimal import Decimal

import strawberry

from graphql_api import models
from graphql_api.auth.rules import IsAdmin
from graphql_api.schema.connections import connection_field
from graphql_api.schema.context import Info
from graphql_api.schema.idempotency import IdempotencyKey, idempotent
from graphql_api.schema.inputs import given
from graphql_api.schema.relay import Node
from graphql_api.schema.stored import stored_type
from graphql_api.services import products as service
from graphql_api.services.lists import PageSource
from graphql_api.services.products import ProductSort as _ProductSort

ProductSort = strawberry.enum(
    _ProductSort, name="ProductSort", description="Orders of the product list."
)


@stored_type(
    models.Product, description="Something for sale. `sku` is its unique, upper-case code."
)
class Product(Node):
    pass


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

    @connection_field(Product, description="Products, cheapest first unless `sort` says otherwise.")
    async def products(
        self,
        info: Info,
        filter: ProductFilter | None = None,
        sort: ProductSort = _ProductSort.PRICE_ASC,
    ) -> PageSource | None:
        return service.list_products(**vars(filter or ProductFilter()), sort=sort)


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
    async def update_product(
        self,
        info: Info,
        sku: str,
        input: UpdateProductInput,
        idempotency_key: IdempotencyKey = None,
    ) -> Product:
        changes = given(input)
        return Product.from_document(
            await idempotent(
                info,
                idempotency_key,
                "updateProduct",
                [sku, changes],
                lambda: service.update_product(sku, changes),
            )
        )

    @strawberry.mutation(
        description="Remove a product (admins). Returns its sku.", permission_classes=[IsAdmin]
    )
    async def delete_product(self, sku: str) -> str:
        await service.delete_product(sku)
        return sku.strip().upper()
