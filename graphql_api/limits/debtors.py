"""Clients in debt are refused before anything is parsed.

Refusing is work too (a document is parsed and priced), so refused operations
are charged: one over the per-operation maximum as if it cost the maximum, one
over budget `COST_REFUSAL_POINTS`. A client that keeps sending them goes into
debt, and while in debt it is refused before its document is even parsed: by
the cost extension for signed-in users, and here, before the request body is
read, for anonymous ones.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request

from graphql_api.auth.client_address import client_address
from graphql_api.limits.buckets import client_key
from graphql_api.limits.controls import existing_controls
from graphql_api.settings import Settings


class RefuseClientsInDebt:
    """ASGI middleware: an anonymous client in debt is refused before its request
    body is even read. The same refusal as the schema's (RATE_LIMITED, a retry
    hint, `Retry-After`), only cheaper, so a flood of refused requests costs the
    process as little as it can; requests with a token go on to the schema,
    which knows whose budget they draw on. The refusal is held back a little
    (`TARPIT_S`), which slows a client that loops on refusals to a trickle."""

    # A refusal is held back up to this long (never past the retry time): a
    # client looping on refusals then sends one a second, not hundreds, for the
    # price of a sleeping coroutine. At most TARPIT_MAX are held at once.
    TARPIT_S = 1.0
    TARPIT_MAX = 256

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.held = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/graphql"
            and self.settings.cost_budget_capacity
        ):
            refusal = self._refusal(scope)
            if refusal is not None:
                await self.refuse(send, *refusal)
                return
        await self.app(scope, receive, send)

    async def refuse(self, send: Any, body: bytes, retry_after: int) -> None:
        """The refusal, held back first (see TARPIT_S)."""
        if self.held < self.TARPIT_MAX:
            self.held += 1
            try:
                await asyncio.sleep(min(self.TARPIT_S, retry_after))
            finally:
                self.held -= 1
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _refusal(self, scope: Any) -> tuple[bytes, int] | None:
        request = Request(scope)
        return self.refusal_for(
            request.app.state, scope, authorized="authorization" in request.headers
        )

    def refusal_for(self, state: Any, scope: Any, *, authorized: bool) -> tuple[bytes, int] | None:
        """The refusal's body and retry time for this request, if its client is in
        debt; `authorized`: it has an Authorization header (the schema decides then).
        Also asked by the app's entry (graphql_api.http.entry), which has the headers read."""
        database = getattr(state, "database", None)
        if database is None or authorized:
            return None
        controls = existing_controls(database)
        if controls is None:
            return None
        client = scope.get("client")
        peer = client[0] if client else None
        trusted = self.settings.trusted_proxies
        headers = Headers(scope=scope) if trusted else None  # read only behind a proxy
        address = client_address(peer, headers, trusted)
        buckets = controls.buckets
        available = buckets.available(client_key(None, address))
        if available >= 0:
            return None
        retry_after = max(1, math.ceil(-available / buckets.restore_per_s))
        return orjson.dumps(
            {
                "errors": [
                    {
                        "message": buckets.refusal_message(available, retry_after),
                        "extensions": {"code": "RATE_LIMITED", "retryAfterSeconds": retry_after},
                    }
                ],
                "extensions": {"cost": {"throttleStatus": buckets.throttle_status(available)}},
            }
        ), retry_after
