"""Revocation on every process at once: a change stream on sessions and users.

API processes share nothing but MongoDB, so each process watches the
`sessions` collection (a logout, `logoutEverywhere`, a password change, the
TTL monitor: all are deletes) and the `users` collection (deactivation, role
changes). The watcher does two things with what it sees:

- It keeps a cache of session lookups, token hash -> viewer, so that a
  signed-in request costs no round trip. An entry is dropped as soon as its
  session or user changes; while a stream is not open (starting, after an
  error) nothing is cached and every lookup goes to MongoDB. Expiry is checked
  locally against the entry's `expires_at`.
- It knows the process's live WebSockets and closes those whose session ended
  (close code 4401) or whose user lost a role (4403), so their subscriptions
  end with them. Expiry is checked in memory four times a second. After a
  stream error, and four times a second while a stream is down, all live
  connections are checked against the database (two queries for all).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pymongo
from bson import ObjectId
from pymongo.errors import OperationFailure, PyMongoError

from graphql_api.auth import sessions
from graphql_api.auth.tokens import hash_token
from graphql_api.auth.viewer import Viewer
from graphql_api.models import Session, User, utcnow
from graphql_api.monitoring import BACKGROUND_COMMENT
from graphql_api.settings import Settings

logger = logging.getLogger(__name__)

# WebSocket close codes (the graphql-ws protocol's own choice for auth failures).
SESSION_ENDED = 4401  # logged out, expired, password changed, deactivated
ROLE_REVOKED = 4403  # still signed in, but a role the connection was opened with is gone

_SESSION_EVENTS = [{"$match": {"operationType": {"$in": ["delete", "replace", "update"]}}}]
# Credits and profile edits are updates too; the fields are checked in the process
# (array updates name `roles.1`, which a server-side filter would have to spell out).
_USER_EVENTS = [{"$match": {"operationType": {"$in": ["update", "replace", "delete"]}}}]
_USER_FIELDS = ("is_active", "roles")


def _touches_access(change: Mapping[str, Any]) -> bool:
    if change["operationType"] != "update":
        return True
    description = change.get("updateDescription") or {}
    names = [
        *(description.get("updatedFields") or {}),
        *(description.get("removedFields") or ()),
        *(entry.get("field", "") for entry in description.get("truncatedArrays") or ()),
    ]
    return any(name.split(".", 1)[0] in _USER_FIELDS for name in names)


@dataclass(eq=False)
class LiveConnection:
    """A WebSocket signed in as `viewer`; `close(code, reason)` ends it."""

    viewer: Viewer
    close: Callable[[int, str], Awaitable[None]]
    closing: bool = field(default=False)


@dataclass
class _Entry:
    viewer: Viewer
    cached_at: float


# How long closing a revoked socket may take before it is abandoned (its operations
# are cancelled first, so nothing more reaches it either way).
CLOSE_TIMEOUT_S = 2.0
REVALIDATE_TIMEOUT_S = 2.0  # a slow database must not stall the sweep indefinitely


class SessionWatcher:
    def __init__(self, settings: Settings, retry_delay: float = 0.5) -> None:
        self.settings = settings
        self._retry_delay = retry_delay
        self._cache: dict[str, _Entry] = {}
        self._generation = 0  # bumped by every invalidation: a lookup racing one is not kept
        self._open: dict[str, bool] = {"sessions": False, "users": False}
        self._connections: set[LiveConnection] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing: set[asyncio.Task[None]] = set()  # closes of ended sockets, in flight
        self._stop_listening: Callable[[], None] | None = None

    # --- lifecycle -----------------------------------------------------------

    def start(self, ready: asyncio.Event | None = None) -> None:
        """Watch from now on, once `ready` (the database is initialised) is set."""
        if self._tasks:
            return
        self._stop_listening = sessions.on_end(self._forget)
        self._tasks = [
            asyncio.create_task(
                self._watch("sessions", Session.get_pymongo_collection, _SESSION_EVENTS, ready),
                name="session-watcher-sessions",
            ),
            asyncio.create_task(
                self._watch("users", User.get_pymongo_collection, _USER_EVENTS, ready),
                name="session-watcher-users",
            ),
            asyncio.create_task(self._sweep(), name="session-watcher-sweep"),
        ]

    async def close(self) -> None:
        tasks, self._tasks = self._tasks, []
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._set_open("sessions", False)
        self._set_open("users", False)

    @property
    def generation(self) -> int:
        """Changes with every invalidation: compare before and after a lookup."""
        return self._generation

    @property
    def healthy(self) -> bool:
        """Both streams open: cached lookups are as good as the database's."""
        return all(self._open.values())

    # --- lookups ---------------------------------------------------------------

    async def authenticate(self, token: str) -> Viewer | None:
        """The session's current viewer: from the cache while the streams are open."""
        key = hash_token(token)
        # An invalidation (or a stream error) during the awaits below bumps the
        # generation: then what was read may be stale and is not kept.
        generation, healthy = self._generation, self.healthy
        entry = self._cache.get(key) if healthy else None
        if entry is not None and self._fresh(entry):
            viewer = entry.viewer
        else:
            entry = None
            self._cache.pop(key, None)
            found = await sessions.find(key)
            if found is None:
                return None
            viewer = found
        touched = await sessions.touch(self.settings, viewer)
        if (
            (entry is None or touched is not viewer)
            and healthy
            and self.healthy
            and generation == self._generation
        ):
            self._remember(key, touched)
        return touched

    def _fresh(self, entry: _Entry) -> bool:
        expires_at = entry.viewer.expires_at
        return (
            expires_at is not None
            and expires_at > utcnow()
            and time.monotonic() - entry.cached_at < self.settings.session_cache_seconds
        )

    def _remember(self, key: str, viewer: Viewer) -> None:
        if self.settings.session_cache_seconds <= 0:
            return
        self._cache.pop(key, None)
        # Without the user document: credits or an email change without a session event.
        self._cache[key] = _Entry(replace(viewer, user=None), time.monotonic())
        while len(self._cache) > self.settings.session_cache_size:
            del self._cache[next(iter(self._cache))]  # the oldest

    def _forget(self, *, session_id: ObjectId | None = None, user_id: Any = None) -> None:
        self._generation += 1
        for key, entry in list(self._cache.items()):
            if entry.viewer.session_id == session_id or entry.viewer.user_id == user_id:
                self._cache.pop(key, None)

    # --- live connections ------------------------------------------------------

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    def register(self, connection: LiveConnection) -> None:
        self._connections.add(connection)

    def unregister(self, connection: LiveConnection) -> None:
        self._connections.discard(connection)

    async def _end(self, connection: LiveConnection, code: int, reason: str) -> None:
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

    async def is_current(self, viewer: Viewer) -> bool:
        """Whether `viewer`'s session is still valid, asking the database."""
        return viewer.session_id in await sessions.still_valid([viewer.session_id])

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
                ends.append(self._end(connection, SESSION_ENDED, "UNAUTHENTICATED: session ended"))
            elif connection.viewer.roles - state[0]:
                ends.append(self._end(connection, ROLE_REVOKED, "FORBIDDEN: roles changed"))
            else:
                connection.viewer = replace(connection.viewer, roles=state[0], expires_at=state[1])
        await asyncio.gather(*ends)

    # --- the streams -----------------------------------------------------------

    def _set_open(self, name: str, value: bool) -> None:
        if self._open[name] != value:
            self._open[name] = value
            self._generation += 1
            self._cache.clear()

    async def _on_change(self, name: str, change: Mapping[str, Any]) -> None:
        key = change.get("documentKey", {}).get("_id")
        if name == "sessions" and change["operationType"] == "update":
            fields = (change.get("updateDescription") or {}).get("updatedFields") or {}
            if "expires_at" in fields:  # slid, or cut short: take the new expiry
                self._forget(session_id=key)
                await self.revalidate([c for c in self._connections if c.viewer.session_id == key])
        elif name == "sessions":
            self._forget(session_id=key)
            ended = [c for c in self._connections if c.viewer.session_id == key]
            await asyncio.gather(
                *(self._end(c, SESSION_ENDED, "UNAUTHENTICATED: session ended") for c in ended)
            )
        elif _touches_access(change):
            self._forget(user_id=key)
            await self.revalidate([c for c in self._connections if c.viewer.user_id == key])

    async def _watch(
        self,
        name: str,
        collection: Callable[[], Any],
        pipeline: list,
        ready: asyncio.Event | None,
    ) -> None:
        if ready is not None:
            await ready.wait()
        delay = self._retry_delay
        resume_token = None
        failures = 0
        while True:
            try:
                options: dict[str, Any] = {"comment": BACKGROUND_COMMENT}
                if resume_token is not None:
                    options["resume_after"] = resume_token
                stream = await collection().watch(pipeline, **options)
                async with stream:
                    self._set_open(name, True)
                    if failures:
                        # Events may have been missed: check every live connection once.
                        await self.revalidate(list(self._connections))
                    delay, failures = self._retry_delay, 0
                    async for change in stream:
                        resume_token = stream.resume_token
                        await self._on_change(name, change)
            except asyncio.CancelledError:
                raise
            except PyMongoError as error:
                failures += 1
                if resume_token is not None and (_not_resumable(error) or failures >= 3):
                    logger.warning(
                        "Session watcher %s cannot resume (%s); starting from now",
                        name,
                        error,
                    )
                    resume_token = None
                else:
                    logger.warning(
                        "Session watcher %s interrupted (%s); retrying in %.1fs",
                        name,
                        type(error).__name__,
                        delay,
                    )
            except Exception:
                failures += 1
                logger.exception("Session watcher %s failed; retrying", name)
            self._set_open(name, False)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _sweep(self) -> None:
        """Four times a second: expired sessions (in memory), and all while a stream is down."""
        while True:
            await asyncio.sleep(0.25)
            try:
                now = utcnow()
                due = [
                    c
                    for c in self._connections
                    if not self.healthy
                    or (c.viewer.expires_at is not None and c.viewer.expires_at <= now)
                ]
                await self.revalidate(due)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Session sweep failed; retrying", exc_info=True)


def _not_resumable(error: PyMongoError) -> bool:
    return isinstance(error, OperationFailure) and (
        error.code in (280, 286)  # ChangeStreamFatalError, ChangeStreamHistoryLost
        or error.has_error_label("NonResumableChangeStreamError")
    )
