"""Accounts: sign-up with a password, sign-in, password changes.

Each operation either fails with nothing done or succeeds and says so: every
check that can refuse (throttling, a busy hashing pool, the password itself)
runs before the first write. A password change and the sessions it ends commit
in one transaction; a sign-up whose first session cannot start deletes the
account it just inserted. Sign-out is the sessions' (`auth/sessions.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError, PyMongoError

from graphql_api.auth import sessions, throttle
from graphql_api.auth.passwords import Passwords
from graphql_api.auth.viewer import Viewer
from graphql_api.errors import BadUserInput, Conflict, ServiceBusy, Unauthenticated
from graphql_api.models import Session, User, utcnow
from graphql_api.models.user import normalise_email, username_key
from graphql_api.services.common import in_transaction
from graphql_api.services.users import collection, user_conflict, username_taken
from graphql_api.settings import Settings
from graphql_api.validation import build

logger = logging.getLogger(__name__)

WRONG_CREDENTIALS = "Wrong username or password."

SignedIn = tuple[str, dict[str, Any], dict[str, Any]]  # token, session, user


async def sign_up(
    settings: Settings,
    passwords: Passwords,
    *,
    username: str,
    email: str,
    password: str,
    address: str | None,
    user_agent: str | None,
) -> SignedIn:
    """Create the account and its first session: both, or neither."""
    passwords.check_policy(password)
    # Validate the rest first: no hashing work for input that fails anyway.
    probe = build(User, username=username, email=email, password_hash="-")  # noqa: S106
    # A taken name or email is refused before the hash (the insert's unique indexes
    # still decide races): a flood of sign-ups for `admin` must not fill the hashing
    # pool that every login needs. The CONFLICT tells no more than the insert would.
    taken = await collection().find_one(
        {"$or": [{"username_key": probe.username_key}, {"email": probe.email}]},
        {"username_key": 1, "email": 1},
    )
    if taken is not None:
        raise _taken(taken, probe)
    user = build(User, username=username, email=email, password_hash=await passwords.hash(password))
    try:
        await user.insert()
    except DuplicateKeyError as error:
        raise user_conflict(error) from None
    try:
        token, session = await sessions.start(
            settings, user.id, user_agent=user_agent, address=address
        )
    except BaseException:
        # No session, so no account either: the client may simply try again.
        await asyncio.shield(_undo_sign_up(user.id))
        raise
    doc = user.model_dump(by_alias=True)
    doc.pop("password_hash", None)
    return token, session, doc


def _taken(found: dict[str, Any], probe: User) -> Conflict:
    if found.get("username_key") == probe.username_key:
        return username_taken()
    return Conflict("A user with this email already exists.", field="email")


async def _undo_sign_up(user_id: ObjectId | None) -> None:
    try:
        await collection().delete_one({"_id": user_id})
    except PyMongoError:
        logger.exception("Sign-up of %s failed half-way and could not be undone", user_id)


def find_by_identifier(identifier: str) -> tuple[dict[str, Any], str]:
    """The filter for a typed username or email, and the counter name for unknown ones."""
    if "@" in normalise_email(identifier):  # a fullwidth at sign is one too
        email = normalise_email(identifier)
        return {"email": email}, f"email:{email}"
    key = username_key(identifier)
    return {"username_key": key}, f"name:{key}"


async def login(
    settings: Settings,
    passwords: Passwords,
    *,
    username: str,
    password: str,
    address: str | None,
    user_agent: str | None,
) -> SignedIn:
    """A new session's token, the session, and the user. Every refusal looks the same."""
    username = username.strip()
    if not username or len(username) > 320 or len(password) > 1024:
        raise BadUserInput("Give a username (or email) and a password.")
    filter, unknown = find_by_identifier(username)
    user = await collection().find_one(filter)
    account = str(user["_id"]) if user else unknown
    # Reserve the attempt before checking: concurrent guesses can't all get through.
    reservation = await throttle.reserve(settings, account, address)
    try:
        right = await passwords.verify(user["password_hash"] if user else None, password)
    except ServiceBusy:
        await reservation.cancel()
        raise
    if not right or not user["is_active"]:
        raise Unauthenticated(WRONG_CREDENTIALS)
    await reservation.succeeded()
    if passwords.needs_rehash(user["password_hash"]):
        with contextlib.suppress(ServiceBusy):  # busy: next time, the old hash still works
            await collection().update_one(
                {"_id": user["_id"]}, {"$set": {"password_hash": await passwords.hash(password)}}
            )
    token, session = await sessions.start(
        settings, user["_id"], user_agent=user_agent, address=address
    )
    user.pop("password_hash", None)
    return token, session, user


async def change_password(
    settings: Settings,
    passwords: Passwords,
    viewer: Viewer,
    *,
    current_password: str,
    new_password: str,
    address: str | None,
) -> int:
    """Set a new password and end every other session; returns how many ended.

    The current password is a guess like a login's, limited by the same counters.
    """
    passwords.check_policy(new_password, "newPassword")
    if len(current_password) > 1024:
        raise BadUserInput("The current password is wrong.", argument="currentPassword")
    user = await collection().find_one({"_id": viewer.user_id}, {"password_hash": 1})
    if user is None:
        raise Unauthenticated("This session's user no longer exists.")
    reservation = await throttle.reserve(settings, str(viewer.user_id), address)
    try:
        new_hash = await passwords.replace(user["password_hash"], current_password, new_password)
    except ServiceBusy:
        await reservation.cancel()
        raise
    if new_hash is None:
        raise BadUserInput("The current password is wrong.", argument="currentPassword")
    await reservation.succeeded()

    async def change(session: Any) -> int:
        changed = await collection().update_one(
            # Unchanged since we checked it: two concurrent changes don't both win.
            {"_id": viewer.user_id, "password_hash": user["password_hash"]},
            {"$set": {"password_hash": new_hash, "updated_at": utcnow()}},
            session=session,
        )
        if not changed.modified_count:
            raise Conflict("The password was changed meanwhile; nothing was done.")
        others = {"user_id": viewer.user_id, "_id": {"$ne": viewer.session_id}}
        ended = await Session.get_pymongo_collection().delete_many(others, session=session)
        return ended.deleted_count

    return await in_transaction(User, change)
