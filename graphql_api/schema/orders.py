"""Orders: checkout against stock, the fulfilment workflow, order lists."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from bson import ObjectId

from graphql_api import models
from graphql_api.auth.rules import IsAdmin, IsAuthenticated, ensure_can_see_order, require_viewer
from graphql_api.pagination import PageRequest
from graphql_api.schema.connections import Connection, Relation, connection, related_connection
from graphql_api.schema.context import Info, page_request
from graphql_api.schema.products import Product
from graphql_api.schema.relay import Node, parse_id, parse_optional_id, to_global_id
from graphql_api.schema.scalars import to_decimal
from graphql_api.schema.selection import projection
from graphql_api.schema.users import User
from graphql_api.services import orders as service
from graphql_api.services import users as users_service
from graphql_api.services.orders import OrderSort as _OrderSort

OrderSort = strawberry.enum(_OrderSort, name="OrderSort", description="Orders of order lists.")

FIELDS = {
    "id": (),
    "databaseId": (),
    "items": ("items",),
    "total": ("total",),
    "status": ("status",),
    "createdAt": ("created_at",),
    "updatedAt": ("updated_at",),
    "user": ("user_id",),
}

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


@strawberry.type(description="A purchase of products by a user.")
class Order(Node):
    database_id: str = strawberry.field(description="The MongoDB ObjectId, as hex.")
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
        get = doc.get
        return cls(
            id=to_global_id("Order", doc["_id"]),
            database_id=str(doc["_id"]),
            items=[
                LineItem(
                    sku=item["sku"],
                    name=item["name"],
                    quantity=item["quantity"],
                    unit_price=to_decimal(item["unit_price"]),
                )
                for item in get("items", ())
            ],
            total=to_decimal(doc["total"]) if "total" in doc else None,
            status=models.OrderStatus(doc["status"]) if "status" in doc else None,
            created_at=get("created_at"),
            updated_at=get("updated_at"),
            user_id=get("user_id"),
        )


@strawberry.input(description="Which orders to list. All conditions must hold.")
class OrderFilter:
    status: OrderStatus | None = None
    user_id: strawberry.ID | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@strawberry.input
class OrderItemInput:
    sku: str
    quantity: int = strawberry.field(description="At least 1.")


@strawberry.input(description="The buyer is the signed-in user.")
class PlaceOrderInput:
    items: list[OrderItemInput] = strawberry.field(
        description="Lines with the same sku are merged. Prices are the catalogue's at checkout."
    )


ORDERS_OF_USER = Relation(
    name="orders_of_user",
    parents=users_service.collection,
    children=service.collection,
    foreign_field="user_id",
    query=lambda sort: service.orders_query(sort=sort),
    default_sort=_OrderSort.NEWEST_FIRST,
    fields=FIELDS,
    convert=Order.from_document,
)


async def orders_of_user(
    info: Info, user: User, sort: _OrderSort | None, request: PageRequest
) -> Connection[Order]:
    """`User.orders`, batched over all the users of the request."""
    return await related_connection(info, ORDERS_OF_USER, ObjectId(user.database_id), sort, request)


@strawberry.type
class OrderQueries:
    @strawberry.field(
        description="An order by id (its buyer and admins), or null.",
        permission_classes=[IsAuthenticated],
    )
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        doc = await info.context.loaders.order_by_id.load(parse_id(id, "Order"))
        if doc is None:
            return None
        ensure_can_see_order(await require_viewer(info), doc)
        return Order.from_document(doc)

    @strawberry.field(
        description="All orders, newest first unless `sort` says otherwise (admins). "
        "Buyers see theirs as `me { orders }`.",
        permission_classes=[IsAdmin],
    )
    async def orders(
        self,
        info: Info,
        filter: OrderFilter | None = None,
        sort: OrderSort = _OrderSort.NEWEST_FIRST,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Order]:
        filter = filter or OrderFilter()
        query = service.orders_query(
            status=filter.status,
            user_id=parse_optional_id(filter.user_id, "User", "userId"),
            created_after=filter.created_after,
            created_before=filter.created_before,
            sort=sort,
        )
        return await connection(
            info,
            service.collection(),
            query,
            page_request(first, after, last, before),
            Order.from_document,
            projection(info, FIELDS),
        )


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="Buy products. Stock is taken and the order written in one transaction; "
        "if any line is out of stock (OUT_OF_STOCK) nothing changes.",
        permission_classes=[IsAuthenticated],
    )
    async def place_order(self, info: Info, input: PlaceOrderInput) -> Order:
        buyer = await require_viewer(info)
        items = [(item.sku, item.quantity) for item in input.items]
        return Order.from_document(await service.place_order(user_id=buyer.user_id, items=items))

    @strawberry.mutation(
        description="Move an order along its workflow (INVALID_STATUS_TRANSITION otherwise): "
        "admins run fulfilment; buyers may cancel their pending orders. Cancelling a pending "
        "or paid order puts its stock back.",
        permission_classes=[IsAuthenticated],
    )
    async def update_order_status(
        self, info: Info, id: strawberry.ID, status: OrderStatus
    ) -> Order:
        order_id, actor = parse_id(id, "Order"), await require_viewer(info)
        return Order.from_document(await service.change_status(actor, order_id, status))
