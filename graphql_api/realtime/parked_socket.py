"""A parked WebSocket: an open socket the app serves without an ASGI call.

uvicorn runs an ASGI call (a task, and the coroutine frames of every layer:
uvicorn's, Starlette's, Strawberry's view and handler loop) for as long as a
WebSocket is open, though an idle GraphQL subscriber only waits. Under
`LeanWebSocketProtocol` the app may instead `park` the socket once accepted:
this module's slotted protocol takes the transport over from uvicorn's (with
websockets' sans-I/O `ServerProtocol`, the same framing, pings and close
handshake), hands each ASGI message to a listener, serves the app's `send`,
and the call returns. What stays per socket is this object, its transport and
its `ServerProtocol`: ~8 KB per idle subscriber with ours, against ~18 KB for
a bare Starlette WebSocket under the same uvicorn.
"""

from __future__ import annotations

import asyncio
import logging
import random
import struct
import weakref
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.utils import ClientDisconnected
from websockets.exceptions import InvalidState
from websockets.frames import Opcode
from websockets.protocol import State

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

    from graphql_api.realtime.websocket_protocol import LeanWebSocketProtocol


PARKING = "graphql_api.parking"  # the scope's extension: a socket's `Parking`
_KEPT_HEADERS = frozenset({b"user-agent"})  # what a parked socket's app still reads
_logger = logging.getLogger("uvicorn.error")


class _Server:
    """What every parked socket of one uvicorn server shares, its keepalive
    among them: one timer that pings each parked socket when it is due, not
    a timer (three objects) per socket."""

    __slots__ = (
        "close_timeout",
        "connections",
        "loop",
        "ping_interval",
        "ping_timeout",
        "sweeper",
        "tasks",
    )

    def __init__(self, protocol: LeanWebSocketProtocol) -> None:
        self.connections = protocol.connections
        self.tasks = protocol.tasks
        self.loop = protocol.loop
        interval = protocol.ping_interval
        self.ping_interval = interval if interval is not None and interval > 0 else None
        self.ping_timeout = protocol.ping_timeout
        self.close_timeout = protocol.close_timeout
        self.sweeper: asyncio.TimerHandle | None = None

    @classmethod
    def of(cls, protocol: LeanWebSocketProtocol) -> _Server:
        server = getattr(protocol.config, "_graphql_api_parked", None)
        if server is None:
            server = cls(protocol)
            protocol.config._graphql_api_parked = server  # type: ignore[attr-defined]
        return server

    def keep_alive(self) -> None:
        """Make sure the sweep runs (a socket was parked)."""
        if self.sweeper is None and self.ping_interval is not None:
            self.sweeper = self.loop.call_later(self._period(), self._sweep)

    def _period(self) -> float:
        # A ping goes out at most a quarter of the interval late (uvicorn's: on time).
        interval = self.ping_interval or 0.0  # set: the sweep runs only with pings
        return max(0.05, min(interval, self.ping_timeout or interval) / 4)

    def _sweep(self) -> None:
        now = self.loop.time()
        parked = False
        try:
            for connection in list(self.connections):
                if type(connection) is Parking:
                    parked = True
                    try:
                        connection.keep_alive(now)
                    except Exception:  # one socket's failure must not end everyone's keepalive
                        _logger.exception("WebSocket keepalive failed")
        finally:
            self.sweeper = self.loop.call_later(self._period(), self._sweep) if parked else None


