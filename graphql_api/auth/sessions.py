"""Sign-in sessions: created at login, found by token hash, slid on use, ended on logout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bson import ObjectId

from graphql_api.auth.tokens import hash_token, new_token
from graphql_api.auth.viewer import Viewer
from graphql_api.models import Session, User, utcnow
from graphql_api.settings import Settings


def collection():
    return Session.get_pymongo_collection()


async def start(
    settings: Settings, user_id: ObjectId, *, user_agent: str | None, address: str | None
) -> tuple[str, dict[str, Any]]:
    """A new session for `user_id`: the token (shown once) and the stored document."""
    token = new_token()
    now = utcnow()
    session = Session(
        token_hash=hash_token(token),
        user_id=user_id,
        user_agent=(user_agent or "")[:300] or None,
        address=address,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(seconds=settings.session_ttl_seconds),
    )
    await session.insert()
    return token, session.model_dump(by_alias=True)


async def authenticate(settings: Settings, token: str) -> Viewer | None:
    """The viewer behind `token`, in one round trip; None if the session is not valid.

    Expired sessions are refused even before MongoDB's TTL monitor deletes them,
    and a deactivated user's sessions stop working at once.
    """
    now = utcnow()
    cursor = await collection().aggregate(
        [
            {"$match": {"token_hash": hash_token(token), "expires_at": {"$gt": now}}},
            {"$limit": 1},
            {
                "$lookup": {
                    "from": User.get_collection_name(),
                    "localField": "user_id",
                    "foreignField": "_id",
                    "pipeline": [
                        {"$match": {"is_active": True}},
                        {"$project": {"password_hash": 0}},
                    ],
                    "as": "user",
                }
            },
        ]
    )
    found = await cursor.to_list()
    if not found or not found[0]["user"]:
        return None
    session, user = found[0], found[0]["user"][0]
    if (now - session["updated_at"]).total_seconds() >= settings.session_touch_interval_seconds:
        # Slide the expiry, but not on every request of a busy client.
        await collection().update_one(
            {"_id": session["_id"]},
            {
                "$set": {
                    "updated_at": now,
                    "expires_at": now + timedelta(seconds=settings.session_ttl_seconds),
                }
            },
        )
    return Viewer(
        user_id=user["_id"],
        roles=frozenset(user.get("roles", ())),
        session_id=session["_id"],
        user=user,
    )


async def end(session_id: ObjectId) -> None:
    await collection().delete_one({"_id": session_id})


async def end_all(user_id: ObjectId, *, except_session: ObjectId | None = None) -> int:
    filter: dict[str, Any] = {"user_id": user_id}
    if except_session is not None:
        filter["_id"] = {"$ne": except_session}
    return (await collection().delete_many(filter)).deleted_count


async def of_user(user_id: ObjectId) -> list[dict[str, Any]]:
    return (
        await collection()
        .find(
            {"user_id": user_id, "expires_at": {"$gt": utcnow()}},
            {"token_hash": 0},
            sort=[("updated_at", -1)],
        )
        .to_list()
    )
