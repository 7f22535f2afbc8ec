"""Multiplexed subscriptions: shared where the answer is the same, and only there.

The real `serve` and real WebSocket clients: subscribers who would see the same
answer share one execution (the server's metrics say how many run), each still
sees exactly what its own viewer may see, a refusal reaches only the subscriber
it concerns, and a subscriber that does not read never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pymongo import MongoClient
from websockets.asyncio.client import connect

from graphql_api.embedded import EmbeddedMongo
from graphql_api.realtime.multiplex import Multiplexer, changes
from tests.servers import clean_env, graphql, serve, sign_up, status, wait_for
from tests.ws import GraphQLWebSocket, errors_of

TITLES = "subscription { postPublished { title } }"
PRIVATE = "subscription { postPublished { title author { username email } } }"
STATUS = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }"
CREATE = (
    'mutation($t: String!) { createPost(input: {title: $t, content: "x", published: true}) { id } }'
)


def gauge(base: str, name: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return sample.value
    return 0.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("multiplexing")
    with EmbeddedMongo(folder / "mongo") as database:
        env = clean_env(
            MONGODB_URL=database.url,
            MONGODB_DATABASE="multiplexing",
            MAX_WEBSOCKETS_PER_CLIENT="200",
            COST_BUDGET_CAPACITY="1000",
        )
        with serve(env, folder) as (base, process):
            wait_for(lambda: status(base) == 200, 60, process)
            db = MongoClient(database.url)["multiplexing"]
            users = {name: sign_up(base, name) for name in ("alice", "bob", "chief", "boss")}
            db.users.update_many(
                {"username": {"$in": ["chief", "boss"]}}, {"$set": {"roles": ["user", "admin"]}}
            )
            yield {"base": base, "users": users}


async def settled(base: str, subscriptions: int) -> tuple[float, float]:
    """(subscriptions, shared executions) once `subscriptions` are running."""
    for _ in range(100):
        active = await asyncio.to_thread(gauge, base, "graphql_subscriptions_active")
        if active >= subscriptions:
            break
        await asyncio.sleep(0.1)
    executions = await asyncio.to_thread(gauge, base, "graphql_subscription_executions_active")
    return active, executions


async def test_subscribers_who_see_the_same_answer_share_one_execution(server):
    base, users = server["base"], server["users"]
    async with contextlib.AsyncExitStack() as stack:
        anonymous = [await stack.enter_async_context(GraphQLWebSocket(base)) for _ in range(30)]
        signed_in = [
            await stack.enter_async_context(GraphQLWebSocket(base, users[name]["token"]))
            for name in ("alice", "bob", "chief", "boss")
        ]
        sockets = anonymous + signed_in
        operations = [await ws.subscribe(TITLES) for ws in sockets]
        assert await settled(base, len(sockets)) == (len(sockets), 1)

        await asyncio.to_thread(graphql, base, CREATE, {"t": "Shared"}, users["alice"]["token"])
        for ws, operation in zip(sockets, operations, strict=True):
            message = await ws.next_payload(operation)
            assert message["payload"] == {"data": {"postPublished": {"title": "Shared"}}}
    assert await settled(base, 0) == (0, 0)  # the last one to leave ends the execution


async def test_each_subscriber_sees_what_its_viewer_may_see(server):
    """A private field splits the subscribers by visibility: anonymous visitors share,
    admins share, each other user has their own."""
    base, users = server["base"], server["users"]
    async with contextlib.AsyncExitStack() as stack:
        viewers = {
            "anonymous": [await stack.enter_async_context(GraphQLWebSocket(base)) for _ in "ab"],
            **{
                name: [
                    await stack.enter_async_context(GraphQLWebSocket(base, users[name]["token"]))
                ]
                for name in users
            },
        }
        operations = {
            name: [await ws.subscribe(PRIVATE) for ws in sockets]
            for name, sockets in viewers.items()
        }
        # anonymous, alice, bob, and the two admins together
        assert await settled(base, 6) == (6, 4)

        await asyncio.to_thread(graphql, base, CREATE, {"t": "Mine"}, users["alice"]["token"])
        seen = {}
        for name, sockets in viewers.items():
            for ws, operation in zip(sockets, operations[name], strict=True):
                message = await ws.next_payload(operation)
                seen.setdefault(name, []).append(message["payload"]["data"]["postPublished"])
        author = {"username": "alice", "email": "alice@example.com"}
        hidden = {"username": "alice", "email": None}
        assert seen == {
            "anonymous": [{"title": "Mine", "author": hidden}] * 2,
            "alice": [{"title": "Mine", "author": author}],
            "bob": [{"title": "Mine", "author": hidden}],
            "chief": [{"title": "Mine", "author": author}],
            "boss": [{"title": "Mine", "author": author}],
        }


async def test_a_refusal_reaches_only_the_subscriber_it_concerns(server):
    base, users = server["base"], server["users"]
    product = (
        'mutation { createProduct(input: {sku: "MX", name: "M", category: "c", '
        'price: "1.00", stock: 100}) { sku } }'
    )
    await asyncio.to_thread(graphql, base, product, None, users["chief"]["token"])
    await asyncio.to_thread(
        graphql,
        base,
        "mutation($u: ID!) { grantCredits(input: {userId: $u, amount: 100}) { amount } }",
        {"u": users["alice"]["id"]},
        users["chief"]["token"],
    )
    placed = await asyncio.to_thread(
        graphql,
        base,
        'mutation { placeOrder(input: {items: [{sku: "MX", quantity: 1}]}) { id } }',
        None,
        users["alice"]["token"],
    )
    order = placed["data"]["placeOrder"]["id"]
    async with (
        GraphQLWebSocket(base, users["alice"]["token"]) as buyer,
        GraphQLWebSocket(base, users["bob"]["token"]) as stranger,
        GraphQLWebSocket(base) as nobody,
    ):
        mine = await buyer.subscribe(STATUS, {"id": order})
        refused = await stranger.subscribe(STATUS, {"id": order})
        message = await stranger.next_payload(refused)
        assert errors_of(message)[0]["extensions"]["code"] == "NOT_FOUND", message
        refused = await nobody.subscribe(STATUS, {"id": order})
        message = await nobody.next_payload(refused)
        assert errors_of(message)[0]["extensions"]["code"] == "UNAUTHENTICATED", message

        await settled(base, 1)
        await asyncio.to_thread(
            graphql,
            base,
            "mutation($id: ID!) { updateOrderStatus(id: $id, status: PAID) { status } }",
            {"id": order},
            users["chief"]["token"],
        )
        message = await buyer.next_payload(mine)
        assert message["payload"]["data"]["orderStatusChanged"]["status"] == "PAID"


async def test_a_subscription_over_the_budget_is_refused_not_started(server):
    """Strawberry ignores an `on_execute` result for subscriptions: the refusal must
    still reach the subscriber, and nothing may run for it."""

    def pages(count: int) -> str:
        return " ".join(
            f"p{n}: posts(first: 100) {{ edges {{ node {{ title }} }} }}" for n in range(count)
        )

    spender = await asyncio.to_thread(sign_up, server["base"], "spender")
    # Spend most of the budget (1000), without going into debt.
    spent = await asyncio.to_thread(
        graphql, server["base"], f"{{ {pages(6)} }}", None, spender["token"]
    )
    left = spent["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
    assert 0 <= left < 500, spent["extensions"]
    costly = f"subscription {{ postPublished {{ title author {{ {pages(6)} }} }} }}"
    async with GraphQLWebSocket(server["base"], spender["token"]) as ws:
        message = await ws.next_payload(await ws.subscribe(costly))
        errors = errors_of(message)
        assert errors[0]["extensions"]["code"] == "RATE_LIMITED", message
        assert errors[0]["extensions"]["retryAfterSeconds"] >= 1
        assert (await ws.next_payload())["type"] == "complete"
    assert await settled(server["base"], 0) == (0, 0)  # nothing runs for it


async def test_the_legacy_protocol_shares_the_execution_too(server):
    base, users = server["base"], server["users"]
    url = base.replace("http://", "ws://") + "/graphql"
    async with GraphQLWebSocket(base) as modern, connect(url, subprotocols=["graphql-ws"]) as old:
        await old.send(orjson.dumps({"type": "connection_init", "payload": {}}).decode())
        assert orjson.loads(await old.recv())["type"] == "connection_ack"
        start = {"id": "legacy", "type": "start", "payload": {"query": TITLES}}
        await old.send(orjson.dumps(start).decode())
        operation = await modern.subscribe(TITLES)
        assert await settled(base, 2) == (2, 1)
        await asyncio.to_thread(graphql, base, CREATE, {"t": "Both"}, users["bob"]["token"])
        assert (await modern.next_payload(operation))["payload"]["data"]["postPublished"] == {
            "title": "Both"
        }
        while (message := orjson.loads(await asyncio.wait_for(old.recv(), 20)))["type"] == "ka":
            pass
        assert message == {
            "id": "legacy",
            "type": "data",
            "payload": {"data": {"postPublished": {"title": "Both"}}},
        }


async def test_a_subscriber_that_does_not_read_never_holds_up_the_others():
    """In-process: the shared execution only offers; a full queue closes its member."""
    events: asyncio.Queue = asyncio.Queue()
    closed = asyncio.Event()

    async def results():
        try:
            while True:
                yield await events.get()
        finally:
            closed.set()

    class Result:
        def __init__(self, n: int) -> None:
            self.data, self.errors, self.extensions = {"n": n}, None, None

    async def start():
        return await changes({"feed": _Feed(results())}, "feed", lambda change: True)

    multiplexer = Multiplexer(buffer=3)
    reader = await multiplexer.join("key", start)
    sleeper = await multiplexer.join("key", start)
    assert len(multiplexer.executions) == 1

    received = []

    async def read():
        async for event in reader.events():
            received.append(orjson.loads(event.payload)["data"]["n"])
            assert event.frame("next", "1") is event.frame("next", "1")  # built once
            if len(received) == 10:
                return

    reading = asyncio.create_task(read())
    for n in range(10):
        events.put_nowait(Result(n))
        await asyncio.sleep(0)
    await asyncio.wait_for(reading, 5)
    assert received == list(range(10))

    with pytest.raises(Exception, match="fell more than 3 events behind"):
        async for _ in sleeper.events():
            pass
    await reader.execution.leave(reader)
    await asyncio.wait_for(closed.wait(), 5)  # the last one out ended the execution
    assert multiplexer.executions == {}


class _Feed:
    """A change feed whose changes are what the test puts in (see `changes`)."""

    def __init__(self, stream):
        self.stream = stream

    async def subscribe(self, matches):
        return self.stream


async def test_sending_subscribers_are_written_at_once_and_a_blocked_one_waits_alone():
    """In-process: with sinks, the execution writes each frame itself; a write that
    must wait (a full socket) goes on in its own task, later frames queue behind it,
    and past the buffer that subscriber alone is closed."""
    events: asyncio.Queue = asyncio.Queue()

    async def results():
        while True:
            yield await events.get()

    class Result:
        def __init__(self, n: int) -> None:
            self.data, self.errors, self.extensions = {"n": n}, None, None

    async def start():
        return await changes({"feed": _Feed(results())}, "feed", lambda change: True)

    written: list[int] = []
    blocked: list[int] = []
    unblock = asyncio.Event()

    async def fast(event):
        written.append(orjson.loads(event.payload)["data"]["n"])

    async def slow(event):
        await unblock.wait()
        blocked.append(orjson.loads(event.payload)["data"]["n"])

    multiplexer = Multiplexer(buffer=3)
    reader = await multiplexer.join("key", start, fast)
    stuck = await multiplexer.join("key", start, slow)
    for n in range(3):
        events.put_nowait(Result(n))
    for _ in range(20):
        await asyncio.sleep(0)
    assert written == [0, 1, 2]  # nobody waited for the blocked one
    unblock.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert blocked == [0, 1, 2]  # in order, once it could

    unblock.clear()
    for n in range(3, 8):  # one waiting, three queued, then one too many
        events.put_nowait(Result(n))
    for _ in range(20):
        await asyncio.sleep(0)
    assert written == list(range(8))
    with pytest.raises(Exception, match="fell more than 3 events behind"):
        async for _ in stuck.events():
            pass
    await stuck.execution.leave(stuck)
    await reader.execution.leave(reader)
    assert multiplexer.executions == {}
