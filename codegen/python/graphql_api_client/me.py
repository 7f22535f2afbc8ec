from decimal import Decimal
from typing import Optional

from .base_model import BaseModel
from .enums import OrderStatus


class Me(BaseModel):
    me: Optional["MeMe"]


class MeMe(BaseModel):
    id: str
    username: str
    email: Optional[str]
    credits: Optional[int]
    orders: Optional["MeMeOrders"]


class MeMeOrders(BaseModel):
    edges: list["MeMeOrdersEdges"]


class MeMeOrdersEdges(BaseModel):
    node: "MeMeOrdersEdgesNode"


class MeMeOrdersEdgesNode(BaseModel):
    id: str
    status: OrderStatus
    total: Decimal


Me.model_rebuild()
MeMe.model_rebuild()
MeMeOrders.model_rebuild()
MeMeOrdersEdges.model_rebuild()
