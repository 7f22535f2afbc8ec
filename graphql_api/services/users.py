"""Accounts: sign-up, profile, soft deactivation, the admin role, the user directory.

There is always an active administrator: deactivating or demoting the last one
is refused (LAST_ADMIN). The check and the change commit in one transaction
that also writes a guard document, so two such changes running at once
conflict (one is retried and then sees the other's), never both pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, PyMongoError

from graphql_api.auth import sessions
from graphql_api.errors import Conflict, LastAdmin, NotFound
from graphql_api.models import Role, User, utcnow
from graphql_api.models.user import ADMIN_GUARD, normalise_email, username_key
from graphql_api.pagination import ListQuery
from graphql_api.services.common import conflict, date_range
from graphql_api.services.lists import RootList, by_creation
from graphql_api.validation import validate_fields

logger = logging.getLogger(__name__)

UNIQUE_FIELDS = {
    "username_unique": "username",
    "username_key_unique": "username",
    "email_unique": "email",
}
# Everything but the password hash, which never leaves the service layer.
PUBLIC = {"password_hash": 0}


def user_conflict(error: DuplicateKeyError) -> Conflict:
    """CONFLICT naming `username` or `email` (a look-alike username collides on its key)."""
    key_value = (error.details or {}).get("keyValue") or {}
    if "username_key" in key_value:
        return username_taken()
    return conflict(error, UNIQUE_FIELDS, "user")


def username_taken() -> Conflict:
    return Conflict(
        "A user with this username (or one that differs only in case or look-alike "
        "characters) already exists.",
        field="username",
    )


UserSort = by_creation("UserSort")


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


def list_users(**filters: Any) -> RootList:
    """The user directory (administrators), by `users_query`'s filters."""
    return RootList(User, users_query(**filters))


async def update_profile(user_id: ObjectId, changes: dict[str, Any]) -> dict[str, Any]:
    values = validate_fields(User, changes)
    if "email" in values:
        values["email"] = normalise_email(values["email"])
    if "username" in values:
        values["username_key"] = username_key(values["username"])
    try:
        user = await collection().find_one_and_update(
            {"_id": user_id},
            {"$set": {**values, "updated_at": utcnow()}},
            projection=PUBLIC,
            return_document=ReturnDocument.AFTER,
        )
    except DuplicateKeyError as error:
        raise user_conflict(error) from None
    if user is None:
        raise NotFound("No such user.")
    return user


async def deactivate_user(user_id: ObjectId) -> dict[str, Any]:
    """Soft delete: the document stays (orders and posts point at it)."""
    now = utcnow()
    user = await _unless_last_admin(
        collection(),
        {"_id": user_id, "is_active": True},
        {"$set": {"is_active": False, "deactivated_at": now, "updated_at": now}},
        lambda after: Role.ADMIN.value in after.get("roles", ()),
    )
    if user is None:
        # Already deactivated (idempotent) or unknown.
        user = await collection().find_one({"_id": user_id}, PUBLIC)
        if user is None:
            raise NotFound("No such user.")
        return user
    # Their sessions stop working at once (they are refused already; this tidies up,
    # so it can't fail the deactivation, which is done).
    try:
        await sessions.end_all(user_id)
    except PyMongoError:
        logger.warning("Deactivated user %s; their sessions are left to expire", user_id)
    return user


async def revoke_admin(users: AsyncCollection, filter: dict[str, Any]) -> dict[str, Any] | None:
    """Take the admin role from the user `filter` finds (None: no such admin).

    Takes the collection, so `graphql-api promote --revoke` shares the rule.
    """
    return await _unless_last_admin(
        users,
        {**filter, "roles": Role.ADMIN.value},
        {"$pull": {"roles": Role.ADMIN.value}, "$set": {"updated_at": utcnow()}},
        lambda after: bool(after.get("is_active")),
    )


async def _unless_last_admin(
    users: AsyncCollection,
    filter: dict[str, Any],
    update: dict[str, Any],
    removed_an_admin: Callable[[dict[str, Any]], bool],
) -> dict[str, Any] | None:
    """Apply `update` to the user `filter` finds, refusing if no active admin would remain.

    `removed_an_admin(after)` says whether the matched user was an active admin
    whom the update took away (filters match active admins / admins only).
    """

    async def apply(session: Any) -> dict[str, Any] | None:
        after = await users.find_one_and_update(
            filter,
            update,
            projection=PUBLIC,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if after is None or not removed_an_admin(after):
            return after
        # Every such change writes this document: concurrent ones conflict.
        await users.database[ADMIN_GUARD].update_one(
            {"_id": "admins"}, {"$inc": {"changes": 1}}, upsert=True, session=session
        )
        remaining = await users.find_one(
            {"roles": Role.ADMIN.value, "is_active": True}, {"_id": 1}, session=session
        )
        if remaining is None:
            raise LastAdmin(
                "This is the last active administrator: make another user an administrator "
                "first (`graphql-api promote <username>`). Nothing was changed."
            )
        return after

    async with users.database.client.start_session() as session:
        return await session.with_transaction(apply)
