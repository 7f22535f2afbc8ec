"""Helpers the domain services share: transactions and duplicate-key errors."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from beanie import Document
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from graphql_api.errors import BadUserInput, Conflict
from graphql_api.services.idempotency import current_claim, in_claim

T = TypeVar("T")

_INDEX_IN_MESSAGE = re.compile(r"index: (\S+)")


async def in_transaction(
    model: type[Document], callback: Callable[[AsyncClientSession], Awaitable[T]]
) -> T:
    """Run `callback` in one multi-document transaction.

    PyMongo's `with_transaction` retries the whole callback on transient errors
    (write conflicts, elections) and retries the commit when its outcome is
    unknown, so callers get all or nothing. An exception raised by the callback
    aborts the transaction and propagates.
    """
    client = model.get_pymongo_collection().database.client
    async with client.start_session() as session:
        # An idempotency key given with the request is checked and recorded in
        # this same transaction (see services.idempotency).
        return await session.with_transaction(lambda s: in_claim(s, callback))


async def atomic(
    model: type[Document], callback: Callable[[AsyncClientSession | None], Awaitable[T]]
) -> T:
    """`callback()` alone (one atomic write), or in a transaction with the
    request's idempotency key when one was given."""
    if current_claim() is None:
        return await callback(None)
    return await in_transaction(model, callback)


def conflict(error: DuplicateKeyError, fields_by_index: dict[str, str], what: str) -> Conflict:
    """A CONFLICT error naming the field whose uniqueness `error` reports."""
    details = error.details or {}
    key_value = details.get("keyValue") or {}
    field = next(iter(key_value), None)
    if field is None:
        match = _INDEX_IN_MESSAGE.search(details.get("errmsg", "") or str(error))
        field = fields_by_index.get(match.group(1)) if match else None
    if field is None:
        return Conflict(f"This {what} conflicts with an existing one.")
    return Conflict(f"A {what} with this {field} already exists.", field=field)


def date_range(after: datetime | None, before: datetime | None) -> dict[str, datetime]:
    """A `created_at` condition: strictly after `after`, strictly before `before`."""
    bounds: dict[str, datetime] = {}
    if after is not None:
        bounds["$gt"] = _utc(after, "createdAfter")
    if before is not None:
        bounds["$lt"] = _utc(before, "createdBefore")
    return bounds


def _utc(value: datetime, argument: str) -> datetime:
    if value.tzinfo is None:
        raise BadUserInput(
            f"`{argument}` needs a time zone offset, e.g. 2026-01-31T00:00:00Z.",
            argument=argument,
        )
    return value.astimezone(UTC)
