"""WebSockets with bounds: sockets per client, operations per socket, revocable.

Strawberry's protocol handlers, extended through their public handler hooks:

- at most `MAX_WEBSOCKETS_PER_CLIENT` open sockets per client (per process):
  a socket counts against its address until `connection_init` signs it in,
  then against its user; one more is closed with 4429 `TOO_MANY_CONNECTIONS`;
- at most `MAX_SUBSCRIPTIONS_PER_CONNECTION` operations at once per socket,
  refused with an error coded `TOO_MANY_SUBSCRIPTIONS` (the socket stays open);
- each socket can be ended from outside (the session watcher) with a close
  code: its operations are cancelled first, so nothing more is sent.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from graphql_api.auth.client_address import client_network

TOO_MANY_CONNECTIONS = 4429


class ConnectionRefused(Exception):
    """Raised by `on_ws_connect` to close the socket with `close_code`."""

    def __init__(self, close_code: int, reason: str) -> None:
        super().__init__(reason)
        self.close_code = close_code
        self.reason = reason


class ConnectionLimits:
    """Open sockets per client key (`address:…` or `user:…`), in this process."""

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self.open: Counter[str] = Counter()

    def acquire(self, key: str) -> bool:
        if self.open[key] >= self.per_client:
            return False
        self.open[key] += 1
        return True

    def release(self, key: str | None) -> None:
        if key is None:
            return
        self.open[key] -= 1
        if self.open[key] <= 0:
            del self.open[key]

    def refusal(self) -> ConnectionRefused:
        return ConnectionRefused(
            TOO_MANY_CONNECTIONS,
            f"TOO_MANY_CONNECTIONS: at most {self.per_client} WebSockets per client",
        )


def _too_many_operations(limit: int) -> dict[str, Any]:
    return {
        "message": f"At most {limit} operations may run at once on one WebSocket: "
        "complete one first, or open another connection.",
        "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": limit},
    }


class _Bounded:
    """What both protocols' handlers add: the per-client count while the socket is
    open, and an end from outside after which nothing more is sent."""

    ended = False  # nothing more is sent
    closed = False  # the close frame is sent

    async def handle(self) -> None:
        context = self.context
        limits: ConnectionLimits = self.view.connection_limits
        key = f"address:{client_network(context.client_address)}"  # IPv6 by its /64
        if not limits.acquire(key):
            refusal = limits.refusal()
            await self.websocket.close(code=refusal.close_code, reason=refusal.reason)
            return
        context.client_key = key
        context.close_connection = self.end
        try:
            await super().handle()
        finally:
            limits.release(context.client_key)
            context.client_key = None
            self.view.connection_closed(context)

    async def send_message(self, message: Any) -> None:
        if not self.ended:
            await super().send_message(message)

    async def close_once(self, code: int, reason: str) -> None:
        # Once ended (from outside), nothing more is sent; the close frame goes once.
        self.ended = True
        if not self.closed:
            self.closed = True
            with contextlib.suppress(RuntimeError):  # closed by the client meanwhile
                await self.websocket.close(code=code, reason=reason)


class TransportWSHandler(_Bounded, BaseGraphQLTransportWSHandler):
    """`graphql-transport-ws`, the protocol of today's clients."""

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        except ConnectionRefused as refused:
            await self.close_once(refused.close_code, refused.reason)

    async def handle_subscribe(self, message: Any) -> None:
        limit = self.max_subscriptions_per_connection
        if (
            limit is not None
            and self.connection_acknowledged
            and message.get("id") not in self.operations
            and len(self.operations) >= limit
        ):
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [_too_many_operations(limit)]}
            )
            return
        await super().handle_subscribe(message)

    async def end(self, code: int, reason: str) -> None:
        self.ended = True  # cancelled operations must not write to a client that may not read
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        await self.close_once(code, reason)


class LegacyWSHandler(_Bounded, BaseGraphQLWSHandler):
    """The legacy `graphql-ws` protocol (subscriptions-transport-ws)."""

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        except ConnectionRefused as refused:
            await self.send_message(
                {"type": "connection_error", "payload": {"message": refused.reason}}
            )
            await self.close_once(refused.close_code, refused.reason)

    async def handle_start(self, message: Any) -> None:
        limit = self.max_subscriptions_per_connection
        if limit is not None and message.get("id") not in self.tasks and len(self.tasks) >= limit:
            await self.send_message(
                {"type": "error", "id": message["id"], "payload": _too_many_operations(limit)}
            )
            return
        await super().handle_start(message)

    async def end(self, code: int, reason: str) -> None:
        self.ended = True  # cancelled operations must not write to a client that may not read
        await self.cleanup()
        await self.close_once(code, reason)
