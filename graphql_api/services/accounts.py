"""Accounts: sign-up with a password, sign-in, password changes, sign-out."""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from graphql_api.auth import sessions, throttle
from graphql_api.auth.passwords import Passwords
from graphql_api.auth.viewer import Viewer
from graphql_api.errors import BadUserInput, Unauthenticated
from graphql_api.models import User, utcnow
from graphql_api.services.common import conflict
from graphql_api.services.users import UNIQUE_FIELDS, collection
from graphql_api.settings import Settings
from graphql_api.validation import build

WRONG_CREDENTIALS = "Wrong username or password."


async def sign_up(
    passwords: Passwords, *, username: str, email: str, password: str
) -> dict[str, Any]:
    passwords.check_policy(password)
    # Validate the rest first: no hashing work for input that fails anyway.
    build(User, username=username, email=email, password_hash="-")  # noqa: S106
    user = build(User, username=username, email=email, password_hash=await passwords.hash(password))
    try:
        await user.insert()
    except DuplicateKeyError as error:
        raise conflict(error, UNIQUE_FIELDS, "user") from None
    return user.model_dump(by_alias=True)


async def login(
    settings: Settings,
    passwords: Passwords,
    *,
    username: str,
    password: str,
    address: str | None,
    user_agent: str | None,
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A new session's token, the session, and the user. Every refusal looks the same."""
    username = username.strip()
    if not username or len(username) > 320 or len(password) > 1024:
        raise BadUserInput("Give a username (or email) and a password.")
    await throttle.check(settings, username, address)
    field = "email" if "@" in username else "username"
    value = username.lower() if field == "email" else username
    user = await collection().find_one({field: value})
    if not await passwords.verify(user["password_hash"] if user else None, password):
        await throttle.record_failure(settings, username, address)
        raise Unauthenticated(WRONG_CREDENTIALS)
    if not user["is_active"]:
        raise Unauthenticated(WRONG_CREDENTIALS)
    await throttle.clear_account(settings, username)
    if passwords.needs_rehash(user["password_hash"]):
        await collection().update_one(
            {"_id": user["_id"]}, {"$set": {"password_hash": await passwords.hash(password)}}
        )
    token, session = await sessions.start(
        settings, user["_id"], user_agent=user_agent, address=address
    )
    user.pop("password_hash", None)
    return token, session, user


async def change_password(
    passwords: Passwords, viewer: Viewer, *, current_password: str, new_password: str
) -> int:
    """Set a new password and end every other session; returns how many ended."""
    passwords.check_policy(new_password, "newPassword")
    user = await collection().find_one({"_id": viewer.user_id}, {"password_hash": 1})
    if user is None or not await passwords.verify(user["password_hash"], current_password):
        raise BadUserInput("The current password is wrong.", argument="currentPassword")
    await collection().update_one(
        {"_id": viewer.user_id},
        {"$set": {"password_hash": await passwords.hash(new_password), "updated_at": utcnow()}},
    )
    return await sessions.end_all(viewer.user_id, except_session=viewer.session_id)
