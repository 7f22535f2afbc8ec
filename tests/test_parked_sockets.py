"""GraphQL WebSockets parked between messages, attacked through the real `graphql-api serve`.

Under `serve`, a graphql-transport-ws socket hands its messages to its handler
from the protocol (`graphql_api.realtime.parked_socket.Parking`) once it
is accepted: its ASGI call has returned. What that call's end used to do must
now happen at the socket's end, on every path: the open-sockets gauge, the
per-client socket count, the request id in the logs; and what its loop did
must still hold: one message at a time, hostile frames closed with 4400,
bursts, and a server stopping with subscribers connected.
"""

from __future__ import annotations

import asyncio
import signal
import uuid

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.servers import clean_env, exit_code, graphql, serve, sign_up, status, wait_for
from tests.ws import PROTOCOL, GraphQLWebSocket

FEED = "subscription { postPublished { title } }"
PER_CLIENT = 40


@pytest.fixture(scope="module")
def served(mongodb_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parked")
    env = clean_env(
        MONGODB_URL=mongodb_url,
        MONGODB_DATABASE=f"parked_{uuid.uuid4().hex[:8]}",
        MAX_WEBSOCKETS_PER_CLIENT=str(PER_CLIENT),
    )
    with serve(env, folder) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)  # the database is set up
        yield base, process, env, folder


def open_sockets(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "graphql_websockets_active":
                return sample.value
    return 0.0


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


async def subscribed(base: str, count: int) -> list[GraphQLWebSocket]:
    sockets = [GraphQLWebSocket(base) for _ in range(count)]
    await asyncio.gather(*(socket.__aenter__() for socket in sockets))
    await asyncio.gather(*(socket.subscribe(FEED) for socket in sockets))
    return sockets


async def publish(base: str, token: str, title: str) -> None:
    body = await asyncio.to_thread(
        graphql,
        base,
        'mutation($t: String!) { createPost(input: {title: $t, content: "c", '
        "published: true}) { id } }",
        {"t": title},
        token,
    )
    assert not body.get("errors"), body


async def test_a_burst_of_subscribers_all_get_the_event_and_their_ends_are_counted(served):
    base, process, _, _ = served
    author = sign_up(base, f"burst{uuid.uuid4().hex[:6]}")
    for _round in range(2):  # the second round needs every count the first took back
        sockets = await subscribed(base, PER_CLIENT)
        assert open_sockets(base) >= PER_CLIENT
        await asyncio.sleep(0.5)  # the shared execution is live
        title = f"burst {uuid.uuid4().hex[:6]}"
        await publish(base, author["token"], title)
        received = await asyncio.gather(*(socket.next_payload() for socket in sockets))
        assert {m["payload"]["data"]["postPublished"]["title"] for m in received} == {title}
        await asyncio.gather(*(socket.__aexit__(None, None, None) for socket in sockets))
        wait_for(lambda: open_sockets(base) == 0, 10, process)


async def test_one_socket_past_the_per_client_limit_is_refused_until_one_ends(served):
    base, process, _, _ = served
    sockets = await subscribed(base, PER_CLIENT)
    try:
        with pytest.raises(ConnectionClosed) as refused:
            async with GraphQLWebSocket(base):
                pass
        assert refused.value.rcvd is not None and refused.value.rcvd.code == 4429
        await sockets.pop().__aexit__(None, None, None)
        await asyncio.sleep(0.3)  # its end reaches the server
        async with GraphQLWebSocket(base) as again:
            operation = await again.subscribe("{ __typename }")
            assert (await again.next_payload(operation))["type"] == "next"
    finally:
        await asyncio.gather(*(socket.__aexit__(None, None, None) for socket in sockets))
    wait_for(lambda: open_sockets(base) == 0, 10, process)


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("not json", "WebSocket message must be valid JSON"),
        (b"\x00binary", "WebSocket message type must be text"),
        ("5", "WebSocket message must be a JSON object"),
        ("[1, 2]", "WebSocket message must be a JSON object"),
        ('"subscribe"', "WebSocket message must be a JSON object"),
        ('{"type": "no such type"}', "Unknown message type: no such type"),
        ('{"id": "1"}', "Failed to parse message"),
    ],
)
async def test_a_hostile_message_after_the_handshake_closes_with_4400(served, frame, reason):
    base, process, _, _ = served
    async with connect(ws_url(base), subprotocols=[PROTOCOL]) as ws:
        await ws.send('{"type": "connection_init", "payload": {}}')
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(frame)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4400, reason)
    assert process.poll() is None
    wait_for(lambda: open_sockets(base) == 0, 10, process)


