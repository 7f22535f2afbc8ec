"""Idempotency keys: a retried mutation returns its original result, never applies twice.

`once()` wraps a service call. A stored key with the same input replays the
stored result at once. Otherwise the call runs with the key as a *claim*:
`common.in_transaction` (and `common.atomic`) check the key again and record
it with the result inside the effect's own transaction, so a crash can never
apply the effect without recording the key. Of two concurrent requests with
one key, the transactions conflict on the key's unique index: one commits, the
other finds the key on its retry (or after its failure) and replays it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from graphql_api.errors import (
    BadUserInput,
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
)
from graphql_api.models import IdempotencyKey, utcnow
from graphql_api.models.idempotency_key import MAX_KEY_LENGTH
from graphql_api.models.money import to_decimal128

_claim: ContextVar[Claim | None] = ContextVar("idempotency_claim", default=None)


def _keys():
    return IdempotencyKey.get_pymongo_collection()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable() or key != key.strip():
        raise BadUserInput(
            f"`idempotencyKey` must be 1 to {MAX_KEY_LENGTH} printable characters "
            "without surrounding spaces (a UUID, for example).",
            argument="idempotencyKey",
        )
    return key


def fingerprint(operation: str, arguments: Any) -> str:
    """A stable hash of what was asked, to refuse a key reused for something else."""
    canonical = orjson.dumps([operation, arguments], option=orjson.OPT_SORT_KEYS, default=_plain)
    return hashlib.sha256(canonical).hexdigest()


def _plain(value: Any) -> Any:
    if hasattr(value, "__dict__"):
        return {k: v for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)


def _storable(value: Any) -> Any:
    """The result as BSON can store it (Decimal as Decimal128)."""
    if isinstance(value, Decimal):
        return to_decimal128(value)
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


@dataclass
class Claim:
    user_id: ObjectId
    key: str
    operation: str
    fingerprint: str
    ttl_seconds: int
    used: bool = field(default=False)

    async def stored(self, session: AsyncClientSession | None) -> dict[str, Any] | None:
        """The result recorded under this key, None if there is none (or it expired)."""
        doc = await _keys().find_one({"user_id": self.user_id, "key": self.key}, session=session)
        if doc is None:
            return None
        if doc["expires_at"] <= utcnow():
            # Expired, not yet removed by the TTL monitor: forget it now.
            await _keys().delete_one({"_id": doc["_id"]}, session=session)
            return None
        if doc["operation"] != self.operation or doc["fingerprint"] != self.fingerprint:
            raise IdempotencyKeyReused(
                "This idempotencyKey was already used for a different request; "
                "use a new key for a new request.",
                argument="idempotencyKey",
            )
        return doc["result"]

    async def record(self, result: dict[str, Any], session: AsyncClientSession) -> None:
        now = utcnow()
        await _keys().insert_one(
            {
                "user_id": self.user_id,
                "key": self.key,
                "operation": self.operation,
                "fingerprint": self.fingerprint,
                "result": _storable(result),
                "created_at": now,
                "expires_at": now + timedelta(seconds=self.ttl_seconds),
            },
            session=session,
        )


def current_claim() -> Claim | None:
    """The key the running service call must check and record, if any."""
    return _claim.get()


async def once(
    *,
    user_id: ObjectId,
    key: str | None,
    operation: str,
    arguments: Any,
    ttl_seconds: int,
    run: Callable[[], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """`run()` at most once per (user, key); a repeat returns the first result."""
    if key is None:
        return await run()
    claim = Claim(
        user_id, check_key(key), operation, fingerprint(operation, arguments), ttl_seconds
    )
    if (stored := await claim.stored(None)) is not None:
        return stored
    token = _claim.set(claim)
    try:
        result = await run()
    except Exception as error:
        # A concurrent request with this key may have won (a duplicate key, or
        # a precondition its effect changed): then its result is ours too.
        if (stored := await claim.stored(None)) is not None:
            return stored
        if isinstance(error, DuplicateKeyError) and IdempotencyKey.Settings.name in str(error):
            raise IdempotencyKeyInProgress(
                "Another request with this idempotencyKey is being applied; retry shortly.",
                argument="idempotencyKey",
            ) from error
        raise
    finally:
        _claim.reset(token)
    if not claim.used:
        raise RuntimeError(f"{operation} ran outside in_transaction/atomic: its key was not kept")
    return result


async def in_claim(
    session: AsyncClientSession, callback: Callable[[AsyncClientSession], Awaitable[Any]]
) -> Any:
    """Run `callback` in a transaction's `session`, checking and recording the claim."""
    claim = _claim.get()
    if claim is None:
        return await callback(session)
    claim.used = True
    if (stored := await claim.stored(session)) is not None:
        return stored
    result = await callback(session)
    await claim.record(result, session)
    return result


__all__ = ["Claim", "current_claim", "in_claim", "once"]
