"""PyMongo's event listeners as metrics: commands, their latency, and the connection pool.

Given to the client at construction (`listeners()`), they see every command the
app sends, so round trips per operation are counted here too. The monitor's
heartbeats are not the app's work and are left out.
"""

from __future__ import annotations

from pymongo import monitoring

from graphql_api.metrics import tally
from graphql_api.metrics.definitions import (
    COMMAND_SECONDS_BUCKETS,
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
        key = (event.command_name, outcome)
        children = _command_children.get(key)
        if children is None:
            children = _command_children[key] = (
                tally.counter(DB_COMMANDS.labels(event.command_name, outcome)),
                tally.histogram(
                    DB_COMMAND_SECONDS.labels(event.command_name), COMMAND_SECONDS_BUCKETS
                ),
            )
        children[0].pending += 1
        children[1].observe(event.duration_micros / 1e6)


# The tallies of labelled children, by their labels: `.labels()` locks and builds a key
# on each call, and these are sampled on every command. Command names and servers are few.
_command_children: dict[tuple[str, str], tuple] = {}
_checked_out: dict[tuple, tally.Increments] = {}


def _checked_out_of(event: monitoring._PoolEvent) -> tally.Increments:
    gauge = _checked_out.get(event.address)
    if gauge is None:
        gauge = _checked_out[event.address] = tally.gauge(POOL_CHECKED_OUT.labels(_address(event)))
    return gauge


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
        _checked_out_of(event).pending += 1

    def connection_checked_in(self, event: monitoring.ConnectionCheckedInEvent) -> None:
        _checked_out_of(event).pending -= 1


def listeners() -> list[monitoring._EventListener]:
    return [CommandMetrics(), PoolMetrics()]


__all__ = ["IGNORED_COMMANDS", "CommandMetrics", "PoolMetrics", "listeners"]
