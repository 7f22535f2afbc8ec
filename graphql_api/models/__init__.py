"""Beanie documents, one module per collection, indexes declared on each model."""

from graphql_api.models.base import utcnow
from graphql_api.models.credit_transfer import CreditTransfer
from graphql_api.models.idempotency_key import IdempotencyKey
from graphql_api.models.login_attempt import LoginAttempt
from graphql_api.models.order import (
    ALLOWED_TRANSITIONS,
    REVENUE_STATUSES,
    LineItem,
    Order,
    OrderStatus,
)
from graphql_api.models.post import Post
from graphql_api.models.product import Product
from graphql_api.models.session import Session
from graphql_api.models.user import Role, User

DOCUMENT_MODELS = (
    User,
    Post,
    Product,
    Order,
    Session,
    CreditTransfer,
    LoginAttempt,
    IdempotencyKey,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "DOCUMENT_MODELS",
    "REVENUE_STATUSES",
    "CreditTransfer",
    "IdempotencyKey",
    "LineItem",
    "LoginAttempt",
    "Order",
    "OrderStatus",
    "Post",
    "Product",
    "Role",
    "Session",
    "User",
    "utcnow",
]
