"""PyMongo's event listeners as metrics: commands, their latency, and the connection pool.

Given to the client at construction (`listeners()`), they see every command the
app sends, so round trips per operation are counted here too. The monitor's
heartbeats are not the app's work and are left out.
"""

from __future__ import annotations

from pymongo import monitoring

from graphql_api.metrics.definitions import (
    DB_COMMAND_SECONDS,
    DB_COMMANDS,
    POOL_CHECKED_OUT,
    POOL_CHECKOUT_FAILURES,
    POOL_CONNECTIONS,
)
from graphql_api.metrics.operations import count_round_trip

IGNORED_COMMANDS = frozenset({"hello", "ismaster", "isMaster"})  # the monitor's heartbeats


class CommandMetrics(monitoring.CommandListener):
    """Counts and times every command the app sends (round trips)."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in IGNORED_COMMANDS:
            count_round_trip()

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


__all__ = ["IGNORED_COMMANDS", "CommandMetrics", "PoolMetrics", "listeners"]