class Parking(asyncio.Protocol):
    """A socket the app may `park`: from then on this object is its protocol.

    Until then it only points at the uvicorn protocol that did the handshake.
    Parked, it takes the transport, websockets' `ServerProtocol` and the state
    of the conversation over (the same framing, pings and close handshake as
    uvicorn's), hands each ASGI message to the app's listener, and serves the
    app's ASGI `send`. uvicorn's protocol, its scope's headers and its ASGI
    call are then garbage: a parked socket is this object, its transport and
    its `ServerProtocol`.
    """

    __slots__ = (
        "_close_sent",
        "_close_timer",
        "_conn",
        "_fragments",
        "_listener",
        "_ping_payload",
        "_ping_sent_at",
        "_protocol",
        "_read_paused",
        "_server",
        "_transport",
        "_when_done",
        "_writable",
        "disconnected",
        "finished",
        "parked",
    )

    def __init__(self, protocol: LeanWebSocketProtocol) -> None:
        # Weak: the protocol holds this object (no cycle for the collector to find).
        self._protocol: weakref.ref[LeanWebSocketProtocol] | None = weakref.ref(protocol)
        self._when_done: list[Callable[[], None]] | None = None
        self.parked = False
        self.finished = False

    # --- the app's side ------------------------------------------------------

    def park(
        self, websocket: WebSocket, listener: Callable[[MutableMapping[str, Any]], None]
    ) -> None:
        """Hand every ASGI message of this socket (`websocket.receive`,
        `websocket.disconnect`) to `listener`, those already received first,
        and serve `websocket`'s sends. `listener` is called from the event
        loop's callbacks: it must not wait. The ASGI call should then return."""
        protocol = self._protocol() if self._protocol is not None else None
        assert protocol is not None and not self.parked, "parked once, while its call runs"
        self.parked = True
        self._protocol = None
        self._server = server = _Server.of(protocol)
        self._transport = protocol.transport
        self._conn = protocol.conn
        self._writable = protocol.writable
        self._read_paused = protocol.read_paused
        self._close_sent = protocol.close_sent
        self._close_timer = protocol.close_timer
        self.disconnected = protocol.disconnected
        # A message whose first frames came before: its rest comes here.
        self._fragments: tuple[str, list[bytes]] | None = (
            (protocol.curr_msg_data_type, list(protocol.frames)) if protocol.frames else None
        )
        self._listener: Callable[[MutableMapping[str, Any]], None] | None = listener
        self._ping_payload: bytes | None = None
        self._ping_sent_at = server.loop.time()  # the first ping is an interval from now
        protocol.stop_keepalive()
        if not self.disconnected:
            server.connections.discard(protocol)
            server.connections.add(self)
            self._transport.set_protocol(self)
            server.keep_alive()
        # The app's sends come here; what it still reads of the scope stays.
        websocket._send = self.send  # type: ignore[method-assign]
        websocket._receive = self.receive  # type: ignore[method-assign]
        scope = websocket.scope
        websocket.scope = {
            "type": scope["type"],
            "path": scope["path"],
            "client": scope.get("client"),
            "headers": [(k, v) for k, v in scope["headers"] if k in _KEPT_HEADERS],
            "extensions": {PARKING: self},
        }
        websocket.__dict__.pop("_headers", None)
        for message in protocol.queue.drain():  # type: ignore[attr-defined]
            self._emit(message)

    def _emit(self, message: MutableMapping[str, Any]) -> None:
        """To the listener; nothing after the one disconnect (the close frame,
        then the connection's loss, would make two)."""
        listener = self._listener
        if listener is None:
            return
        if message["type"] == "websocket.disconnect":
            self._listener = None
        listener(message)

    def read(self) -> None:
        """Read on: uvicorn stops reading the socket after each message until the
        app takes it (`receive` does this), so that a flood waits in the kernel."""
        if self._read_paused:
            self._read_paused = False
            self._transport.resume_reading()

    def track(self, task: asyncio.Task[Any]) -> None:
        """A task working for this socket, that uvicorn waits for at shutdown."""
        tasks = self._server.tasks
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def when_done(self, callback: Callable[[], None]) -> None:
        """Call `callback` once the app is done with this parked socket (now, if it is)."""
        if self.finished:
            callback()
            return
        if self._when_done is None:
            self._when_done = []
        self._when_done.append(callback)

    def done(self) -> None:
        """The app is done with this socket: what uvicorn does when an ASGI call
        returns (the transport closes, unless a close handshake is under way)."""
        self.finished = True
        if self._close_timer is None:
            self._transport.close()
        callbacks, self._when_done = self._when_done or (), None
        for callback in callbacks:
            callback()

    async def receive(self) -> MutableMapping[str, Any]:
        raise RuntimeError("A parked WebSocket's messages go to its listener")

    async def send(self, message: MutableMapping[str, Any]) -> None:
        """ASGI `websocket.send` and `websocket.close`, as uvicorn serves them."""
        await self._writable.wait()
        if self.disconnected:
            raise ClientDisconnected()
        if self._close_sent:
            raise RuntimeError(
                f"Unexpected ASGI message '{message['type']}', after sending 'websocket.close'."
            )
        conn, transport = self._conn, self._transport
        try:
            if message["type"] == "websocket.send":
                data = message.get("bytes")
                if data is not None:
                    conn.send_binary(data)
                elif (text := message.get("text")) is not None:
                    conn.send_text(text.encode())
                transport.write(b"".join(conn.data_to_send()))
            elif message["type"] == "websocket.close":
                if not transport.is_closing():
                    code = message.get("code", 1000)
                    reason = message.get("reason", "") or ""
                    conn.send_close(code, reason)
                    transport.write(b"".join(conn.data_to_send()))
                    self._close_sent = True
                    self.read()
                    self._close_timer = self._server.loop.call_later(
                        self._server.close_timeout, transport.close
                    )
                    # Last: the listener may be done with the socket at once.
                    self._emit({"type": "websocket.disconnect", "code": code, "reason": reason})
            else:
                raise RuntimeError(
                    "Expected ASGI message 'websocket.send' or 'websocket.close', "
                    f"but got '{message['type']}'."
                )
        except InvalidState:
            raise ClientDisconnected() from None

    # --- the transport's side ------------------------------------------------

    def data_received(self, data: bytes) -> None:
        conn = self._conn
        conn.receive_data(data)
        if conn.parser_exc is not None:
            self._failed()
            return
        for event in conn.events_received():
            opcode = event.opcode
            if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
                kind = "text" if opcode is Opcode.TEXT else "bytes"
                if event.fin:
                    self._message(kind, event.data)
                else:
                    self._fragments = (kind, [event.data])
            elif opcode is Opcode.CONT:
                if self._fragments is not None:
                    self._fragments[1].append(event.data)
                    if event.fin:
                        kind, parts = self._fragments
                        self._fragments = None
                        self._message(kind, b"".join(parts))
            elif opcode is Opcode.PING:
                self._transport.write(b"".join(conn.data_to_send()))  # the pong
            elif opcode is Opcode.PONG:
                self._pong(bytes(event.data))
            elif opcode is Opcode.CLOSE:
                self._close_received()

    def _message(self, kind: str, data: bytes) -> None:
        if self._close_sent:
            return  # past its close: discarded, as uvicorn does
        if kind == "text":
            try:
                message = {"type": "websocket.receive", "text": bytes(data).decode()}
            except UnicodeDecodeError:
                self._conn.send_close(1007)
                self._failed()
                return
        else:
            message = {"type": "websocket.receive", "bytes": bytes(data)}
        self._emit(message)
        if not self._read_paused:
            self._read_paused = True
            self._transport.pause_reading()

    def _close_received(self) -> None:
        transport = self._transport
        if self._close_sent:  # the peer's answer to ours: the close handshake is over
            if self._close_timer is not None:
                self._close_timer.cancel()
                self._close_timer = None
                transport.close()
            return
        if not transport.is_closing():
            received = self._conn.close_rcvd
            assert received is not None
            transport.write(b"".join(self._conn.data_to_send()))
            transport.close()
            self._emit(
                {"type": "websocket.disconnect", "code": received.code, "reason": received.reason}
            )

    def _failed(self) -> None:
        """A frame websockets refused: it has queued its close frame."""
        sent = self._conn.close_sent
        code, reason = (sent.code, sent.reason) if sent is not None else (1002, "")
        self._transport.write(b"".join(self._conn.data_to_send()))
        self._close_sent = True
        self._transport.close()
        self._emit({"type": "websocket.disconnect", "code": code, "reason": reason})

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_keepalive()
        self._server.connections.discard(self)
        self.disconnected = True
        self._writable.set()  # a send waiting for room would wait forever
        if self._close_timer is not None:
            self._close_timer.cancel()
            self._close_timer = None
        if exc is None:
            self._transport.close()
        self._emit({"type": "websocket.disconnect", "code": 1005})

    def eof_received(self) -> None:
        pass

    def pause_writing(self) -> None:
        self._writable.clear()

    def resume_writing(self) -> None:
        self._writable.set()

    def shutdown(self) -> None:
        """The server stops (uvicorn calls this on every connection)."""
        self._stop_keepalive()
        closing = not self._close_sent and self._conn.state is State.OPEN
        if closing:
            self._conn.send_close(1012)
            self._transport.write(b"".join(self._conn.data_to_send()))
            self._close_sent = True
        elif self._close_timer is not None:
            self._close_timer.cancel()
            self._close_timer = None
        self._transport.close()
        if closing:
            self._emit({"type": "websocket.disconnect", "code": 1012})

    # --- keepalive: uvicorn's pings (`ws_ping_interval`, `ws_ping_timeout`) ---

    def keep_alive(self, now: float) -> None:
        """Ping when an interval has passed since the last ping; close when a
        ping's pong is later than the timeout (the server's sweep calls this)."""
        if self._close_sent or self._transport.is_closing():
            return
        server = self._server
        waited = now - self._ping_sent_at
        if self._ping_payload is not None and server.ping_timeout is not None:
            if waited >= server.ping_timeout:
                self._no_pong()
        elif server.ping_interval is not None and waited >= server.ping_interval:
            self._ping_payload = struct.pack("!I", random.getrandbits(32))
            self._ping_sent_at = now
            self._conn.send_ping(self._ping_payload)
            self._transport.write(b"".join(self._conn.data_to_send()))

    def _stop_keepalive(self) -> None:
        self._ping_payload = None

    def _pong(self, payload: bytes) -> None:
        if payload == self._ping_payload:
            self._ping_payload = None  # answered: the next ping an interval after this one

    def _no_pong(self) -> None:
        self._ping_payload = None
        self._conn.fail(1011, "keepalive ping timeout")
        self._transport.write(b"".join(self._conn.data_to_send()))
        self._close_sent = True
        self._transport.close()


def parking_of(scope: MutableMapping[str, Any]) -> Parking | None:
    """The socket's `Parking`, if its server offers it (`serve` does)."""
    return scope.get("extensions", {}).get(PARKING)


__all__ = ["PARKING", "Parking", "parking_of"]
