"""GraphQL operations as metrics: their labels, outcome, latency and database round trips.

Operation names are chosen by clients, so the label keeps only the first
MAX_OPERATION_NAMES seen (then `other`): a flood of new names must not grow the
exposition forever. Round trips are counted per operation in a context variable
that the command listener (`graphql_api.metrics.mongodb`) increments.
"""

from __future__ import annotations

import re
import threading
from contextvars import ContextVar

from graphql_api.metrics import tally
from graphql_api.metrics.definitions import (
    OPERATION_ROUND_TRIPS,
    OPERATION_SECONDS,
    OPERATIONS,
    ROUND_TRIP_BUCKETS,
    SECONDS_BUCKETS,
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


def count_round_trip() -> None:
    """One more command for the operation being counted, if any."""
    if count := _round_trips.get():
        count[0] += 1


# The tallies of the labelled children per (operation, kind, outcome): `.labels()` takes
# a lock and builds its key on every call. As bounded as the labels themselves (names above).
_children: dict[tuple[str, str, str], tuple] = {}


def _children_of(operation: str, kind: str, outcome: str) -> tuple:
    key = (operation, kind, outcome)
    children = _children.get(key)
    if children is None:
        children = _children[key] = (
            tally.counter(OPERATIONS.labels(operation, kind, outcome)),
            tally.histogram(OPERATION_SECONDS.labels(operation, kind), SECONDS_BUCKETS),
            tally.histogram(OPERATION_ROUND_TRIPS.labels(kind), ROUND_TRIP_BUCKETS),
        )
    return children


def observe_operation(
    name: str | None, kind: str | None, outcome: str, seconds: float, round_trips: int | None
) -> None:
    count, latency, trips = _children_of(operation_label(name), kind or "unknown", outcome)
    count.pending += 1
    latency.observe(seconds)
    if round_trips is not None:
        trips.observe(round_trips)


__all__ = [
    "MAX_OPERATION_NAMES",
    "count_round_trip",
    "observe_operation",
    "operation_label",
    "start_counting_round_trips",
    "stop_counting_round_trips",
]
