"""A leaner uvicorn WebSocket protocol, for many idle sockets (`WEBSOCKET_LEAN_PROTOCOL`).

uvicorn's `websockets-sansio` protocol (websockets' sans-I/O `ServerProtocol`
for the handshake, framing, pings and the close handshake), with less held per
open socket, and nothing else changed:

- the ASGI receive queue is a list and a future, not an `asyncio.Queue` (four
  deques of 760 bytes each, and an event);
- "the transport can be written to" is a flag and, only while the transport
  is paused, a future, not an `asyncio.Event` (a deque);
- the handshake's request and response (their headers parsed twice over) are
  dropped once the socket is accepted: the ASGI scope has the headers. The
  request is also held by websockets' server-side parser (a generator that
  parsed it, then parses frames): it is swapped for the frame parser alone,
  when it waits for the first frame with nothing read of it (as it must: a
  client sends no frame before the handshake's answer). Otherwise it is left.

And it lets the app park a socket (`graphql_api.realtime.parked_socket`): hand
its messages to a callback and return from its ASGI call, the socket staying
open. An idle GraphQL subscriber then holds no task and no coroutine frames
until a message comes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import Protocol

from graphql_api.realtime.parked_socket import PARKING, Parking


class _Inbox:
    """`asyncio.Queue`'s `put_nowait`, `get` and `empty`, for one reader."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future[None] | None = None

    def drain(self) -> list[Any]:
        items, self._items = self._items, []
        return items

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)


class _Gate:
    """`asyncio.Event`'s `set`, `clear`, `is_set` and `wait`: a flag, and a future
    only while closed (the transport's buffer is full)."""

    __slots__ = ("_open", "_waiter")

    def __init__(self) -> None:
        self._open = True
        self._waiter: asyncio.Future[None] | None = None

    def is_set(self) -> bool:
        return self._open

    def set(self) -> None:
        self._open = True
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def clear(self) -> None:
        self._open = False

    async def wait(self) -> bool:
        while not self._open:
            if self._waiter is None:
                self._waiter = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._waiter)
        return True


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's `websockets-sansio` protocol with lighter per-socket state."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = _Inbox()  # type: ignore[assignment]
        self.writable = _Gate()  # type: ignore[assignment]
        self.parking = Parking(self)

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        self.scope["extensions"][PARKING] = self.parking  # type: ignore[index]

    async def run_asgi(self) -> None:
        # uvicorn's, except that a parked socket stays open when the call returns.
        failed = False
        try:
            result = await self.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            pass
        except BaseException:
            failed = True
            self.logger.exception("Exception in ASGI application\n")
            self.send_500_response()
        else:
            if not self.handshake_complete:
                self.logger.error("ASGI callable returned without completing handshake.")
                self.send_500_response()
            elif result is not None:
                self.logger.error("ASGI callable should return None, but returned '%s'.", result)
        if self.close_timer is None and (failed or not self.parking.parked):
            self.transport.close()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # The handshake is over: its request and response are no longer read.
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]
            _forget_request(self.conn)


def _forget_request(conn: Any) -> None:
    """Swap websockets' server parser, which holds the handshake's request in its
    frame, for a fresh frame parser, if it is between frames with nothing read."""
    server_parser = conn.parser
    frames = getattr(server_parser, "gi_yieldfrom", None)  # Protocol.parse, under it
    waiting = getattr(frames, "gi_yieldfrom", None)  # StreamReader.at_eof
    if (
        getattr(server_parser, "gi_code", None) is not type(conn).parse.__code__
        or getattr(frames, "gi_code", None) is not Protocol.parse.__code__
        or getattr(waiting, "gi_code", None) is not type(conn.reader).at_eof.__code__
        or conn.reader.buffer
    ):
        return  # not where it can be swapped safely: it keeps the request
    parser = Protocol.parse(conn)
    next(parser)  # start it: it waits for the first frame, as the other did
    conn.parser = parser


__all__ = ["LeanWebSocketProtocol"]
