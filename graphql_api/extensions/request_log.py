"""One structured log line and the metrics of each GraphQL operation, for operators.

The line says which operation ran, how long it took and how it ended (with the
error codes), who asked and the request id; never variables or tokens, which
may hold secrets. The same facts feed the Prometheus metrics
(`graphql_api.metrics`), with the number of MongoDB round trips.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import orjson
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphql_api import metrics, request_id
from graphql_api.realtime.multiplex import admitting

logger = logging.getLogger("graphql_api.requests")


class RequestLog(SchemaExtension):
    _subscribed = False

    def on_execute(self) -> Iterator[None]:
        # Subscriptions: their operation lasts as long as the subscription.
        # A multiplexed subscriber counts while it is a member (realtime/connections.py),
        # not while it is admitted, nor does the execution its members share.
        if (
            self.execution_context.operation_type is OperationType.SUBSCRIPTION
            and not admitting()
            and not getattr(self.execution_context.context, "shared", False)
        ):
            self._subscribed = True
            metrics.SUBSCRIPTIONS.inc()
        yield

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        counting = metrics.start_counting_round_trips()
        try:
            yield
        finally:
            round_trips = metrics.stop_counting_round_trips(counting)
            if self._subscribed:
                metrics.SUBSCRIPTIONS.dec()
        context = self.execution_context
        result = context.result
        errors = getattr(result, "errors", None) or context.pre_execution_errors or []
        try:
            kind = context.operation_type.value
        except RuntimeError:
            kind = None  # the document did not parse
        record_operation(
            context.operation_name,
            kind,
            [(error.extensions or {}).get("code", "?") for error in errors],
            time.perf_counter() - started,
            None if self._subscribed else round_trips,
            context.context,
        )


def record_operation(
    name: str | None,
    kind: str | None,
    codes: list[str],
    duration: float,
    round_trips: int | None,
    context: Any,
) -> None:
    """The operation's metrics and log line (also for reads the HTTP view answers
    itself, graphql_api.http.direct)."""
    metrics.observe_operation(name, kind, codes[0] if codes else "OK", duration, round_trips)
    if not logger.isEnabledFor(logging.INFO):
        return
    viewer = getattr(context, "known_viewer", None)
    record = {
        "operation": name or "anonymous",
        "type": kind,
        "duration_ms": round(1000 * duration, 2),
        "outcome": "error" if codes else "ok",
        "error_codes": sorted(set(codes)),
        "user": str(viewer.user_id) if getattr(viewer, "user_id", None) else None,
        "db_round_trips": round_trips,
        "request_id": request_id.current.get(),
    }
    # The message is the record itself (for text logs); JSON logs spread its fields,
    # so it is written out only if a formatter asks. The record is made here, not by
    # `logger.info`, which would walk the stack for the caller's file and line.
    logger.handle(
        logger.makeRecord(
            logger.name,
            logging.INFO,
            __file__,
            _LINE,
            _Message(record),
            (),
            None,
            "record_operation",
            {"fields": record, "event": "graphql operation"},
        )
    )


_LINE = record_operation.__code__.co_firstlineno


class _Message:
    """The log line's message: its record as JSON, made when a formatter asks."""

    __slots__ = ("record",)

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def __str__(self) -> str:
        return orjson.dumps(self.record).decode()
