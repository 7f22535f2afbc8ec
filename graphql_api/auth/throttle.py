"""Password-guess throttling, per account and per client address.

Counters live in MongoDB (`login_attempts`), in fixed windows, so the limit
holds across every API process. A guess is *reserved* before the password is
checked: one conditional upsert (`failures < limit` → `$inc`) either takes a
slot or finds none left, so N concurrent guesses check at most `limit`
passwords, never N. A wrong password keeps its slot (it is a failure); a right
one clears the account's counter and gives the address's slot back; a guess
that was never checked (the hashing pool was busy) gives both back.

The account counter is keyed by the user's id whatever was typed (username in
any spelling, or email); unknown names get a counter of their own under their
normalised form, so the limit reveals nothing about which accounts exist.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pymongo.errors import DuplicateKeyError, PyMongoError

from graphql_api.auth.client_address import client_network
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


def account_key(account: str) -> str:
    return f"account:{account}"


def address_key(address: str) -> str:
    return f"address:{client_network(address)}"  # IPv6 by its /64


@dataclass
class Reservation:
    """The slots one guess took; settle it with `succeeded` or `cancel`."""

    window_start: datetime
    account: str
    keys: list[str] = field(default_factory=list)

    async def succeeded(self) -> None:
        """The password was right: forget the account's failures, return the address slot."""
        await _collection().delete_one(
            {"key": account_key(self.account), "window_start": self.window_start}
        )
        await _give_back([key for key in self.keys if key != account_key(self.account)], self)

    async def cancel(self) -> None:
        """The password was never checked: return every slot."""
        await _give_back(self.keys, self)


async def reserve(settings: Settings, account: str, address: str | None) -> Reservation:
    """Take a slot for one password check, or raise RATE_LIMITED (having taken nothing)."""
    start, end = _window(settings)
    reservation = Reservation(start, account)
    limits = [(account_key(account), settings.login_max_failures_per_account)]
    if address:
        limits.insert(0, (address_key(address), settings.login_max_failures_per_address))
    for key, limit in limits:
        if not await _take(key, start, end, limit):
            with contextlib.suppress(PyMongoError):
                await reservation.cancel()
            retry_after = max(1, int((end - utcnow()).total_seconds()))
            raise RateLimited(
                f"Too many failed sign-ins. Try again in {retry_after} seconds.",
                retryAfterSeconds=retry_after,
            )
        reservation.keys.append(key)
    return reservation


async def _take(key: str, start: datetime, end: datetime, limit: int) -> bool:
    """Atomically count one more attempt if fewer than `limit` are counted."""
    under_limit = {"key": key, "window_start": start, "failures": {"$lt": limit}}
    try:
        await _collection().update_one(
            under_limit,
            {"$inc": {"failures": 1}, "$setOnInsert": {"expires_at": end}},
            upsert=True,
        )
    except DuplicateKeyError:
        # The counter exists but is at the limit (the filter missed, the insert
        # collided), or a concurrent request created it a moment ago: ask again,
        # now that it surely exists.
        result = await _collection().update_one(under_limit, {"$inc": {"failures": 1}})
        return result.modified_count == 1
    return True


async def _give_back(keys: list[str], reservation: Reservation) -> None:
    for key in keys:
        await _collection().update_one(
            {"key": key, "window_start": reservation.window_start, "failures": {"$gt": 0}},
            {"$inc": {"failures": -1}},
        )
