"""Client idempotency keys: what a retried mutation already did, for a while.

One document per (user, key), written in the same transaction as the effect it
records, so an effect can never be applied without its key (nor the key kept
without the effect). `result` is the mutation's original result, replayed to a
retry; MongoDB's TTL monitor removes the key after `expires_at`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel

MAX_KEY_LENGTH = 128


class IdempotencyKey(Document):
    user_id: PydanticObjectId
    key: str
    operation: str
    # A hash of the operation's arguments: the same key with other input is refused.
    fingerprint: str
    result: dict[str, Any]
    created_at: datetime
    expires_at: datetime

    class Settings:
        name = "idempotency_keys"
        indexes = [
            IndexModel([("user_id", ASCENDING), ("key", ASCENDING)], unique=True, name="user_key"),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl"),
        ]
