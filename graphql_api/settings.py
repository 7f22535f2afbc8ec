"""Configuration, read once from the environment (and an optional `.env` file).

Every setting has a default that works on a developer machine; production sets
`MONGODB_URL` and whatever it wants to tighten. The table in the README is the
user-facing version of this class.
"""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from strawberry.http.websocket_origin import normalize_origin


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

    # --- persisted operations ---------------------------------------------------
    apq: bool = Field(
        default=True, description="Automatic Persisted Queries: run a registered query by hash."
    )
    apq_cache_size: int = Field(
        default=1000, ge=0, description="Registered queries kept per worker (LRU)."
    )
    apq_cache_max_chars: int = Field(
        default=4_000_000, ge=0, description="Total size of the registered queries per worker."
    )
    get_cache_max_age_s: int = Field(
        default=0,
        ge=0,
        description="Cache-Control max-age of successful anonymous GET queries (CDN caching); "
        "0: `no-store`. Signed-in viewers always get `private, no-store`.",
    )
    trusted_documents: str | None = Field(
        default=None,
        description="Comma-separated manifests of the clients' documents ({sha256: document}).",
    )
    trusted_documents_only: bool = Field(
        default=False, description="Run only the documents of TRUSTED_DOCUMENTS."
    )

    @model_validator(mode="after")
    def _trusted_documents_only_needs_manifests(self) -> Settings:
        if self.trusted_documents_only and not (self.trusted_documents or "").strip():
            raise ValueError("TRUSTED_DOCUMENTS_ONLY=true needs TRUSTED_DOCUMENTS (manifest paths)")
        return self

    max_query_depth: int = Field(default=12, ge=1)
    max_query_tokens: int = Field(default=2000, ge=10)
    max_query_aliases: int = Field(default=30, ge=0)
    max_query_cost: int = Field(default=5000, ge=1)
    # --- cost budget ----------------------------------------------------------
    cost_scan_documents_per_point: int = Field(
        default=10,
        ge=1,
        description="A field that may scan a collection (a search without a text index, a "
        "filter no index bounds) costs one point per this many documents in it.",
    )
    cost_collection_size_refresh_s: float = Field(
        default=60.0, gt=0, description="How often the collection sizes used for costs are re-read."
    )
    cost_budget_capacity: int = Field(
        default=10_000,
        ge=0,
        description="Points a client may spend at once (per user, or per address when "
        "anonymous); 0 turns budgets off. Per worker process: divide by the worker count.",
    )
    cost_budget_restore_per_s: float = Field(
        default=200.0, gt=0, description="Points a client's budget regains per second."
    )
    cost_refusal_points: int = Field(
        default=50,
        ge=0,
        description="What an operation refused for the budget costs; a client in debt is "
        "refused before its document is parsed.",
    )
    cost_budget_max_clients: int = Field(
        default=100_000, ge=1, description="Budgets kept in memory; the least recent go first."
    )
    max_concurrent_scans: int = Field(
        default=1,
        ge=1,
        description="Scan-shaped database operations running at once per worker process; "
        "more wait (at most `scan_max_time_ms`) and are then refused (RATE_LIMITED, busy).",
    )
    scan_time_share: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="Share of the time a scan slot may be busy: after a scan, its slot "
        "rests so that other operations keep the rest of the database.",
    )
    scan_max_time_ms: int = Field(
        default=2000,
        ge=1,
        description="Server time (`maxTimeMS`) of one scan-shaped operation; past it, "
        "QUERY_TOO_EXPENSIVE.",
    )
    search_max_words: int = Field(default=10, ge=1, le=100)
    search_max_word_length: int = Field(default=40, ge=1, le=1000)

    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest request body.")

    # --- HTTP: CORS, CSRF, compression ----------------------------------------
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Browser origins allowed to call the API (CORS and WebSockets), "
        "comma-separated, e.g. `https://app.example.com`; `*` for any. Empty: same-origin only.",
    )
    cors_allow_credentials: bool = Field(
        default=False,
        description="Let allowed origins send cookies/credentials (never with `*`).",
    )
    cors_max_age_s: int = Field(
        default=600, ge=0, description="How long browsers cache a preflight."
    )
    csrf_prevention: bool = Field(
        default=True,
        description="Refuse operations a browser could send cross-site without a preflight.",
    )
    compression_min_bytes: int = Field(
        default=1024,
        ge=0,
        description="Compress (zstd/br/gzip by Accept-Encoding) responses at least this large; "
        "0 turns compression off.",
    )

    incremental_delivery: bool = Field(
        default=True,
        description="Serve `@defer` and `@stream` (multipart/mixed) to clients that accept it.",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _normalize_origins(cls, origins: list[str]) -> list[str]:
        normalized = []
        for origin in origins:
            if origin == "*":
                normalized.append(origin)
                continue
            form = normalize_origin(origin)
            parts = urlsplit(origin)
            if form is None or parts.path not in ("", "/") or parts.query or parts.username:
                raise ValueError(f"{origin!r} is not an origin like https://app.example.com")
            normalized.append(form)
        return normalized

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> Settings:
        if self.cors_allow_credentials and "*" in self.allowed_origins:
            raise ValueError("ALLOWED_ORIGINS='*' cannot be combined with CORS_ALLOW_CREDENTIALS")
        return self

    request_timeout_s: float = Field(
        default=10.0, gt=0, description="Deadline of the database work of one request."
    )
    health_timeout_s: float = Field(default=2.0, gt=0)
    max_page_size: int = Field(default=100, ge=1, le=10_000)
    default_page_size: int = Field(default=20, ge=1)

    subscription_buffer: int = Field(
        default=100, ge=1, description="Events a subscriber may fall behind before it is closed."
    )

    # --- WebSockets and revocation -------------------------------------------
    session_cache_seconds: float = Field(
        default=60.0,
        ge=0,
        description="Longest time a session lookup is reused. Entries are dropped as soon as "
        "the session or its user changes (change streams); 0: look up on every operation.",
    )
    session_cache_size: int = Field(default=10_000, ge=1, description="Sessions cached.")
    max_subscriptions_per_connection: int = Field(
        default=100,
        ge=1,
        description="Operations one WebSocket may run at once (TOO_MANY_SUBSCRIPTIONS past it).",
    )
    max_websockets_per_client: int = Field(
        default=20,
        ge=1,
        description="Open WebSockets per user (signed in) or per address (anonymous), per "
        "process; more are closed with 4429.",
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

    # --- sign-in throttling and proxies ----------------------------------------
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Proxies (IPs or CIDRs) whose X-Forwarded-For is believed; empty: none, "
        "the client address is the TCP peer's. JSON list or comma-separated.",
    )
    password_hash_concurrency: int = Field(
        default=2,
        ge=1,
        description="Argon2 hashes/verifications run at once per process (each uses "
        "ARGON2_MEMORY_COST_KIB of memory).",
    )
    password_hash_queue_timeout_s: float = Field(
        default=1.0,
        gt=0,
        description="How long a sign-in waits for a hashing slot before SERVICE_BUSY.",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # ValueError: a clear settings error
        return value

    # --- durability (issue 12) ---------------------------------------------
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

    # --- observability ------------------------------------------------------
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="`json`: one JSON object per line (for log collectors); `text` for humans.",
    )
    metrics: bool = Field(default=True, description="Serve Prometheus metrics on /metrics.")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="If set, /metrics answers only `Authorization: Bearer <token>`.",
    )
    otel_enabled: bool = Field(
        default=False,
        description="Trace operations and MongoDB commands with OpenTelemetry (the `otel` "
        "extra); the exporter is configured by the standard OTEL_* variables.",
    )

    # --- Planned execution (graphql_api/execution) ---------------------------------
    planned_execution: bool = Field(
        default=True,
        description="Answer read queries from a cached execution plan instead of "
        "graphql-core's generic executor (anything a plan can't serve exactly still "
        "goes to graphql-core). Off: every operation through graphql-core.",
    )
    # --- end planned execution ---------------------------------------------------

    log_level: Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


def describe_errors(error: ValidationError) -> str:
    """One line per bad setting, naming its variable; never its value (it may be a secret)."""
    lines = []
    for item in error.errors():
        variable = "_".join(str(part) for part in item["loc"]).upper() or "settings"
        lines.append(f"error: {variable}: {item['msg']}")
    return "\n".join(lines)


@lru_cache
def get_settings() -> Settings:
    """The process's settings; a bad one ends the process with one line naming it."""
    try:
        return Settings()
    except ValidationError as error:
        raise SystemExit(describe_errors(error)) from None