async def test_messages_behind_a_close_from_the_server_are_not_handled(served):
    """Strawberry's loop stops reading once the socket is closed: so must the pump,
    even with the next messages already read (one TCP segment), or a ping sent
    after the close fails in the server (and logs an error per connection)."""
    base, process, _, _ = served
    logged_before = len(process.log_path.read_text(errors="replace").splitlines())
    async with connect(ws_url(base), subprotocols=[PROTOCOL]) as ws:
        await ws.send('{"type": "connection_init", "payload": {}}')
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        for text in ('{"type": "bogus"}', '{"type": "ping"}', '{"type": "ping"}'):
            ws.protocol.send_text(text.encode())
        ws.send_data()  # the three frames in one write
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                message = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
                assert message["type"] != "pong", message
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
    await asyncio.sleep(0.5)
    lines = process.log_path.read_text(errors="replace").splitlines()[logged_before:]
    assert not [line for line in lines if orjson.loads(line)["level"] in ("ERROR", "CRITICAL")]


async def test_messages_are_handled_in_order_fragmented_or_not(served):
    base, _, _, _ = served
    async with connect(ws_url(base), subprotocols=[PROTOCOL]) as ws:
        # connection_init in three frames, then five operations sent at once.
        await ws.send(iter(['{"type": "connection_', 'init", "pay', 'load": {}}']))
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        for n in range(5):
            await ws.send(
                orjson.dumps(
                    {"id": str(n), "type": "subscribe", "payload": {"query": "{ __typename }"}}
                ).decode()
            )
        seen = [orjson.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(10)]
        assert [(m["id"], m["type"]) for m in seen] == [
            (str(n), kind) for n in range(5) for kind in ("next", "complete")
        ]
        await ws.send('{"type": "ping"}')
        assert orjson.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "pong"}


async def test_an_operation_over_a_parked_socket_logs_the_sockets_request_id(served):
    base, process, _, _ = served
    request_id = f"parked-{uuid.uuid4().hex[:8]}"
    async with connect(
        ws_url(base), subprotocols=[PROTOCOL], additional_headers={"x-request-id": request_id}
    ) as ws:
        await ws.send('{"type": "connection_init", "payload": {}}')
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        await asyncio.sleep(0.2)  # well after the handshake: its call has returned
        await ws.send('{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}}')
        assert orjson.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "next"

    def logged() -> bool:
        for line in process.log_path.read_text(errors="replace").splitlines():
            entry = orjson.loads(line)
            if (entry.get("logger"), entry.get("type"), entry.get("request_id")) == (
                "graphql_api.requests",
                "query",
                request_id,
            ):
                return True
        return False

    wait_for(logged, 10, process)


async def test_a_server_stopping_closes_its_parked_subscribers_and_exits(
    mongodb_url, tmp_path_factory
):
    folder = tmp_path_factory.mktemp("parked_stop")
    env = clean_env(
        MONGODB_URL=mongodb_url,
        MONGODB_DATABASE=f"parked_stop_{uuid.uuid4().hex[:8]}",
        MAX_WEBSOCKETS_PER_CLIENT="100",
    )
    with serve(env, folder) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        sockets = await subscribed(base, 30)
        await asyncio.sleep(0.5)
        process.send_signal(signal.SIGINT)
        ends = []
        for socket in sockets:
            try:
                while True:  # `complete` from the closing hub, then the close frame
                    message = await socket.receive(15)
                    assert message["type"] in ("complete", "next"), message
            except ConnectionClosed as closed:
                ends.append(closed.rcvd.code if closed.rcvd is not None else None)
        assert ends and all(code in (1000, 1001, 1012) for code in ends), ends
        assert exit_code(process, 30) == 0
