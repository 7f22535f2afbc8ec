"""A small graphql-transport-ws client (the protocol GraphQL clients speak), for tests."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"


class GraphQLWebSocket:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url.replace("http://", "ws://") + "/graphql"
        self.token = token
        self.ws: ClientConnection | None = None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> GraphQLWebSocket:
        self.ws = await connect(self.url, subprotocols=[PROTOCOL])
        payload = {"authorization": f"Bearer {self.token}"} if self.token else {}
        await self.send({"type": "connection_init", "payload": payload})
        ack = await self.receive()
        assert ack["type"] == "connection_ack", ack
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.ws is not None
        await self.ws.close()

    async def send(self, message: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send(orjson.dumps(message).decode())

    async def receive(self, wait: float = 20) -> dict[str, Any]:
        assert self.ws is not None
        frame = await asyncio.wait_for(self.ws.recv(), wait)
        assert isinstance(frame, str), "frames must be text"
        return orjson.loads(frame)

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation = str(next(self._ids))
        await self.send(
            {
                "id": operation,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )
        return operation

    async def next_payload(self, operation: str | None = None, wait: float = 20) -> dict[str, Any]:
        """The next `next`/`error`/`complete` message (of `operation`, if given)."""
        while True:
            message = await self.receive(wait)
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            if operation is not None and message.get("id") != operation:
                continue
            assert message["type"] in ("next", "error", "complete"), message
            return message


def errors_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The GraphQL errors a `next` or `error` message carries."""
    if message["type"] == "next":
        return message["payload"].get("errors") or []
    if message["type"] == "error":
        return message["payload"]
    return []
