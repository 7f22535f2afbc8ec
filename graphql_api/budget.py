"""Fair shares of the service: per-client cost budgets and bounded scan-shaped work.

Budgets are leaky buckets in the manner of Shopify's GraphQL limits: a client
(a signed-in user, else a client address) holds up to `capacity` points,
regains `restore_per_s` points a second, and each operation spends its
calculated cost before it runs; an operation that would overdraw is refused
with RATE_LIMITED and the seconds until it would fit.

Refusing is work too (a document is parsed and priced), so refused operations
are charged: one over the per-operation maximum as if it cost the maximum, one
over budget `COST_REFUSAL_POINTS`. A client that keeps sending them goes into
debt, and while in debt it is refused before its document is even parsed.

The buckets live in this process's memory: checking one costs no database
round trip, and a refused operation costs the database nothing. With N worker
processes a client may get up to N budgets (requests are spread by the
kernel), so a strict budget is the setting divided by the worker count.

Budgets share the service among clients; they cannot stop many clients
together. So scan-shaped database work (a search without a text index) also
goes through a per-process gate: a few slots, a bounded share of the time, a
bounded wait, and a server-side time limit (`maxTimeMS`). However many clients
search, the other operations keep most of the database and the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pymongo
from pymongo.errors import PyMongoError
from starlette.requests import Request

from graphql_api.auth.client_address import client_address, client_network
from graphql_api.errors import QueryTooExpensive, RateLimited
from graphql_api.settings import Settings

logger = logging.getLogger(__name__)

# Collections whose size prices a scan of them (see `limits.SCANS`).
SCANNED_COLLECTIONS = ("posts", "products")


@dataclass(frozen=True)
class Charge:
    allowed: bool
    available: float  # points left after this charge (or now, if refused)
    retry_after: float  # seconds until the refused cost would fit; 0 if allowed


class Buckets:
    """Leaky buckets by client key, the least recently used dropped past `max_clients`.

    A dropped bucket comes back full, which is what an idle client's bucket
    would have been anyway; an active client is never the least recent.
    """

    def __init__(
        self,
        capacity: float,
        restore_per_s: float,
        max_clients: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.restore_per_s = restore_per_s
        self.max_clients = max_clients
        self.clock = clock
        self._levels: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def available(self, key: str) -> float:
        level, at = self._levels.get(key, (self.capacity, self.clock()))
        return min(self.capacity, level + (self.clock() - at) * self.restore_per_s)

    def charge(self, key: str, cost: float) -> Charge:
        # An operation dearer than the whole bucket needs a full one, and empties it.
        cost = min(cost, self.capacity)
        now = self.clock()
        available = self.available(key)
        if available < cost:
            return Charge(False, available, (cost - available) / self.restore_per_s)
        self._levels[key] = (available - cost, now)
        self._levels.move_to_end(key)
        while len(self._levels) > self.max_clients:
            self._levels.popitem(last=False)
        return Charge(True, available - cost, 0.0)

    def debit(self, key: str, points: float) -> float:
        """Take `points` even if that leaves the bucket in debt (down to -capacity):
        the price of refused operations. Returns what is left."""
        left = max(-self.capacity, self.available(key) - points)
        self._levels[key] = (left, self.clock())
        self._levels.move_to_end(key)
        while len(self._levels) > self.max_clients:
            self._levels.popitem(last=False)
        return left


def client_key(user_id: Any, address: str | None) -> str:
    """Whose budget pays: the user if signed in, else the address (IPv6 by /64)."""
    if user_id is not None:
        return f"user:{user_id}"
    return f"address:{client_network(address)}"


class CollectionSizes:
    """Estimated document counts, read once and then refreshed in the background.

    Costs are computed for every operation: they must not wait for the database,
    except the very first time (one `count` per collection, per process).
    """

    def __init__(self, refresh_s: float) -> None:
        self.refresh_s = refresh_s
        self.sizes: dict[str, int] = {}
        self._read_at = -math.inf
        self._task: asyncio.Task[None] | None = None

    async def current(self, database: Any) -> dict[str, int]:
        if not self.sizes:
            await self._read(database)
        elif time.monotonic() - self._read_at > self.refresh_s and (
            self._task is None or self._task.done()
        ):
            self._task = asyncio.create_task(self._read(database))
        return self.sizes

    async def _read(self, database: Any) -> None:
        self._read_at = time.monotonic()
        try:
            for name in SCANNED_COLLECTIONS:
                self.sizes[name] = await database.db[name].estimated_document_count()
        except PyMongoError as exc:  # keep what we had; the next operation tries again
            logger.warning("Could not read collection sizes for costs: %r", exc)
            self._read_at = -math.inf


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


class CostControls:
    """One process's budgets, collection sizes and scan gate."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.buckets = Buckets(
            settings.cost_budget_capacity,
            settings.cost_budget_restore_per_s,
            settings.cost_budget_max_clients,
        )
        self.sizes = CollectionSizes(settings.cost_collection_size_refresh_s)
        self.gate = ScanGate(
            slots=settings.max_concurrent_scans,
            max_time_s=settings.scan_max_time_ms / 1000,
            share=settings.scan_time_share,
        )


