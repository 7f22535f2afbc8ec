"""The per-process cache of session lookups: token hash -> viewer, no round trip.

Only as good as the change streams that invalidate it, so it is trusted only
while every one of them is open (`healthy`): until then, and from a stream's
error on, nothing is cached and every lookup goes to MongoDB. An entry is dropped
as soon as its session or user changes; expiry is checked locally against the
entry's `expires_at`. A generation number, bumped by every invalidation, lets a
lookup that raced one leave its (maybe stale) result out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from bson import ObjectId

from graphql_api.auth import sessions
from graphql_api.auth.tokens import hash_token
from graphql_api.auth.viewer import Viewer
from graphql_api.models import utcnow
from graphql_api.settings import Settings


@dataclass
class _Entry:
    viewer: Viewer
    cached_at: float  # time.monotonic()
    # The session's expiry and last touch as POSIX seconds: `known()`, asked on every
    # signed-in request, compares floats rather than building and subtracting datetimes.
    expires: float = field(init=False)
    touched: float | None = field(init=False)

    def __post_init__(self) -> None:
        viewer = self.viewer
        self.expires = -math.inf if viewer.expires_at is None else viewer.expires_at.timestamp()
        self.touched = None if viewer.touched_at is None else viewer.touched_at.timestamp()


class SessionCache:
    """Cached session lookups, valid while the feeds named in `feeds` are all open."""

    def __init__(self, settings: Settings, feeds: Iterable[str]) -> None:
        self.settings = settings  # read live: tests switch the cache on and off
        self._cache: dict[str, _Entry] = {}
        self._generation = 0  # bumped by every invalidation: a lookup racing one is not kept
        self._open: dict[str, bool] = dict.fromkeys(feeds, False)
        self._closed = len(self._open)  # feeds not open: asked on every signed-in request

    @property
    def generation(self) -> int:
        """Changes with every invalidation: compare before and after a lookup."""
        return self._generation

    @property
    def healthy(self) -> bool:
        """Every feed open: cached lookups are as good as the database's."""
        return not self._closed

    def set_open(self, feed: str, value: bool) -> None:
        """A feed opened or closed: either way, what was cached may have been missed."""
        if self._open[feed] != value:
            self._open[feed] = value
            self._closed += -1 if value else 1
            self._generation += 1
            self._cache.clear()

    def known(self, token: str) -> Viewer | None:
        """The viewer `authenticate` would return, when that needs no I/O: cached,
        fresh, and not due for a touch. None: only `authenticate` can tell."""
        if self._closed:
            return None
        entry = self._cache.get(hash_token(token))
        if entry is None:
            return None
        settings, now = self.settings, time.time()
        if (
            time.monotonic() - entry.cached_at >= settings.session_cache_seconds
            or now >= entry.expires
            # due for a touch (sessions.touch_due): the request slides the expiry, a write
            or (
                entry.touched is not None
                and now - entry.touched >= settings.session_touch_interval_seconds
            )
        ):
            return None
        return entry.viewer

    async def authenticate(self, token: str) -> Viewer | None:
        """The session's current viewer: from the cache while the feeds are open."""
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

    def forget(self, *, session_id: ObjectId | None = None, user_id: Any = None) -> None:
        """Drop the entries of a session or of a user (and bump the generation)."""
        self._generation += 1
        for key, entry in list(self._cache.items()):
            if entry.viewer.session_id == session_id or entry.viewer.user_id == user_id:
                self._cache.pop(key, None)


__all__ = ["SessionCache"]
