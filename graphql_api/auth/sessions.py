"""Sign-in sessions: created at login, found by token hash, slid on use, ended on logout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
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
    viewer = await find(hash_token(token))
    return await touch(settings, viewer) if viewer is not None else None


async def find(token_hash: str) -> Viewer | None:
    """The current state of a session and its user, in one round trip."""
    now = utcnow()
    cursor = await collection().aggregate(
        [
            {"$match": {"token_hash": token_hash, "expires_at": {"$gt": now}}},
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
    return Viewer(
        user_id=user["_id"],
        roles=frozenset(user.get("roles", ())),
        session_id=session["_id"],
        user=user,
        expires_at=session["expires_at"],
        touched_at=session["updated_at"],
    )


def touch_due(settings: Settings, viewer: Viewer, now: datetime) -> bool:
    """Whether a request at `now` slides the session's expiry (`touch` writes)."""
    return viewer.touched_at is not None and (
        (now - viewer.touched_at).total_seconds() >= settings.session_touch_interval_seconds
    )


async def touch(settings: Settings, viewer: Viewer) -> Viewer:
    """Slide the session's expiry, but not on every request of a busy client."""
    now = utcnow()
    if not touch_due(settings, viewer, now):
        return viewer
    expires_at = now + timedelta(seconds=settings.session_ttl_seconds)
    await collection().update_one(
        {"_id": viewer.session_id}, {"$set": {"updated_at": now, "expires_at": expires_at}}
    )
    return replace(viewer, expires_at=expires_at, touched_at=now)


async def still_valid(
    session_ids: list[ObjectId],
) -> dict[ObjectId, tuple[frozenset[str], datetime]]:
    """Of `session_ids`, those still valid: their user's current roles and their expiry.

    Two queries, however many sessions.
    """
    now = utcnow()
    found = await (
        collection()
        .find(
            {"_id": {"$in": session_ids}, "expires_at": {"$gt": now}},
            {"user_id": 1, "expires_at": 1},
        )
        .to_list()
    )
    users = (
        await User.get_pymongo_collection()
        .find(
            {"_id": {"$in": list({session["user_id"] for session in found})}, "is_active": True},
            {"roles": 1},
        )
        .to_list()
    )
    roles = {user["_id"]: frozenset(user.get("roles", ())) for user in users}
    return {
        session["_id"]: (roles[session["user_id"]], session["expires_at"])
        for session in found
        if session["user_id"] in roles
    }


# Called after sessions end in this process, before the change stream tells
# every process: a request right after a logout, on the same process, is refused.
_end_listeners: list[Callable[..., None]] = []


def on_end(listener: Callable[..., None]) -> Callable[[], None]:
    """Call `listener(session_id=…, user_id=…)` when sessions end here; returns the remover."""
    _end_listeners.append(listener)
    return lambda: _end_listeners.remove(listener)


def _ended(**which: Any) -> None:
    for listener in list(_end_listeners):
        listener(**which)


async def end(session_id: ObjectId) -> None:
    try:
        await collection().delete_one({"_id": session_id})
    finally:
        _ended(session_id=session_id)


async def end_all(user_id: ObjectId, *, except_session: ObjectId | None = None) -> int:
    filter: dict[str, Any] = {"user_id": user_id}
    if except_session is not None:
        filter["_id"] = {"$ne": except_session}
    try:
        return (await collection().delete_many(filter)).deleted_count
    finally:
        _ended(user_id=user_id)


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
