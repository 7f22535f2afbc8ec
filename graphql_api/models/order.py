"""Orders and their line items; prices are copied at purchase time."""

from __future__ import annotations

from enum import StrEnum

from beanie import PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from graphql_api.models.base import TimestampedDocument
from graphql_api.models.product import Money, Name, Sku


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# The fulfilment workflow: where an order may go from each status.
ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# Statuses whose money counts as revenue.
REVENUE_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED)


class LineItem(BaseModel):
    sku: Sku
    name: Name
    quantity: int = Field(ge=1)
    unit_price: Money


class Order(TimestampedDocument):
    user_id: PydanticObjectId
    items: list[LineItem] = Field(min_length=1)
    total: Money
    status: OrderStatus = OrderStatus.PENDING

    class Settings:
        name = "orders"
        indexes = [
            IndexModel(
                [("status", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="status_newest",
            ),
            IndexModel(
                [("user_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="user_newest",
            ),
            IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)], name="newest"),
        ]
