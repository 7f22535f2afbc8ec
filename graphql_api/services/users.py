"""Accounts: sign-up, profile, soft deactivation."""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from graphql_api.errors import NotFound
from graphql_api.models import User, utcnow
from graphql_api.pagination import Page, PageRequest, paginate
from graphql_api.services.common import conflict
from graphql_api.validation import build, parse_object_id, validate_fields

_UNIQUE_FIELDS = {"username_unique": "username", "email_unique": "email"}
NEWEST_FIRST = [("created_at", -1), ("_id", -1)]


def _collection():
    return User.get_pymongo_collection()


async def sign_up(*, username: str, email: str) -> dict[str, Any]:
    user = build(User, username=username, email=email)
    try:
        await user.insert()
    except DuplicateKeyError as error:
        raise conflict(error, _UNIQUE_FIELDS, "user") from None
    return user.model_dump(by_alias=True)


async def get_user(user_id: str) -> dict[str, Any] | None:
    return await _collection().find_one({"_id": parse_object_id(user_id)})


async def list_active_users(page: PageRequest, *, default_size: int, max_size: int) -> Page:
    return await paginate(
        _collection(),
        {"is_active": True},
        NEWEST_FIRST,
        page,
        default_size=default_size,
        max_size=max_size,
    )


async def update_profile(user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    oid = parse_object_id(user_id)
    values = validate_fields(User, changes)
    if "email" in values:
        values["email"] = values["email"].lower()
    try:
        user = await _collection().find_one_and_update(
            {"_id": oid},
            {"$set": {**values, "updated_at": utcnow()}},
            return_document=ReturnDocument.AFTER,
        )
    except DuplicateKeyError as error:
        raise conflict(error, _UNIQUE_FIELDS, "user") from None
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


async def deactivate_user(user_id: str) -> dict[str, Any]:
    """Soft delete: the document stays (orders and posts point at it)."""
    oid = parse_object_id(user_id)
    now = utcnow()
    user = await _collection().find_one_and_update(
        {"_id": oid, "is_active": True},
        {"$set": {"is_active": False, "deactivated_at": now, "updated_at": now}},
        return_document=ReturnDocument.AFTER,
    )
    if user is None:
        # Already deactivated (idempotent) or unknown.
        user = await _collection().find_one({"_id": oid})
        if user is None:
            raise NotFound(f"No user with id {user_id}.")
    return user
