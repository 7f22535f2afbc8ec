"""Sign-in sessions. Only a hash of the bearer token is stored; MongoDB's TTL
monitor deletes a session at `expires_at` (and it is refused from that moment)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from graphql_api.models.base import TimestampedDocument


class Session(TimestampedDocument):
    token_hash: str = Field(min_length=64, max_length=64)  # SHA-256 hex of the token
    user_id: PydanticObjectId
    data: dict[str, Any] = Field(default_factory=dict)
    user_agent: str | None = Field(default=None, max_length=300)
    address: str | None = None
    expires_at: datetime

    class Settings:
        name = "sessions"
        indexes = [
            IndexModel([("token_hash", ASCENDING)], unique=True, name="token_hash_unique"),
            IndexModel([("user_id", ASCENDING)], name="user"),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl"),
        ]
