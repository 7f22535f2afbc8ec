"""Orders: checkout against stock, the fulfilment workflow, order lists."""

from datetime import datetime

import strawberry

from graphql_api import models
from graphql_api.auth.rules import IsAdmin, IsAuthenticated, can_see_order, require_viewer
from graphql_api.schema.connections import connection_field
from graphql_api.schema.context import Info
from graphql_api.schema.idempotency import IdempotencyKey, idempotent
from graphql_api.schema.products import Product
from graphql_api.schema.relay import Node, parse_id, parse_optional_id
from graphql_api.schema.stored import reads, relation, stored_type
from graphql_api.schema.users import User
from graphql_api.services import orders as service
from graphql_api.services.lists import PageSource
from graphql_api.services.orders import OrderSort as _OrderSort

OrderSort = strawberry.enum(_OrderSort, name="OrderSort", description="Orders of order lists.")

OrderStatus = strawberry.enum(
    models.OrderStatus,
    description="PENDING -> PAID -> SHIPPED -> COMPLETED; PENDING or PAID -> CANCELLED.",
)


@stored_type(
    models.LineItem, description="One product in an order, at the price paid.", identity=None
)
class LineItem:
    @strawberry.field(
        description="The product as it is now; null if it was deleted.", metadata=reads("sku")
    )
    async def product(self, info: Info) -> Product | None:
        doc = await info.context.loaders.product_by_sku.load(self.sku)
        return Product.from_document(doc) if doc else None


@stored_type(models.Order, description="A purchase of products by a user.")
class Order(Node):
    @strawberry.field(
        description="Who placed the order.", metadata=relation("user_by_id", "user_id")
    )
    async def user(self, info: Info) -> User | None:
        doc = await info.context.loaders.user_by_id.load(self._document["user_id"])
        return User.from_document(doc) if doc else None


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


@strawberry.type
class OrderQueries:
    @strawberry.field(
        description="An order by id (its buyer and admins), or null.",
        permission_classes=[IsAuthenticated],
    )
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        doc = await info.context.loaders.order_by_id.load(parse_id(id, "Order"))
        if doc is None or not can_see_order(await require_viewer(info), doc):
            return None  # someone else's order reads as a missing one
        return Order.from_document(doc)

    @connection_field(
        Order,
        description="All orders, newest first unless `sort` says otherwise (admins). "
        "Buyers see theirs as `me { orders }`.",
        permission_classes=[IsAdmin],
    )
    async def orders(
        self,
        info: Info,
        filter: OrderFilter | None = None,
        sort: OrderSort = _OrderSort.NEWEST_FIRST,
    ) -> PageSource | None:
        filter = filter or OrderFilter()
        return service.list_orders(
            status=filter.status,
            user_id=parse_optional_id(filter.user_id, "User", "userId"),
            created_after=filter.created_after,
            created_before=filter.created_before,
            sort=sort,
        )


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="Buy products. Stock is taken and the order written in one transaction; "
        "if any line is out of stock (OUT_OF_STOCK) nothing changes.",
        permission_classes=[IsAuthenticated],
    )
    async def place_order(
        self, info: Info, input: PlaceOrderInput, idempotency_key: IdempotencyKey = None
    ) -> Order:
        buyer = await require_viewer(info)
        items = [(item.sku, item.quantity) for item in input.items]
        return Order.from_document(
            await idempotent(
                info,
                idempotency_key,
                "placeOrder",
                items,
                lambda: service.place_order(user_id=buyer.user_id, items=items),
            )
        )

    @strawberry.mutation(
        description="Move an order along its workflow (INVALID_STATUS_TRANSITION otherwise): "
        "admins run fulfilment; buyers may cancel their pending orders. Cancelling a pending "
        "or paid order puts its stock back.",
        permission_classes=[IsAuthenticated],
    )
    async def update_order_status(
        self,
        info: Info,
        id: strawberry.ID,
        status: OrderStatus,
        idempotency_key: IdempotencyKey = None,
    ) -> Order:
        order_id, actor = parse_id(id, "Order"), await require_viewer(info)
        return Order.from_document(
            await idempotent(
                info,
                idempotency_key,
                "updateOrderStatus",
                [str(order_id), status],
                lambda: service.change_status(actor, order_id, status),
            )
        )
