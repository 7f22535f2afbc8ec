"""Configuration, read once from the environment (and an optional `.env` file).

Every setting has a default that works on a developer machine; production sets
`MONGODB_URL` and whatever it wants to tighten. The table in the README is the
user-facing version of this class.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # --- MongoDB -----------------------------------------------------------
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

    # --- embedded database (used only when MONGODB_URL is unset) -----------
    embedded_data_dir: Path = Field(
        default=Path(".data/mongodb"),
        description="Where the embedded server keeps its files; survives restarts.",
    )
    embedded_startup_timeout_s: float = Field(default=30.0, gt=0)

    # --- HTTP / GraphQL -----------------------------------------------------
    graphiql: bool = Field(default=True, description="Serve the GraphiQL explorer to browsers.")
    introspection: bool = Field(default=True, description="Answer introspection queries.")
    max_query_depth: int = Field(default=12, ge=1)
    max_query_tokens: int = Field(default=2000, ge=10)
    max_query_aliases: int = Field(default=30, ge=0)
    max_query_cost: int = Field(default=5000, ge=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest request body.")
    request_timeout_s: float = Field(
        default=10.0, gt=0, description="Deadline of the database work of one request."
    )
    health_timeout_s: float = Field(default=2.0, gt=0)
    max_page_size: int = Field(default=100, ge=1, le=10_000)
    default_page_size: int = Field(default=20, ge=1)

    subscription_buffer: int = Field(
        default=100, ge=1, description="Events a subscriber may fall behind before it is closed."
    )

    subscription_reauth_interval_s: float = Field(
        default=60.0,
        ge=0,
        description="How often a WebSocket's session is checked again: a logout or a "
        "deactivation ends private subscriptions within this time.",
    )

    # --- accounts and sessions ------------------------------------------------
    session_ttl_seconds: int = Field(
        default=14 * 24 * 3600, ge=60, description="A session expires this long after last use."
    )
    session_touch_interval_seconds: int = Field(
        default=300,
        ge=0,
        description="Slide a session's expiry at most this often (saves a write per request).",
    )
    login_window_seconds: int = Field(default=900, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=50, ge=1)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost_kib: int = Field(default=65536, ge=8)

    log_level: str = "INFO"


@lru_cache
def get_settings() -> Settings:
    return Settings()
