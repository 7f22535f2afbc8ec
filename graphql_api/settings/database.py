"""Where the data lives: the MongoDB connection, the embedded server, and how durable writes are.

Production sets MONGODB_URL; without it `serve` starts the embedded server, whose
settings only apply then. Durability gathers what decides whether an acknowledged
write survives a crash, on either kind of server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class DatabaseSettings(BaseModel):
    """The MongoDB connection and its driver's timeouts."""

    mongodb_url: str | None = Field(
        default=None,
        description="MongoDB connection string. Unset: `serve` starts the embedded server.",
    )
    mongodb_database: str = Field(default="graphql_api", min_length=1)
    mongodb_max_pool_size: int = Field(default=100, ge=1)
    mongodb_min_pool_size: int = Field(default=0, ge=0)
    mongodb_server_selection_timeout_ms: int = Field(
        default=5000,
        ge=100,
        description="How long an operation waits for a reachable server before DB_UNAVAILABLE.",
    )
    mongodb_connect_timeout_ms: int = Field(default=5000, ge=100)
    mongodb_heartbeat_frequency_ms: int = Field(
        default=2000,
        ge=500,
        description="How often the driver checks the server: how soon an outage (and the "
        "recovery) is noticed, after which requests fail fast with DB_UNAVAILABLE.",
    )
    mongodb_server_api_version: Literal["1"] | None = Field(
        default=None, description="Pin the MongoDB Stable API version (e.g. '1' on Atlas)."
    )


class EmbeddedSettings(BaseModel):
    """The embedded development server, used only when MONGODB_URL is unset."""

    embedded_data_dir: Path = Field(
        default=Path(".data/mongodb"),
        description="Where the embedded server keeps its files; survives restarts.",
    )
    embedded_startup_timeout_s: float = Field(default=30.0, gt=0)


class DurabilitySettings(BaseModel):
    """What an acknowledged write promises (issue 12): journaled, majority-committed,
    on an embedded server that fsyncs and is restarted if it dies, and retried safely
    with idempotency keys."""

    mongodb_write_concern_w: str = Field(
        default="majority",
        pattern=r"^(majority|[0-9]+)$",
        description="Write concern `w` of every write and commit: `majority` or a number.",
    )
    mongodb_write_concern_j: bool = Field(
        default=True, description="Write concern `j`: acknowledge only journaled writes."
    )
    embedded_sync_on_commit: bool = Field(
        default=True,
        description="Run the embedded server with `--sync-on-commit` (fsync every commit).",
    )
    embedded_restart_max_backoff_s: float = Field(
        default=10.0, gt=0, description="Longest pause between restarts of a dead embedded server."
    )
    embedded_state_file: Path | None = Field(
        default=None,
        description="Set by `serve`: where its supervisor reports the embedded server's state.",
    )
    idempotency_key_ttl_seconds: int = Field(
        default=24 * 3600, ge=60, description="How long an idempotency key is remembered."
    )
