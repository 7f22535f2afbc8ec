"""Session data under a client-chosen key, with a sliding expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from graphql_api.errors import BadUserInput, NotFound
from graphql_api.models import Session, User, utcnow
from graphql_api.validation import validate_fields

MAX_TTL_SECONDS = 30 * 24 * 3600


def _collection():
    return Session.get_pymongo_collection()


async def upsert_session(
    *, key: str, data: dict[str, Any], ttl_seconds: int, user_id: ObjectId | None
) -> dict[str, Any]:
    """Create or replace the data of session `key` and push its expiry forward.

    One atomic upsert: concurrent writers to the same key never create two
    documents (the unique index on `key` backs this; a lost upsert race is
    retried once).
    """
    if not 1 <= ttl_seconds <= MAX_TTL_SECONDS:
        raise BadUserInput(
            f"`ttlSeconds` must be between 1 and {MAX_TTL_SECONDS}.", argument="ttlSeconds"
        )
    values = validate_fields(Session, {"key": key, "data": data})
    now = utcnow()
    changes: dict[str, Any] = {
        "data": values["data"],
        "updated_at": now,
        "expires_at": now + timedelta(seconds=ttl_seconds),
    }
    on_insert: dict[str, Any] = {"created_at": now}
    if user_id is None:
        on_insert["user_id"] = None
    else:
        if not await User.get_pymongo_collection().count_documents({"_id": user_id}, limit=1):
            raise NotFound("No user with this id.", argument="userId")
        changes["user_id"] = user_id
    update = {"$set": changes, "$setOnInsert": on_insert}
    # An expired session the TTL monitor has not removed yet is gone for us:
    # writing to its key starts a new session rather than reviving the old one.
    await _collection().delete_one({"key": values["key"], "expires_at": {"$lte": now}})
    try:
        return await _upsert(values["key"], update)
    except DuplicateKeyError:
        # Two first writes raced; the loser's upsert now finds the winner's document.
        return await _upsert(values["key"], update)


async def _upsert(key: str, update: dict[str, Any]) -> dict[str, Any]:
    return await _collection().find_one_and_update(
        {"key": key}, update, upsert=True, return_document=ReturnDocument.AFTER
    )


async def get_session(key: str) -> dict[str, Any] | None:
    """The live session `key`; an expired one counts as gone even before the TTL monitor runs."""
    return await _collection().find_one({"key": key, "expires_at": {"$gt": utcnow()}})
