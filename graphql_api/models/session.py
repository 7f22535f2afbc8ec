"""Sign-in sessions. Only a hash of the bearer token is stored; MongoDB's TTL
monitor deletes a session at `expires_at` (and it is refused from that moment)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from graphql_api.models.base import CreatedAt, UpdatedAt
from graphql_api.models.exposed import Exposed


class Session(Document):
    token_hash: str = Field(min_length=64, max_length=64)  # SHA-256 hex of the token
    user_id: PydanticObjectId
    data: Annotated[dict[str, Any], Exposed("What the client keeps on this session.")] = Field(
        default_factory=dict
    )
    user_agent: Annotated[str | None, Exposed()] = Field(default=None, max_length=300)
    address: str | None = None
    created_at: CreatedAt
    updated_at: UpdatedAt
    expires_at: Annotated[datetime, Exposed("Slides forward while the session is used.")]

    class Settings:
        name = "sessions"
        indexes = [
            IndexModel([("token_hash", ASCENDING)], unique=True, name="token_hash_unique"),
            IndexModel([("user_id", ASCENDING)], name="user"),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl"),
        ]