_controls: weakref.WeakKeyDictionary[Any, CostControls] = weakref.WeakKeyDictionary()


def cost_controls(database: Any, settings: Settings) -> CostControls:
    """The controls of the app that owns `database` (one per process and app)."""
    controls = _controls.get(database)
    if controls is None:
        controls = _controls[database] = CostControls(settings)
    return controls


def scan_slot(info: Any) -> contextlib.AbstractAsyncContextManager[None]:
    """`async with scan_slot(info):` around a resolver's scan-shaped database work."""
    context = info.context
    return cost_controls(context.database, context.settings).gate.slot()


class RefuseClientsInDebt:
    """ASGI middleware: an anonymous client in debt is refused before its request
    body is even read. The same refusal as the schema's (RATE_LIMITED, a retry
    hint, `Retry-After`), only cheaper, so a flood of refused requests costs the
    process as little as it can; requests with a token go on to the schema,
    which knows whose budget they draw on. The refusal is held back a little
    (`TARPIT_S`), which slows a client that loops on refusals to a trickle."""

    # A refusal is held back up to this long (never past the retry time): a
    # client looping on refusals then sends one a second, not hundreds, for the
    # price of a sleeping coroutine. At most TARPIT_MAX are held at once.
    TARPIT_S = 1.0
    TARPIT_MAX = 256

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.held = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/graphql"
            and self.settings.cost_budget_capacity
        ):
            refusal = self._refusal(scope)
            if refusal is not None:
                body, retry_after = refusal
                if self.held < self.TARPIT_MAX:
                    self.held += 1
                    try:
                        await asyncio.sleep(min(self.TARPIT_S, retry_after))
                    finally:
                        self.held -= 1
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"retry-after", str(retry_after).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Any) -> tuple[bytes, int] | None:
        request = Request(scope)
        database = getattr(request.app.state, "database", None)
        if database is None or "authorization" in request.headers:
            return None
        controls = _controls.get(database)
        if controls is None:
            return None
        peer = request.client.host if request.client else None
        address = client_address(peer, request.headers, self.settings.trusted_proxies)
        buckets = controls.buckets
        available = buckets.available(client_key(None, address))
        if available >= 0:
            return None
        retry_after = max(1, math.ceil(-available / buckets.restore_per_s))
        return orjson.dumps(
            {
                "errors": [
                    {
                        "message": f"Your budget has {math.floor(available)} of "
                        f"{buckets.capacity} and regains {buckets.restore_per_s:g} a second. "
                        f"Try again in {retry_after} s.",
                        "extensions": {"code": "RATE_LIMITED", "retryAfterSeconds": retry_after},
                    }
                ],
                "extensions": {
                    "cost": {
                        "throttleStatus": {
                            "maximumAvailable": buckets.capacity,
                            "currentlyAvailable": math.floor(available),
                            "restoreRate": buckets.restore_per_s,
                        }
                    }
                },
            }
        ), retry_after


__all__ = [
    "Buckets",
    "Charge",
    "CollectionSizes",
    "CostControls",
    "RefuseClientsInDebt",
    "ScanGate",
    "client_key",
    "cost_controls",
    "scan_slot",
]
