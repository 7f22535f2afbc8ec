"""Bounded scan-shaped work: what budgets cannot do.

Budgets share the service among clients; they cannot stop many clients
together. So scan-shaped database work (a search without a text index) also
goes through a per-process gate: a few slots, a bounded share of the time, a
bounded wait, and a server-side time limit (`maxTimeMS`). However many clients
search, the other operations keep most of the database and the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator

import pymongo
from pymongo.errors import PyMongoError

from graphql_api.errors import QueryTooExpensive, RateLimited


class ScanGate:
    """At most `slots` scans at once, and scans busy for at most `share` of the
    time: after a scan of d seconds its slot rests d * (1/share - 1) seconds more,
    so however many clients ask, other operations keep most of the database.

    A scan waits for a slot `max_time_s` at most (then RATE_LIMITED, reason
    "busy"), and runs with `maxTimeMS` (PyMongo sends what is left of the
    `pymongo.timeout` as maxTimeMS): past it, QUERY_TOO_EXPENSIVE.
    """

    def __init__(self, slots: int, max_time_s: float, share: float = 1.0) -> None:
        self.slots = slots
        self.max_time_s = max_time_s
        self.share = share
        self._semaphore: asyncio.Semaphore | None = None

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.slots)
        semaphore = self._semaphore
        try:
            async with asyncio.timeout(self.max_time_s):
                await semaphore.acquire()
        except TimeoutError:
            raise RateLimited(
                "Too many expensive searches are running; try again shortly.",
                reason="busy",
                retryAfterSeconds=math.ceil(self.max_time_s),
            ) from None
        started = time.monotonic()
        try:
            with pymongo.timeout(self.max_time_s):
                yield
        except PyMongoError as exc:
            # Our bound, not the request's overall deadline, ran out: say so.
            if exc.timeout and time.monotonic() - started >= 0.9 * self.max_time_s:
                raise QueryTooExpensive(
                    f"This search needed more than {self.max_time_s * 1000:.0f} ms of "
                    "database time. Use fewer or more specific words, or filter by tag "
                    "or author.",
                    maxTimeMS=round(self.max_time_s * 1000),
                ) from exc
            raise
        finally:
            rest = (time.monotonic() - started) * (1 / self.share - 1)
            if rest > 0:
                asyncio.get_running_loop().call_later(rest, semaphore.release)
            else:
                semaphore.release()
