"""Prometheus metrics, served on `/metrics`: what operators graph and alert on.

Operations by name, type and outcome, their latency and database round trips;
MongoDB commands and the connection pool; WebSockets, subscriptions and how
late change events reach subscribers.

Several processes (`--workers`, gunicorn): set `PROMETHEUS_MULTIPROC_DIR` to an
empty folder shared by the workers (emptied before each start), and each
worker's `/metrics` then answers for all of them (prometheus-client's
multiprocess mode). Without it, each process answers for itself.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from contextvars import ContextVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from pymongo import monitoring
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

OPERATIONS = Counter(
    "graphql_operations",
    "GraphQL operations, by operation name, type and outcome (OK or the first error's code).",
    ["operation", "type", "outcome"],
)
OPERATION_SECONDS = Histogram(
    "graphql_operation_duration_seconds",
    "Time from receiving an operation to its result (subscriptions: their lifetime).",
    ["operation", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
OPERATION_ROUND_TRIPS = Histogram(
    "graphql_operation_db_round_trips",
    "MongoDB commands sent for one GraphQL query or mutation.",
    ["type"],
    buckets=(0, 1, 2, 3, 4, 6, 8, 12, 20, 50, 100),
)
DB_COMMANDS = Counter(
    "mongodb_commands", "MongoDB commands sent, by command and outcome.", ["command", "outcome"]
)
DB_COMMAND_SECONDS = Histogram(
    "mongodb_command_duration_seconds",
    "MongoDB command round-trip time, by command.",
    ["command"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
)
POOL_CONNECTIONS = Gauge(
    "mongodb_pool_connections",
    "Open connections in the driver's pool, by server.",
    ["address"],
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "mongodb_pool_checked_out",
    "Pool connections in use by an operation, by server.",
    ["address"],
    multiprocess_mode="livesum",
)
POOL_CHECKOUT_FAILURES = Counter(
    "mongodb_pool_checkout_failures",
    "Operations that could not get a connection (pool timeout, server down...).",
    ["reason"],
)
WEBSOCKETS = Gauge(
    "graphql_websockets_active", "Open WebSocket connections.", multiprocess_mode="livesum"
)
SUBSCRIPTIONS = Gauge(
    "graphql_subscriptions_active", "Running subscriptions.", multiprocess_mode="livesum"
)
HUB_LAG = Histogram(
    "graphql_subscription_event_lag_seconds",
    "From a change's commit in MongoDB to its hand-over to the subscribers, by feed.",
    ["feed"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

# --- operation names: client-chosen, so their number is bounded ---------------
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_names: set[str] = set()
_names_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    """The label for an operation name: the first MAX_OPERATION_NAMES names seen, then `other`."""
    if not name:
        return "anonymous"
    if not _NAME.fullmatch(name):
        return "invalid"
    if name in _names:
        return name
    with _names_lock:
        if len(_names) < MAX_OPERATION_NAMES:
            _names.add(name)
            return name
    return "other"


# --- round trips per operation --------------------------------------------
_round_trips: ContextVar[list[int] | None] = ContextVar("db_round_trips", default=None)


def start_counting_round_trips() -> object:
    return _round_trips.set([0])


def stop_counting_round_trips(token: object) -> int:
    count = _round_trips.get()
    _round_trips.reset(token)  # type: ignore[arg-type]
    return count[0] if count else 0


def observe_operation(
    name: str | None, kind: str | None, outcome: str, seconds: float, round_trips: int | None
) -> None:
    operation, kind = operation_label(name), kind or "unknown"
    OPERATIONS.labels(operation, kind, outcome).inc()
    OPERATION_SECONDS.labels(operation, kind).observe(seconds)
    if round_trips is not None:
        OPERATION_ROUND_TRIPS.labels(kind).observe(round_trips)


# --- PyMongo listeners ----------------------------------------------------------
IGNORED_COMMANDS = frozenset({"hello", "ismaster", "isMaster"})  # the monitor's heartbeats


class CommandMetrics(monitoring.CommandListener):
    """Counts and times every command the app sends (round trips)."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in IGNORED_COMMANDS and (count := _round_trips.get()):
            count[0] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._observe(event, "ok")

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._observe(event, "error")

    @staticmethod
    def _observe(
        event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent, outcome: str
    ) -> None:
        if event.command_name in IGNORED_COMMANDS:
            return
        DB_COMMANDS.labels(event.command_name, outcome).inc()
        DB_COMMAND_SECONDS.labels(event.command_name).observe(event.duration_micros / 1e6)


def _address(event: monitoring._PoolEvent) -> str:
    host, port = event.address
    return f"{host}:{port}"


class PoolMetrics(monitoring.ConnectionPoolListener):
    """The connection pool's size and how much of it is in use, per server."""

    def pool_created(self, event: monitoring.PoolCreatedEvent) -> None:
        pass

    def pool_ready(self, event: monitoring.PoolReadyEvent) -> None:
        pass

    def pool_cleared(self, event: monitoring.PoolClearedEvent) -> None:
        pass

    def pool_closed(self, event: monitoring.PoolClosedEvent) -> None:
        pass

    def connection_created(self, event: monitoring.ConnectionCreatedEvent) -> None:
        POOL_CONNECTIONS.labels(_address(event)).inc()

    def connection_ready(self, event: monitoring.ConnectionReadyEvent) -> None:
        pass

    def connection_closed(self, event: monitoring.ConnectionClosedEvent) -> None:
        POOL_CONNECTIONS.labels(_address(event)).dec()

    def connection_check_out_started(
        self, event: monitoring.ConnectionCheckOutStartedEvent
    ) -> None:
        pass

    def connection_check_out_failed(self, event: monitoring.ConnectionCheckOutFailedEvent) -> None:
        POOL_CHECKOUT_FAILURES.labels(str(event.reason)).inc()

    def connection_checked_out(self, event: monitoring.ConnectionCheckedOutEvent) -> None:
        POOL_CHECKED_OUT.labels(_address(event)).inc()

    def connection_checked_in(self, event: monitoring.ConnectionCheckedInEvent) -> None:
        POOL_CHECKED_OUT.labels(_address(event)).dec()


def listeners() -> list[monitoring._EventListener]:
    return [CommandMetrics(), PoolMetrics()]


# --- hub lag ----------------------------------------------------------------------
def observe_change_lag(feed: str, change: object) -> None:
    """How long ago MongoDB committed `change` (its `wallTime`, else its `clusterTime`)."""
    get = getattr(change, "get", None)
    if get is None:
        return
    wall = get("wallTime")
    if wall is not None and hasattr(wall, "timestamp"):
        committed = wall.timestamp()
    elif (cluster := get("clusterTime")) is not None and hasattr(cluster, "time"):
        committed = float(cluster.time)  # whole seconds only
    else:
        return
    HUB_LAG.labels(feed).observe(max(0.0, time.time() - committed))


# --- WebSockets -------------------------------------------------------------------
class CountWebSockets:
    """ASGI middleware: the number of open WebSocket connections."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        WEBSOCKETS.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            WEBSOCKETS.dec()


# --- the endpoint -----------------------------------------------------------------
def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def metrics_endpoint(token: str | None):
    """`GET /metrics`; with a token, only for `Authorization: Bearer <token>`."""

    async def endpoint(request: Request) -> Response:
        if token is not None:
            sent = request.headers.get("authorization", "")
            if not secrets.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                return Response(
                    "Unauthorized\n",
                    status_code=401,
                    headers={"www-authenticate": 'Bearer realm="metrics"'},
                    media_type="text/plain",
                )
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return endpoint
