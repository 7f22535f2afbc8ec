from pydantic import Field

from .base_model import BaseModel
from .enums import OrderStatus


class FollowOrder(BaseModel):
    order_status_changed: "FollowOrderOrderStatusChanged" = Field(
        alias="orderStatusChanged"
    )


class FollowOrderOrderStatusChanged(BaseModel):
    id: str
    status: OrderStatus


FollowOrder.model_rebuild()
