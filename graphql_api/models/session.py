"""Server-side sessions; MongoDB's TTL monitor deletes them at `expires_at`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from graphql_api.models.base import TimestampedDocument


class Session(TimestampedDocument):
    key: str = Field(min_length=1, max_length=200)
    user_id: PydanticObjectId | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    expires_at: datetime

    class Settings:
        name = "sessions"
        indexes = [
            IndexModel([("key", ASCENDING)], unique=True, name="key_unique"),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl"),
        ]
