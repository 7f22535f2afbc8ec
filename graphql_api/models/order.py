"""Orders and their line items; prices are copied at purchase time."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from graphql_api.models.base import CreatedAt, UpdatedAt
from graphql_api.models.exposed import Exposed
from graphql_api.models.money import Money
from graphql_api.models.product import Name, Sku


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
    sku: Annotated[Sku, Exposed()]
    name: Annotated[Name, Exposed("The product's name at purchase.")]
    quantity: Annotated[int, Exposed()] = Field(ge=1)
    unit_price: Annotated[Money, Exposed("The price paid for one.")]


class Order(Document):
    user_id: PydanticObjectId
    items: Annotated[list[LineItem], Exposed()] = Field(min_length=1)
    total: Annotated[Money, Exposed("The sum of the line items.")]
    status: Annotated[OrderStatus, Exposed()] = OrderStatus.PENDING
    created_at: CreatedAt
    updated_at: UpdatedAt

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
