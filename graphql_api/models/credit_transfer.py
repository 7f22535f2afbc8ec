"""The credits ledger: one immutable entry per movement of credits."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from graphql_api.models.base import utcnow


class CreditTransfer(Document):
    # None for credits granted by the system rather than sent by a user.
    from_user_id: PydanticObjectId | None
    to_user_id: PydanticObjectId
    amount: int = Field(gt=0)
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "credit_transfers"
        indexes = [
            IndexModel(
                [("from_user_id", ASCENDING), ("created_at", DESCENDING)], name="from_newest"
            ),
            IndexModel([("to_user_id", ASCENDING), ("created_at", DESCENDING)], name="to_newest"),
        ]
