"""The lean WebSocket protocol (`WEBSOCKET_LEAN_PROTOCOL`) under a real uvicorn:
what uvicorn's own does (keepalive pings, pongs, the close handshake both ways,
the message size limit, backpressure on a client that does not read), with less
held per socket; and the same once the app has parked the socket (`Parking`:
its ASGI call has returned, the parked protocol serves it)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import uvicorn
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.server import ServerProtocol

from graphql_api.embedded import free_port
from graphql_api.realtime.parked_socket import Parking, parking_of
from graphql_api.realtime.websocket_protocol import (
    LeanWebSocketProtocol,
    _forget_request,
    _Gate,
    _Inbox,
)

BIG = "x" * 1_000_000


class Echo:
    """Echoes text; "close" closes with 4000; "flood" sends BIG frames until stopped."""

    def __init__(self) -> None:
        self.disconnects: list[dict] = []
        self.flood_sent = 0

    async def __call__(self, scope, receive, send) -> None:
        assert scope["type"] == "websocket"
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                self.disconnects.append(message)
                return
            text = message.get("text")
            if text == "close":
                await send({"type": "websocket.close", "code": 4000, "reason": "bye"})
                return
            if text == "flood":
                with contextlib.suppress(Exception):
                    while True:
                        await send({"type": "websocket.send", "text": BIG})
                        self.flood_sent += 1
                return
            await send({"type": "websocket.send", "text": text})


class ParkedEcho(Echo):
    """The same answers, from a parked socket: the ASGI call returns after the
    handshake, and each message is answered in a task of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.calls_returned = 0
        self.received: list[dict] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def __call__(self, scope, receive, send) -> None:
        websocket = WebSocket(scope, receive, send)
        await websocket.accept()
        parking = parking_of(scope)
        assert isinstance(parking, Parking)

        def listener(message: dict) -> None:
            self.received.append(message)
            if message["type"] == "websocket.disconnect":
                self.disconnects.append(message)
                parking.done()
                return
            task = asyncio.ensure_future(self.answer(websocket, parking, message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        parking.park(websocket, listener)
        self.calls_returned += 1

    async def answer(self, websocket: WebSocket, parking: Parking, message: dict) -> None:
        parking.read()
        text = message.get("text")
        if text is None:
            await websocket.send_bytes(message["bytes"])
        elif text == "close":
            await websocket.close(4000, "bye")
        elif text == "flood":
            with contextlib.suppress(Exception):
                while True:
                    await websocket.send_text(BIG)
                    self.flood_sent += 1
        else:
            await websocket.send_text(text)


APPS = pytest.mark.parametrize("make_app", [Echo, ParkedEcho], ids=["asgi", "parked"])


@contextlib.asynccontextmanager
async def serving(app, **options) -> AsyncIterator[str]:
    port = free_port()
    config = uvicorn.Config(
        app,
        port=port,
        ws=LeanWebSocketProtocol,
        ws_per_message_deflate=False,
        lifespan="off",
        log_level="warning",
        **options,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await task


@APPS
async def test_echo_and_close_from_the_client(make_app) -> None:
    app = make_app()
    async with serving(app) as url:
        async with connect(url) as ws:
            for n in range(3):
                await ws.send(f"hello {n}")
                assert await ws.recv() == f"hello {n}"
            await ws.ping()  # answered: the await returns the pong's latency
        for _ in range(100):
            if app.disconnects:
                break
            await asyncio.sleep(0.01)
        assert app.disconnects == [{"type": "websocket.disconnect", "code": 1000, "reason": ""}]


@APPS
async def test_close_from_the_server(make_app) -> None:
    async with serving(make_app()) as url, connect(url) as ws:
        await ws.send("close")
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4000, "bye")


@APPS
async def test_keepalive_pings_answered_keep_the_socket_open(make_app) -> None:
    async with (
        serving(make_app(), ws_ping_interval=0.1, ws_ping_timeout=0.3) as url,
        connect(url, ping_interval=None) as ws,  # it answers pings by itself
    ):
        await asyncio.sleep(1.0)  # ten pings, each answered in time
        await ws.send("still open")
        assert await ws.recv() == "still open"


@APPS
async def test_a_client_that_does_not_answer_pings_is_closed(make_app) -> None:
    async with (
        serving(make_app(), ws_ping_interval=0.1, ws_ping_timeout=0.2) as url,
        connect(url, ping_interval=None) as ws,
    ):
        # Stop reading: pings go unanswered, so the server gives up.
        ws.transport.pause_reading()
        await asyncio.sleep(1.0)
        ws.transport.resume_reading()
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ws.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1011


@APPS
async def test_a_message_over_the_size_limit_closes_with_1009(make_app) -> None:
    async with serving(make_app(), ws_max_size=1000) as url, connect(url) as ws:
        await ws.send("y" * 2000)
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1009


@APPS
async def test_a_client_that_does_not_read_holds_the_sender_back(make_app) -> None:
    app = make_app()
    async with serving(app) as url, connect(url, max_queue=1) as ws:
        await ws.send("flood")
        await asyncio.sleep(1.0)
        ws.transport.pause_reading()
        await asyncio.sleep(1.0)
        held = app.flood_sent
        await asyncio.sleep(1.0)
        # Backpressure: the sender waits while the transport's buffer is full.
        assert app.flood_sent - held <= 2
        assert app.flood_sent < 64


async def test_a_parked_socket_reassembles_fragments_and_passes_bytes() -> None:
    app = ParkedEcho()
    async with serving(app) as url, connect(url) as ws:
        await ws.send(iter(["frag", "mented"]))  # one message in three frames
        assert await ws.recv() == "fragmented"
        await ws.send(b"\x00\xffbinary")
        assert await ws.recv() == b"\x00\xffbinary"
    assert app.calls_returned == 1  # the ASGI call ended at the handshake


async def test_a_parked_socket_is_closed_with_1012_when_the_server_stops() -> None:
    app = ParkedEcho()
    port = free_port()
    config = uvicorn.Config(
        app, port=port, ws=LeanWebSocketProtocol, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    async with connect(f"ws://127.0.0.1:{port}/") as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"
        server.should_exit = True
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    await asyncio.wait_for(task, 10)
    assert app.disconnects == [{"type": "websocket.disconnect", "code": 1012}]


async def test_inbox_and_gate() -> None:
    inbox = _Inbox()
    assert inbox.empty()
    getter = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert await getter == 1
    assert inbox.qsize() == 1
    assert await inbox.get() == 2

    gate = _Gate()
    assert gate.is_set() and await gate.wait()
    gate.clear()
    waiters = [asyncio.create_task(gate.wait()) for _ in range(2)]
    await asyncio.sleep(0.01)
    assert not any(w.done() for w in waiters)
    waiters[0].cancel()  # one reader cancelled does not cancel the other's wait
    await asyncio.sleep(0)
    gate.set()
    assert await waiters[1]
    assert waiters[0].cancelled()


HANDSHAKE = (
    b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def accepted(extra: bytes = b"") -> ServerProtocol:
    conn = ServerProtocol()
    conn.receive_data(HANDSHAKE + extra)
    request = conn.events_received()[0]
    conn.send_response(conn.accept(request))
    conn.data_to_send()
    return conn


def test_the_handshake_request_is_not_kept_by_the_parser() -> None:
    conn = accepted()
    server_parser = conn.parser
    _forget_request(conn)
    assert conn.parser is not server_parser
    frame = Frame(Opcode.TEXT, b"hello").serialize(mask=True, extensions=[])
    conn.receive_data(frame[:3])  # a frame in two parts still parses
    assert conn.events_received() == []
    conn.receive_data(frame[3:])
    assert [event.data for event in conn.events_received()] == [b"hello"]


def test_a_parser_mid_frame_is_left_alone() -> None:
    frame = Frame(Opcode.TEXT, b"early").serialize(mask=True, extensions=[])
    conn = accepted(frame[:4])  # a client that did not wait for the answer
    server_parser = conn.parser
    _forget_request(conn)
    assert conn.parser is server_parser
    conn.receive_data(frame[4:])
    assert [event.data for event in conn.events_received()] == [b"early"]
