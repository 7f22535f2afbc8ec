"""The MongoDB client's lifecycle: one client per process, opened and closed by the app.

The app must come up even when MongoDB is not there yet. So the client is
created at once (PyMongo connects lazily), and Beanie's initialisation and the
index build run in a background task that retries until the server answers.
Until then every operation fails fast with DB_UNAVAILABLE and `/health` says 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pymongo
from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError
from pymongo.server_api import ServerApi

from graphql_api import socket_writes
from graphql_api.models import DOCUMENT_MODELS
from graphql_api.outcomes import WriteTracker
from graphql_api.pagination import HINTS
from graphql_api.settings import Settings

logger = logging.getLogger(__name__)

# How long a change stream's getMore waits on the server for an event. An event
# ends the wait at once (measured: 6 ms on the embedded server), so a long one
# costs no delay; it only spares the idle round trips (the server's default is 1 s,
# and two streams polling each second were a third of an idle process's CPU).
IDLE_WAIT: dict[str, int] = {"max_await_time_ms": 10_000}

# MongoDB's error codes for "this server cannot build this kind of index".
_CANNOT_CREATE_INDEX = {67}


@dataclass
class Capabilities:
    """What the connected server turned out to support, learnt at startup."""

    text_search: bool = False
    #: False for SecantusDB, which walks a hinted index whole (see `HintPolicy`).
    bounded_hints: bool = True
    unsupported_indexes: list[str] = field(default_factory=list)


def write_concern_w(settings: Settings) -> int | str:
    w = settings.mongodb_write_concern_w
    return int(w) if w.isdigit() else w


def create_client(
    settings: Settings, url: str, event_listeners: Sequence[Any] = ()
) -> AsyncMongoClient:
    options: dict[str, Any] = {
        "maxPoolSize": settings.mongodb_max_pool_size,
        "minPoolSize": settings.mongodb_min_pool_size,
        "serverSelectionTimeoutMS": settings.mongodb_server_selection_timeout_ms,
        "connectTimeoutMS": settings.mongodb_connect_timeout_ms,
        "heartbeatFrequencyMS": settings.mongodb_heartbeat_frequency_ms,
        "tz_aware": True,
        "uuidRepresentation": "standard",
        "appname": "graphql_api",
        "event_listeners": [WriteTracker(), *event_listeners],
        # Every write and every transaction commit (Beanie's and raw collection
        # calls alike) inherits the client's write concern.
        "w": write_concern_w(settings),
        "journal": settings.mongodb_write_concern_j,
    }
    if settings.mongodb_server_api_version:
        options["server_api"] = ServerApi(settings.mongodb_server_api_version, strict=False)
    socket_writes.install()
    return AsyncMongoClient(url, **options)


class Database:
    """Owns the client, Beanie's initialisation and what the server can do."""

    def __init__(
        self, settings: Settings, url: str | None = None, event_listeners: Sequence[Any] = ()
    ) -> None:
        url = url or settings.mongodb_url
        if not url:
            raise ValueError(
                "MONGODB_URL is not set. `graphql-api serve` starts the embedded server "
                "and sets it for you; set it yourself to use another MongoDB."
            )
        self.settings = settings
        self.client = create_client(settings, url, event_listeners)
        self.db: AsyncDatabase = self.client[settings.mongodb_database]
        self.capabilities = Capabilities()
        self.ready = asyncio.Event()
        self._described: object = None  # the topology description `_writable` is of
        self._writable = False
        self._init_task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Start initialising in the background; return at once."""
        if self._init_task is None:
            self._init_task = asyncio.create_task(self._initialise_until_ready())

    async def wait_ready(self, within: float | None = None) -> None:
        await asyncio.wait_for(self.ready.wait(), within)

    @property
    def available(self) -> bool:
        """Initialised, and the driver's monitor currently sees a writable server."""
        if not self.ready.is_set():
            return False
        # The description is immutable and replaced on every change the monitor sees:
        # its answer is worked out once per description, not on every request.
        description = self.client.topology_description
        if description is not self._described:
            self._writable = description.has_writable_server()
            self._described = description
        return self._writable

    async def ping(self) -> bool:
        try:
            with pymongo.timeout(self.settings.health_timeout_s):
                await self.client.admin.command("ping")
        except PyMongoError:
            return False
        return True

    async def close(self) -> None:
        if self._init_task is not None and not self._init_task.done():
            self._init_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._init_task
        await self.client.close()

    async def _initialise_until_ready(self) -> None:
        delay = 0.25
        while True:
            try:
                await init_beanie(
                    database=self.db, document_models=list(DOCUMENT_MODELS), skip_indexes=True
                )
                await self.ensure_indexes()
            except ConnectionFailure as exc:
                logger.warning(
                    "MongoDB not reachable (%s); retrying in %.1fs", type(exc).__name__, delay
                )
            except PyMongoError:
                # Not a network problem (authentication, permissions...): say it loudly.
                logger.exception("MongoDB initialisation failed; retrying in %.1fs", delay)
            else:
                self.ready.set()
                logger.info(
                    "MongoDB ready: database %r, full-text search: %s, lists %s",
                    self.db.name,
                    "text index" if self.capabilities.text_search else "regex fallback",
                    "name their index (hint)"
                    if self.capabilities.bounded_hints
                    else "name their index only where it is walked in their order or a Decimal "
                    "range needs it (SecantusDB walks a hinted index whole)",
                )
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def ensure_indexes(self) -> None:
        """Create the indexes the models declare, one by one.

        One at a time so that a server refusing one kind (SecantusDB has no text
        indexes) costs that index only: it is logged once and remembered in
        `capabilities`, and the features that need it switch to their fallback.
        """
        capabilities = Capabilities()
        build = await self.db.client.admin.command("buildInfo")
        capabilities.bounded_hints = "secantusVersion" not in build
        for model in DOCUMENT_MODELS:
            collection = model.get_pymongo_collection()
            if prepare := getattr(model, "prepare_indexes", None):
                await prepare(collection)  # e.g. backfill a field a new unique index needs
            for index in model.Settings.indexes:
                name = index.document["name"]
                is_text = "text" in index.document["key"].values()
                try:
                    await collection.create_indexes([index])
                except OperationFailure as exc:
                    if exc.code not in _CANNOT_CREATE_INDEX:
                        # An existing index with other options, for example: the
                        # service still works, but an operator has to look.
                        logger.error("Could not create index %s.%s: %s", collection.name, name, exc)
                        continue
                    capabilities.unsupported_indexes.append(f"{collection.name}.{name}")
                    logger.warning(
                        "This MongoDB server refuses index %s.%s (%s); continuing without it%s.",
                        collection.name,
                        name,
                        exc.details.get("errmsg") if exc.details else exc,
                        ", full-text search uses the regex fallback" if is_text else "",
                    )
                    continue
                if is_text:
                    capabilities.text_search = True
        self.capabilities = capabilities
        HINTS.leading_keys = (
            None
            if capabilities.bounded_hints
            else {
                index.document["name"]: next(iter(index.document["key"]))
                for model in DOCUMENT_MODELS
                for index in model.Settings.indexes
            }
        )
