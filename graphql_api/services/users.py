"""Accounts: sign-up, profile, soft deactivation, the user directory."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from graphql_api.auth import sessions
from graphql_api.errors import NotFound
from graphql_api.models import Role, User, utcnow
from graphql_api.pagination import ListQuery
from graphql_api.services.common import conflict, date_range
from graphql_api.validation import validate_fields

UNIQUE_FIELDS = {"username_unique": "username", "email_unique": "email"}
# Everything but the password hash, which never leaves the service layer.
PUBLIC = {"password_hash": 0}


class UserSort(Enum):
    NEWEST_FIRST = (("created_at", -1), ("_id", -1))
    OLDEST_FIRST = (("created_at", 1), ("_id", 1))


def collection():
    return User.get_pymongo_collection()


def users_query(
    *,
    is_active: bool = True,
    role: Role | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    sort: UserSort = UserSort.NEWEST_FIRST,
) -> ListQuery:
    """Served by (is_active, created_at) or, with a role, (is_active, roles, created_at)."""
    filter: dict[str, Any] = {"is_active": is_active}
    index = "active_newest"
    if role is not None:
        filter["roles"] = role.value
        index = "active_role_newest"
    if created := date_range(created_after, created_before):
        filter["created_at"] = created
    return ListQuery(filter, sort.value, index)


async def update_profile(user_id: ObjectId, changes: dict[str, Any]) -> dict[str, Any]:
    values = validate_fields(User, changes)
    if "email" in values:
        values["email"] = values["email"].lower()
    try:
        user = await collection().find_one_and_update(
            {"_id": user_id},
            {"$set": {**values, "updated_at": utcnow()}},
            projection=PUBLIC,
            return_document=ReturnDocument.AFTER,
        )
    except DuplicateKeyError as error:
        raise conflict(error, UNIQUE_FIELDS, "user") from None
    if user is None:
        raise NotFound("No such user.")
    return user


async def deactivate_user(user_id: ObjectId) -> dict[str, Any]:
    """Soft delete: the document stays (orders and posts point at it)."""
    now = utcnow()
    user = await collection().find_one_and_update(
        {"_id": user_id, "is_active": True},
        {"$set": {"is_active": False, "deactivated_at": now, "updated_at": now}},
        projection=PUBLIC,
        return_document=ReturnDocument.AFTER,
    )
    if user is None:
        # Already deactivated (idempotent) or unknown.
        user = await collection().find_one({"_id": user_id}, PUBLIC)
        if user is None:
            raise NotFound("No such user.")
    # Their sessions stop working at once (they are refused already; this tidies up).
    await sessions.end_all(user_id)
    return user
