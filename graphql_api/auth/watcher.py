"""Revocation on every process at once: a change stream on sessions and users.

API processes share nothing but MongoDB, so each process watches the
`sessions` collection (a logout, `logoutEverywhere`, a password change, the
TTL monitor: all are deletes) and the `users` collection (deactivation, role
changes). The watcher does two things with what it sees:

- It invalidates the cache of session lookups (`graphql_api.auth.session_cache`),
  so that a signed-in request costs no round trip. An entry is dropped as soon as
  its session or user changes; while a stream is not open (starting, after an
  error) nothing is cached and every lookup goes to MongoDB.
- It closes the process's live WebSockets (`graphql_api.auth.live_connections`)
  whose session ended (close code 4401) or whose user lost a role (4403), so their
  subscriptions end with them. Expiry is checked in memory when the earliest
  session of a live connection is due (within a quarter of a second); an idle
  process does not wake for it. After a stream error, and four times a second
  while a stream is down, all live connections are checked against the database
  (two queries for all).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pymongo.errors import OperationFailure, PyMongoError

from graphql_api.auth import sessions
from graphql_api.auth.live_connections import (
    SESSION_ENDED,
    LiveConnection,
    LiveConnections,
)
from graphql_api.auth.session_cache import SessionCache
from graphql_api.auth.viewer import Viewer
from graphql_api.database import IDLE_WAIT
from graphql_api.models import Session, User, utcnow
from graphql_api.monitoring import BACKGROUND_COMMENT
from graphql_api.settings import Settings

logger = logging.getLogger(__name__)

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


class SessionWatcher:
    """The change streams, and what they drive: the session cache and the live connections."""

    def __init__(self, settings: Settings, retry_delay: float = 0.5) -> None:
        self.settings = settings
        self._retry_delay = retry_delay
        self.cache = SessionCache(settings, ("sessions", "users"))
        self.connections = LiveConnections()
        self._tasks: list[asyncio.Task[None]] = []
        # Set when the next sweep may be due sooner: a connection came, an expiry
        # changed, a stream went down.
        self._reconsider = asyncio.Event()
        self._stop_listening: Callable[[], None] | None = None

    # --- lifecycle -----------------------------------------------------------

    def start(self, ready: asyncio.Event | None = None) -> None:
        """Watch from now on, once `ready` (the database is initialised) is set."""
        if self._tasks:
            return
        self._stop_listening = sessions.on_end(self.cache.forget)
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
        self.cache.set_open("sessions", False)
        self.cache.set_open("users", False)

    @property
    def generation(self) -> int:
        """Changes with every invalidation: compare before and after a lookup."""
        return self.cache.generation

    @property
    def healthy(self) -> bool:
        """Both streams open: cached lookups are as good as the database's."""
        return self.cache.healthy

    # --- what the app asks of it -------------------------------------------------

    async def authenticate(self, token: str) -> Viewer | None:
        """The session's current viewer: from the cache while the streams are open."""
        return await self.cache.authenticate(token)

    def known(self, token: str) -> Viewer | None:
        """`authenticate`'s answer when the cache has it without I/O, else None."""
        return self.cache.known(token)

    @property
    def connection_count(self) -> int:
        return len(self.connections)

    def register(self, connection: LiveConnection) -> None:
        self.connections.register(connection)
        self._reconsider.set()

    def unregister(self, connection: LiveConnection) -> None:
        self.connections.unregister(connection)

    async def is_current(self, viewer: Viewer) -> bool:
        """Whether `viewer`'s session is still valid, asking the database."""
        return viewer.session_id in await sessions.still_valid([viewer.session_id])

    async def revalidate(self, connections: Sequence[LiveConnection]) -> None:
        """Check `connections` against the database; close those no longer allowed."""
        await self.connections.revalidate(connections)
        self._reconsider.set()  # their expiries may have moved

    # --- the streams -----------------------------------------------------------

    async def _on_change(self, name: str, change: Mapping[str, Any]) -> None:
        key = change.get("documentKey", {}).get("_id")
        live = self.connections
        if name == "sessions" and change["operationType"] == "update":
            fields = (change.get("updateDescription") or {}).get("updatedFields") or {}
            if "expires_at" in fields:  # slid, or cut short: take the new expiry
                self.cache.forget(session_id=key)
                await self.revalidate([c for c in live if c.viewer.session_id == key])
        elif name == "sessions":
            self.cache.forget(session_id=key)
            ended = [c for c in live if c.viewer.session_id == key]
            await live.end_all(ended, SESSION_ENDED, "UNAUTHENTICATED: session ended")
        elif _touches_access(change):
            self.cache.forget(user_id=key)
            await self.revalidate([c for c in live if c.viewer.user_id == key])

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
                options: dict[str, Any] = {"comment": BACKGROUND_COMMENT, **IDLE_WAIT}
                if resume_token is not None:
                    options["resume_after"] = resume_token
                stream = await collection().watch(pipeline, **options)
                async with stream:
                    self.cache.set_open(name, True)
                    if failures:
                        # Events may have been missed: check every live connection once.
                        await self.revalidate(list(self.connections))
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
            self.cache.set_open(name, False)
            self._reconsider.set()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _sweep(self) -> None:
        """Expired sessions (in memory) when one is due, and all while a stream is down.

        At most four sweeps a second; between them it sleeps until the earliest
        expiry of a live connection, or until `_reconsider` says that may have
        changed: with nothing due, an idle process does not wake for it.
        """
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            try:
                now = utcnow()
                due = [
                    c
                    for c in self.connections
                    if not self.healthy
                    or (c.viewer.expires_at is not None and c.viewer.expires_at <= now)
                ]
                await self.revalidate(due)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Session sweep failed; retrying", exc_info=True)
                continue
            self._reconsider.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._until_next_sweep()):
                    await self._reconsider.wait()

    def _until_next_sweep(self) -> float | None:
        """Seconds until a sweep is due (None: not until something changes)."""
        if not self.healthy:
            return 0
        expiries = [c.viewer.expires_at for c in self.connections if c.viewer.expires_at]
        if not expiries:
            return None
        return max(0.0, (min(expiries) - utcnow()).total_seconds())


SWEEP_INTERVAL_S = 0.25  # the least time between two sweeps


def _not_resumable(error: PyMongoError) -> bool:
    return isinstance(error, OperationFailure) and (
        error.code in (280, 286)  # ChangeStreamFatalError, ChangeStreamHistoryLost
        or error.has_error_label("NonResumableChangeStreamError")
    )


__all__ = ["SessionWatcher"]
