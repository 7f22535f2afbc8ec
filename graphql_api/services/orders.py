"""Orders: placing them atomically against stock, and moving them through fulfilment."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from graphql_api.auth.rules import can_see_order, ensure_can_change_order_status
from graphql_api.auth.viewer import Viewer
from graphql_api.errors import (
    BadUserInput,
    InvalidStatusTransition,
    NotFound,
    OutOfStock,
)
from graphql_api.models import (
    LineItem,
    Order,
    OrderStatus,
    Product,
    User,
    utcnow,
)
from graphql_api.models.money import to_decimal
from graphql_api.pagination import ListQuery
from graphql_api.services.common import atomic, date_range, in_transaction
from graphql_api.services.lists import Relation, RootList, by_creation
from graphql_api.services.products import normalise_sku
from graphql_api.validation import build

MAX_LINE_ITEMS = 100
MAX_QUANTITY = 10_000
MAX_STOCK = 2**31 - 1  # the largest GraphQL Int
# Orders leaving these statuses for `cancelled` give their stock back.
_RESTOCK_ON_CANCEL = {OrderStatus.PENDING, OrderStatus.PAID}


OrderSort = by_creation("OrderSort")


def collection():
    return Order.get_pymongo_collection()


def orders_query(
    *,
    status: OrderStatus | None = None,
    user_id: ObjectId | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    sort: OrderSort = OrderSort.NEWEST_FIRST,
) -> ListQuery:
    """A user's orders walk (user_id, created_at) and check the status on the
    way (one user has few orders); otherwise (status, created_at) or (created_at)."""
    filter: dict[str, Any] = {}
    index = "newest"
    residual: tuple[str, ...] = ()
    if user_id is not None:
        filter["user_id"] = user_id
        index = "user_newest"
    if status is not None:
        filter["status"] = status.value
        if user_id is None:
            index = "status_newest"
        else:
            residual = ("status",)
    if created := date_range(created_after, created_before):
        filter["created_at"] = created
    return ListQuery(filter, sort.value, index, residual)


ORDERS_OF_USER = Relation(
    name="orders_of_user",
    parent=User,
    child=Order,
    foreign_field="user_id",
    query=lambda sort: orders_query(sort=sort),
    default_sort=OrderSort.NEWEST_FIRST,
)


def list_orders(**filters: Any) -> RootList:
    """All orders (administrators), by `orders_query`'s filters."""
    return RootList(Order, orders_query(**filters))


async def visible_order(viewer: Viewer, order_id: ObjectId) -> dict[str, Any]:
    """The order's buyer, if `viewer` may see it; someone else's order reads as missing."""
    order = await collection().find_one({"_id": order_id}, {"user_id": 1})
    if order is None or not can_see_order(viewer, order):
        raise NotFound("No such order.", argument="orderId")
    return order


def _products():
    return Product.get_pymongo_collection()


def _quantities(items: list[tuple[str, int]]) -> Counter[str]:
    if not items:
        raise BadUserInput("An order needs at least one line item.", argument="items")
    if len(items) > MAX_LINE_ITEMS:
        raise BadUserInput(f"An order takes at most {MAX_LINE_ITEMS} line items.")
    quantities: Counter[str] = Counter()
    for sku, quantity in items:
        if not 1 <= quantity <= MAX_QUANTITY:
            raise BadUserInput(
                f"Quantity for {sku} must be between 1 and {MAX_QUANTITY}.", argument="quantity"
            )
        quantities[normalise_sku(sku)] += quantity
    return quantities


async def place_order(*, user_id: ObjectId, items: list[tuple[str, int]]) -> dict[str, Any]:
    """Take the stock and insert the order in one transaction: all or nothing.

    Each product's stock is decremented only if enough is left (a conditional
    `$inc`), so concurrent orders can never oversell; if any line fails the
    transaction aborts and no stock moves. `user_id` is the signed-in viewer:
    authentication has checked it is active.
    """
    quantities = _quantities(items)

    async def take_stock_and_insert(session: AsyncClientSession) -> dict[str, Any]:
        now = utcnow()
        line_items = []
        # Sorted so that concurrent orders touch products in the same order.
        for sku, quantity in sorted(quantities.items()):
            product = await _products().find_one_and_update(
                {"sku": sku, "stock": {"$gte": quantity}},
                {"$inc": {"stock": -quantity}, "$set": {"updated_at": now}},
                projection={"name": 1, "price": 1},
                session=session,
            )
            if product is None:
                current = await _products().find_one({"sku": sku}, {"stock": 1}, session=session)
                if current is None:
                    raise NotFound(f"No product with sku {sku}.", sku=sku)
                raise OutOfStock(
                    f"Only {current['stock']} of {sku} left, {quantity} requested.",
                    sku=sku,
                    available=current["stock"],
                    requested=quantity,
                )
            line_items.append(
                LineItem(
                    sku=sku,
                    name=product["name"],
                    quantity=quantity,
                    unit_price=to_decimal(product["price"]),
                )
            )
        total = sum((item.unit_price * item.quantity for item in line_items), Decimal("0.00"))
        order = build(
            Order, user_id=user_id, items=line_items, total=total, created_at=now, updated_at=now
        )
        await order.insert(session=session)
        return order.model_dump(by_alias=True)

    return await in_transaction(Order, take_stock_and_insert)


async def change_status(viewer: Viewer, order_id: ObjectId, status: OrderStatus) -> dict[str, Any]:
    """Move an order along ALLOWED_TRANSITIONS.

    Who may make which move is `ensure_can_change_order_status`'s (auth/rules).
    The update is conditional on the status it was checked against, so two
    concurrent changes cannot both apply (no lost write); cancelling gives the
    stock back in the same transaction.
    """
    order = await collection().find_one({"_id": order_id}, {"status": 1, "items": 1, "user_id": 1})
    current = ensure_can_change_order_status(viewer, order, status)

    async def apply(session: AsyncClientSession | None) -> dict[str, Any]:
        now = utcnow()
        updated = await collection().find_one_and_update(
            {"_id": order_id, "status": current.value},
            {"$set": {"status": status.value, "updated_at": now}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if updated is None:
            raise InvalidStatusTransition(
                "The order's status changed meanwhile; read it again and retry.",
                current=None,
                requested=status.value,
            )
        if status is OrderStatus.CANCELLED and current in _RESTOCK_ON_CANCEL:
            await _restock(order["items"], now, session)
        return updated

    if status is OrderStatus.CANCELLED:
        return await in_transaction(Order, apply)
    return await atomic(Order, apply)  # a transaction only to record an idempotency key


async def _restock(
    items: list[dict[str, Any]], now: datetime, session: AsyncClientSession | None
) -> None:
    """Give the stock back, never past MAX_STOCK: `Product.stock` is a GraphQL Int, and an
    admin may have raised the stock to the top meanwhile."""
    for item in items:
        quantity = item["quantity"]
        restocked = await _products().update_one(
            {"sku": item["sku"], "stock": {"$lte": MAX_STOCK - quantity}},
            {"$inc": {"stock": quantity}, "$set": {"updated_at": now}},
            session=session,
        )
        if not restocked.matched_count:
            await _products().update_one(
                {"sku": item["sku"]},
                {"$set": {"stock": MAX_STOCK, "updated_at": now}},
                session=session,
            )
