from decimal import Decimal

from pydantic import Field

from .base_model import BaseModel
from .enums import OrderStatus


class PlaceOrder(BaseModel):
    place_order: "PlaceOrderPlaceOrder" = Field(alias="placeOrder")


class PlaceOrderPlaceOrder(BaseModel):
    id: str
    status: OrderStatus
    total: Decimal
    items: list["PlaceOrderPlaceOrderItems"]


class PlaceOrderPlaceOrderItems(BaseModel):
    sku: str
    quantity: int
    unit_price: Decimal = Field(alias="unitPrice")


PlaceOrder.model_rebuild()
PlaceOrderPlaceOrder.model_rebuild()
