"""Was a write sent? What an operation knows when the database fails under it.

A connection lost before anything was sent means "nothing was done"
(DB_UNAVAILABLE). Once a write command has left, a lost connection or a
timeout means the write may or may not have been applied: the client must be
told so (WRITE_OUTCOME_UNKNOWN), not that nothing happened. PyMongo's command
monitoring tells us which write commands of the current operation were sent
and never answered with success; `begin()` starts a fresh record per operation.
"""

from __future__ import annotations

from contextvars import ContextVar

from pymongo import monitoring
from pymongo.errors import (
    ConnectionFailure,
    PyMongoError,
    WriteConcernError,
    WTimeoutError,
)

WRITE_COMMANDS = frozenset(
    {"insert", "update", "delete", "findAndModify", "commitTransaction", "bulkWrite"}
)


class WriteLog:
    """The write operations (by driver operation id) sent and not known to have succeeded."""

    def __init__(self) -> None:
        self.unresolved: set[int] = set()

    def started(self, operation_id: int) -> None:
        self.unresolved.add(operation_id)

    def succeeded(self, operation_id: int) -> None:
        # Retries of one operation share its id: a successful retry settles it.
        self.unresolved.discard(operation_id)


_current: ContextVar[WriteLog | None] = ContextVar("write_log", default=None)


def begin() -> WriteLog:
    """A fresh record for the operation now starting in this context."""
    log = WriteLog()
    _current.set(log)
    return log


def clear() -> None:
    """Not a mutation: failures here are reads, never unknown writes."""
    _current.set(None)


def current() -> WriteLog | None:
    return _current.get()


class WriteTracker(monitoring.CommandListener):
    """Feeds the current operation's WriteLog (events run in the sending task)."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        log = _current.get()
        if log is not None and event.command_name in WRITE_COMMANDS:
            log.started(event.operation_id)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        log = _current.get()
        if log is not None and event.command_name in WRITE_COMMANDS:
            reply = event.reply or {}
            if not reply.get("writeConcernError"):
                log.succeeded(event.operation_id)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def outcome_unknown(error: PyMongoError, log: WriteLog | None) -> bool:
    """True if `error` leaves it unknown whether a write was applied.

    - `UnknownTransactionCommitResult`: a commit was sent, its answer lost.
    - `TransientTransactionError` / `NoWritesPerformed`: nothing was committed.
    - A write concern error: the write was applied, its durability not confirmed.
    - A connection failure or timeout after a write command of this operation
      was sent and not answered with success. Under a deadline (`timeoutMS`)
      PyMongo retries writes until it expires, so the last error may be a
      server selection timeout although an earlier attempt was sent.
    """
    if error.has_error_label("UnknownTransactionCommitResult"):
        return True
    if error.has_error_label("TransientTransactionError") or error.has_error_label(
        "NoWritesPerformed"
    ):
        return False
    if isinstance(error, (WriteConcernError, WTimeoutError)):
        return True
    if isinstance(error, ConnectionFailure) or error.timeout:
        # Server selection failing sends nothing, but an earlier attempt of the
        # operation (a commit retried until the deadline) may have been sent.
        return log is not None and bool(log.unresolved)
    return False
