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
    health_timeout_s: float = Field(default=2.0, gt=0)
    max_page_size: int = Field(default=100, ge=1, le=10_000)
    default_page_size: int = Field(default=20, ge=1)

    log_level: str = "INFO"


@lru_cache
def get_settings() -> Settings:
    return Settings()
