"""Orders: checkout against stock, the fulfilment workflow, order lists."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from bson import ObjectId

from graphql_api import models
from graphql_api.schema.connections import Connection, connection
from graphql_api.schema.context import Info, page_request
from graphql_api.schema.products import Product
from graphql_api.schema.scalars import to_decimal, to_id
from graphql_api.schema.users import User
from graphql_api.services import orders as service

OrderStatus = strawberry.enum(
    models.OrderStatus,
    description="PENDING -> PAID -> SHIPPED -> COMPLETED; PENDING or PAID -> CANCELLED.",
)


@strawberry.type(description="One product in an order, at the price paid.")
class LineItem:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal

    @strawberry.field(description="The product as it is now; null if it was deleted.")
    async def product(self, info: Info) -> Product | None:
        doc = await info.context.loaders.product_by_sku.load(self.sku)
        return Product.from_document(doc) if doc else None


@strawberry.type
class Order:
    id: strawberry.ID
    items: list[LineItem]
    total: Decimal
    status: OrderStatus
    created_at: datetime
    updated_at: datetime
    user_id: strawberry.Private[ObjectId]

    @strawberry.field(description="Who placed the order.")
    async def user(self, info: Info) -> User | None:
        doc = await info.context.loaders.user_by_id.load(self.user_id)
        return User.from_document(doc) if doc else None

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "Order":
        return cls(
            id=to_id(doc["_id"]),
            items=[
                LineItem(
                    sku=item["sku"],
                    name=item["name"],
                    quantity=item["quantity"],
                    unit_price=to_decimal(item["unit_price"]),
                )
                for item in doc["items"]
            ],
            total=to_decimal(doc["total"]),
            status=models.OrderStatus(doc["status"]),
            created_at=doc["created_at"],
            updated_at=doc["updated_at"],
            user_id=doc["user_id"],
        )


@strawberry.input
class OrderItemInput:
    sku: str
    quantity: int = strawberry.field(description="At least 1.")


@strawberry.input
class PlaceOrderInput:
    user_id: strawberry.ID
    items: list[OrderItemInput] = strawberry.field(
        description="Lines with the same sku are merged. Prices are the catalogue's at checkout."
    )


@strawberry.type
class OrderQueries:
    @strawberry.field(description="An order by id, or null.")
    async def order(self, id: strawberry.ID) -> Order | None:
        doc = await service.get_order(id)
        return Order.from_document(doc) if doc else None

    @strawberry.field(description="Orders, newest first, optionally by status and/or user.")
    async def orders(
        self,
        info: Info,
        status: OrderStatus | None = None,
        user_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Order]:
        page = await service.list_orders(
            page_request(first, after, last, before),
            status=status,
            user_id=user_id,
            **info.context.page_limits(),
        )
        return connection(page, Order.from_document)


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="Buy products. Stock is taken and the order written in one transaction; "
        "if any line is out of stock (OUT_OF_STOCK) nothing changes."
    )
    async def place_order(self, input: PlaceOrderInput) -> Order:
        items = [(item.sku, item.quantity) for item in input.items]
        return Order.from_document(await service.place_order(user_id=input.user_id, items=items))

    @strawberry.mutation(
        description="Move an order along its workflow (INVALID_STATUS_TRANSITION otherwise). "
        "Cancelling a pending or paid order puts its stock back."
    )
    async def update_order_status(self, id: strawberry.ID, status: OrderStatus) -> Order:
        return Order.from_document(await service.change_status(id, status))
