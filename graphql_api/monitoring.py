"""Counting the commands sent to MongoDB (PyMongo command monitoring).

Tests and benchmarks attach a `CommandCounter` to the client to prove how many
round trips a GraphQL request costs.
"""

from __future__ import annotations

from collections import Counter

from pymongo import monitoring

# Commands that serve no request (the session watcher's change streams) carry
# this comment, so that counting a request's round trips leaves them out.
BACKGROUND_COMMENT = "graphql_api:background"


class CommandCounter(monitoring.CommandListener):
    """Counts started commands by name; `reset()` between measurements."""

    IGNORED = frozenset({"hello", "ismaster", "isMaster", "ping", "endSessions", "buildInfo"})

    def __init__(self) -> None:
        self.commands: Counter[str] = Counter()
        self.sent: list[dict] = []  # the commands themselves, since the last reset

    @property
    def total(self) -> int:
        return sum(self.commands.values())

    def reset(self) -> None:
        self.commands.clear()
        self.sent.clear()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if (
            event.command_name not in self.IGNORED
            and event.command.get("comment") != BACKGROUND_COMMENT
        ):
            self.commands[event.command_name] += 1
            self.sent.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
