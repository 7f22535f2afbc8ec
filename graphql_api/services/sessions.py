"""Data a client keeps on its current session: bounded in size, depth and key names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
from bson import ObjectId
from pymongo import ReturnDocument

from graphql_api.auth import sessions as auth_sessions
from graphql_api.errors import BadUserInput, Unauthenticated
from graphql_api.models import Session, utcnow
from graphql_api.validation import validate_fields

MAX_DATA_BYTES = 16 * 1024
MAX_DATA_DEPTH = 20


def _check_shape(value: Any, depth: int = 0) -> None:
    """Bounded nesting, and keys MongoDB stores as they are ($ would be an operator)."""
    if depth > MAX_DATA_DEPTH:
        raise BadUserInput(
            f"Session data nests deeper than {MAX_DATA_DEPTH} levels.", argument="data"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("$") or "\x00" in key:
                raise BadUserInput(f"Key {key!r} is not allowed in session data.", argument="data")
            _check_shape(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_shape(item, depth + 1)


async def sessions_of(user_id: ObjectId) -> list[dict[str, Any]]:
    """A user's sessions, most recently used first, without their token hashes."""
    return await auth_sessions.of_user(user_id)


async def set_data(session_id: ObjectId, data: Any, ttl_seconds: int) -> dict[str, Any]:
    """Replace the session's data and slide its expiry; UNAUTHENTICATED once it ended."""
    values = validate_fields(Session, {"data": data})
    _check_shape(values["data"])
    if len(orjson.dumps(values["data"])) > MAX_DATA_BYTES:
        raise BadUserInput("Session data is limited to 16 KiB.", argument="data")
    now = utcnow()
    doc = await auth_sessions.collection().find_one_and_update(
        {"_id": session_id},
        {
            "$set": {
                "data": values["data"],
                "updated_at": now,
                "expires_at": now + timedelta(seconds=ttl_seconds),
            }
        },
        projection={"token_hash": 0},
        return_document=ReturnDocument.AFTER,
    )
    if doc is None:  # logged out meanwhile
        raise Unauthenticated("This session has ended.")
    return doc
