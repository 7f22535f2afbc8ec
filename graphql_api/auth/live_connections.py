"""The process's signed-in WebSockets, and ending them when their access ends.

A subscription outlives the request that authenticated it, so revocation must
reach the socket itself: a connection whose session ended is closed with 4401,
one whose user lost a role it was opened with with 4403 (the graphql-ws
protocol's own codes for auth failures), and its subscriptions end with it.
Closing is bounded and done in a task of its own, so one client that stops
reading cannot hold up anyone else's revocation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import pymongo

from graphql_api.auth import sessions
from graphql_api.auth.viewer import Viewer

# The watcher's logger, as before this module was split from it (log configs name it).
logger = logging.getLogger("graphql_api.auth.watcher")

# WebSocket close codes (the graphql-ws protocol's own choice for auth failures).
SESSION_ENDED = 4401  # logged out, expired, password changed, deactivated
ROLE_REVOKED = 4403  # still signed in, but a role the connection was opened with is gone

# How long closing a revoked socket may take before it is abandoned (its operations
# are cancelled first, so nothing more reaches it either way).
CLOSE_TIMEOUT_S = 2.0
REVALIDATE_TIMEOUT_S = 2.0  # a slow database must not stall the sweep indefinitely


@dataclass(eq=False)
class LiveConnection:
    """A WebSocket signed in as `viewer`; `close(code, reason)` ends it."""

    viewer: Viewer
    close: Callable[[int, str], Awaitable[None]]
    closing: bool = field(default=False)


class LiveConnections:
    """The registry of live connections, and the checks that end them."""

    def __init__(self) -> None:
        self._connections: set[LiveConnection] = set()
        self._closing: set[asyncio.Task[None]] = set()  # closes of ended sockets, in flight

    def __len__(self) -> int:
        return len(self._connections)

    def __iter__(self) -> Iterator[LiveConnection]:
        return iter(self._connections)

    def register(self, connection: LiveConnection) -> None:
        self._connections.add(connection)

    def unregister(self, connection: LiveConnection) -> None:
        self._connections.discard(connection)

    async def end(self, connection: LiveConnection, code: int, reason: str) -> None:
        if connection.closing:
            return
        connection.closing = True
        self._connections.discard(connection)
        # Closed in a task of its own, bounded: a client that stops reading must not
        # hold up the stream, and with it every other session's revocation.
        task = asyncio.create_task(self._close(connection, code, reason))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    @staticmethod
    async def _close(connection: LiveConnection, code: int, reason: str) -> None:
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await connection.close(code, reason)
        except Exception:  # gone already, or not reading: the transport drops it
            logger.debug("Closing a revoked WebSocket failed", exc_info=True)

    async def end_all(self, connections: Sequence[LiveConnection], code: int, reason: str) -> None:
        await asyncio.gather(*(self.end(c, code, reason) for c in connections))

    async def revalidate(self, connections: Sequence[LiveConnection]) -> None:
        """Check `connections` against the database; close those no longer allowed."""
        if not connections:
            return
        with pymongo.timeout(REVALIDATE_TIMEOUT_S):
            current = await sessions.still_valid(list({c.viewer.session_id for c in connections}))
        ends = []
        for connection in connections:
            state = current.get(connection.viewer.session_id)
            if state is None:
                ends.append(self.end(connection, SESSION_ENDED, "UNAUTHENTICATED: session ended"))
            elif connection.viewer.roles - state[0]:
                ends.append(self.end(connection, ROLE_REVOKED, "FORBIDDEN: roles changed"))
            else:
                connection.viewer = replace(connection.viewer, roles=state[0], expires_at=state[1])
        await asyncio.gather(*ends)


__all__ = [
    "CLOSE_TIMEOUT_S",
    "REVALIDATE_TIMEOUT_S",
    "ROLE_REVOKED",
    "SESSION_ENDED",
    "LiveConnection",
    "LiveConnections",
]
