"""How much one operation, and one client, may ask of the server.

Static limits refuse a document before it runs (depth, tokens, aliases, cost); the
cost budget and the scan gate share the database fairly between clients at run
time; deadlines and page sizes bound the work of each request.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class QueryLimitSettings(BaseModel):
    """The static limits of a document, the per-client cost budget, and the scan gate."""

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
    # --- scans ------------------------------------------------------------------
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


class RequestSettings(BaseModel):
    """The deadlines of a request, a health check and a shutdown, the collector's pace,
    and the size of a page."""

    request_timeout_s: float = Field(
        default=10.0, gt=0, description="Deadline of the database work of one request."
    )
    health_timeout_s: float = Field(default=2.0, gt=0)
    shutdown_timeout_s: float = Field(
        default=15.0,
        gt=0,
        description="On SIGTERM: how long requests in flight may still take, then how long "
        "each resource (change streams, database client) may take to close.",
    )
    gc_young_threshold: int = Field(
        default=10_000,
        ge=100,
        description="Objects allocated (net) between two collections of Python's youngest "
        "generation (CPython's default: 700). A read decodes thousands of objects, so the "
        "default's collections ran several times per request, each walking every request "
        "in flight; cyclic garbage waits a little longer instead.",
    )
    max_page_size: int = Field(default=100, ge=1, le=10_000)
    default_page_size: int = Field(default=20, ge=1)
