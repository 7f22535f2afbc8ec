"""Failed sign-in throttling, per account and per client address.

Counters live in MongoDB (`login_attempts`), in fixed windows, so the limit
holds across every API process. Unknown usernames are counted like known
ones, so the limit reveals nothing about which accounts exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo import UpdateOne

from graphql_api.errors import RateLimited
from graphql_api.models import LoginAttempt, utcnow
from graphql_api.settings import Settings


def _collection():
    return LoginAttempt.get_pymongo_collection()


def _window(settings: Settings) -> tuple[datetime, datetime]:
    size = settings.login_window_seconds
    now = utcnow().timestamp()
    start = datetime.fromtimestamp(now - now % size, UTC)
    return start, start + timedelta(seconds=size)


def keys(username: str, address: str | None) -> dict[str, int]:
    """The counters a sign-in attempt touches (key -> nothing yet)."""
    found = {f"account:{username.lower()}": 0}
    if address:
        found[f"address:{address}"] = 0
    return found


async def check(settings: Settings, username: str, address: str | None) -> None:
    start, end = _window(settings)
    limits = {
        f"account:{username.lower()}": settings.login_max_failures_per_account,
        f"address:{address}": settings.login_max_failures_per_address,
    }
    counters = _collection().find(
        {"key": {"$in": list(keys(username, address))}, "window_start": start}
    )
    async for counter in counters:
        if counter["failures"] >= limits[counter["key"]]:
            retry_after = max(1, int((end - utcnow()).total_seconds()))
            raise RateLimited(
                f"Too many failed sign-ins. Try again in {retry_after} seconds.",
                retryAfterSeconds=retry_after,
            )


async def record_failure(settings: Settings, username: str, address: str | None) -> None:
    start, end = _window(settings)
    await _collection().bulk_write(
        [
            UpdateOne(
                {"key": key, "window_start": start},
                {"$inc": {"failures": 1}, "$setOnInsert": {"expires_at": end}},
                upsert=True,
            )
            for key in keys(username, address)
        ],
        ordered=False,
    )


async def clear_account(settings: Settings, username: str) -> None:
    start, _ = _window(settings)
    await _collection().delete_one({"key": f"account:{username.lower()}", "window_start": start})
