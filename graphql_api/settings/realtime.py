"""Subscriptions over WebSockets, and how fast a revoked session stops being honoured.

A WebSocket outlives the session that opened it, so these bound both what one
connection may hold open and how long a cached session lookup may be trusted.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class RealtimeSettings(BaseModel):
    """Subscriber buffers, WebSocket quotas, and the session cache that revocation clears."""

    subscription_buffer: int = Field(
        default=100, ge=1, description="Events a subscriber may fall behind before it is closed."
    )
    websocket_compression: bool = Field(
        default=False,
        description="Per-message deflate on WebSockets (`serve`). Off: a compressor per socket "
        "costs ~50 KB and CPU for every frame, and subscription frames are small.",
    )
    websocket_lean_protocol: bool = Field(
        default=True,
        description="`serve`'s WebSockets use uvicorn's websockets-sansio protocol with lighter "
        "per-socket state (graphql_api.realtime.websocket_protocol), and a GraphQL socket that "
        "waits for its next message holds no task: ~9 KB per idle subscriber, not ~19 KB. "
        "False: uvicorn's own.",
    )
    websocket_ping_interval_s: float | None = Field(
        default=20.0,
        gt=0,
        description="`serve` pings each WebSocket this often (uvicorn's keepalive); unset: never.",
    )
    websocket_ping_timeout_s: float | None = Field(
        default=20.0,
        gt=0,
        description="A WebSocket whose ping goes unanswered this long is closed (1011): "
        "its client is gone without a word.",
    )
    multiplex_subscriptions: bool = Field(
        default=True,
        description="Subscribers of the same operation, variables and visibility share one "
        "execution per event; false: each runs its own (for comparison, and as an escape hatch).",
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
