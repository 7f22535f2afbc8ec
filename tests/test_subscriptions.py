"""Subscriptions over WebSocket, fed by MongoDB change streams.

Two real server processes share one database: what a mutation does through
one reaches subscribers of the other, because events come from MongoDB.
"""

import asyncio
import contextlib
import signal
import subprocess
import sys

import orjson
import pymongo
import pytest
from bson import ObjectId
from pymongo import MongoClient
from websockets.exceptions import ConnectionClosed

from graphql_api.embedded import EmbeddedMongo
from graphql_api.models import Post, utcnow
from graphql_api.realtime import ChangeFeed, SubscriberTooSlow
from graphql_api.realtime.feeds import POSTS_PUBLISHED
from tests.servers import clean_env, graphql, serve, status, wait_for
from tests.ws import GraphQLWebSocket, errors_of

PASSWORD = "a long passphrase"
COMPLETED = "subscription { ordersCompleted { id status total } }"
STATUS = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }"
PUBLISHED = "subscription { postPublished { title author { username } } }"


def sign_up(base: str, name: str) -> dict:
    body = graphql(
        base,
        "mutation($u: String!, $e: String!, $p: String!) { signUp(input: "
        "{username: $u, email: $e, password: $p}) { token user { id } } }",
        {"u": name, "e": f"{name}@example.com", "p": PASSWORD},
    )
    return body["data"]["signUp"] | {"name": name}


def call(base: str, user: dict, query: str, variables: dict | None = None) -> dict:
    body = graphql(base, query, variables, token=user["token"])
    assert not body.get("errors"), body
    return body["data"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """One database, two API processes, and a buyer and an admin."""
    folder = tmp_path_factory.mktemp("realtime")
    with EmbeddedMongo(folder / "mongo") as database:
        env = clean_env(
            MONGODB_URL=database.url,
            MONGODB_DATABASE="realtime",
        )
        with serve(env, folder) as (first, _), serve(env, folder) as (second, _):
            wait_for(lambda: status(first) == 200 and status(second) == 200, 60)
            buyer, admin = sign_up(first, "buyer"), sign_up(first, "boss")
            MongoClient(database.url)["realtime"]["users"].update_one(
                {"username": "boss"}, {"$set": {"roles": ["user", "admin"]}}
            )
            call(
                first,
                admin,
                'mutation { createProduct(input: {sku: "RT", name: "Realtime", '
                'category: "c", price: "2.50", stock: 1000}) { sku } }',
            )
            yield {
                "first": first,
                "second": second,
                "buyer": buyer,
                "admin": admin,
                "database": database,
                "env": env,
                "folder": folder,
            }


def place_order(cluster) -> str:
    data = call(
        cluster["first"],
        cluster["buyer"],
        'mutation { placeOrder(input: {items: [{sku: "RT", quantity: 1}]}) { id } }',
    )
    return data["placeOrder"]["id"]


def move(cluster, order: str, *statuses: str) -> None:
    for value in statuses:
        call(
            cluster["first"],
            cluster["admin"],
            "mutation($id: ID!, $s: OrderStatus!) { updateOrderStatus(id: $id, status: $s) "
            "{ status } }",
            {"id": order, "s": value},
        )


async def test_completed_orders_reach_the_fulfilment_feed_on_another_process(cluster):
    async with GraphQLWebSocket(cluster["second"], cluster["admin"]["token"]) as ws:
        await ws.subscribe(COMPLETED)
        await asyncio.sleep(0.5)  # the subscription is live once the server has opened it
        order = place_order(cluster)
        await asyncio.to_thread(move, cluster, order, "PAID", "SHIPPED", "COMPLETED")
        message = await ws.next_payload()
        assert message["type"] == "next", message
        assert message["payload"]["data"]["ordersCompleted"] == {
            "id": order,
            "status": "COMPLETED",
            "total": "2.50",
        }


async def test_a_buyer_follows_their_order(cluster):
    order = place_order(cluster)
    async with GraphQLWebSocket(cluster["second"], cluster["buyer"]["token"]) as ws:
        await ws.subscribe(STATUS, {"id": order})
        await asyncio.sleep(0.5)
        await asyncio.to_thread(move, cluster, order, "PAID", "SHIPPED")
        seen = [(await ws.next_payload())["payload"]["data"]["orderStatusChanged"]["status"]]
        seen.append((await ws.next_payload())["payload"]["data"]["orderStatusChanged"]["status"])
        assert seen == ["PAID", "SHIPPED"]


async def test_unauthorized_subscriptions_are_refused(cluster):
    order = place_order(cluster)
    stranger = sign_up(cluster["first"], "stranger")
    async with GraphQLWebSocket(cluster["second"], stranger["token"]) as ws:
        operation = await ws.subscribe(STATUS, {"id": order})
        errors = errors_of(await ws.next_payload(operation))
        # Someone else's order does not exist for you (as `order(id)` answers null).
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"
        operation = await ws.subscribe(STATUS, {"id": str(ObjectId())})
        missing = errors_of(await ws.next_payload(operation))
        assert missing[0]["message"] == errors[0]["message"]
        operation = await ws.subscribe(COMPLETED)
        errors = errors_of(await ws.next_payload(operation))
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    async with GraphQLWebSocket(cluster["second"]) as anonymous:
        operation = await anonymous.subscribe(STATUS, {"id": order})
        errors = errors_of(await anonymous.next_payload(operation))
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    with pytest.raises(Exception, match="4403"):
        async with GraphQLWebSocket(cluster["second"], "not-a-valid-token"):
            pass


async def test_published_posts_reach_anonymous_subscribers_after_a_database_restart(cluster):
    async with GraphQLWebSocket(cluster["second"]) as ws:
        await ws.subscribe(PUBLISHED)
        await asyncio.sleep(0.5)
        call(
            cluster["first"],
            cluster["buyer"],
            'mutation { createPost(input: {title: "Before", content: "x", published: true}) '
            "{ id } }",
        )
        first = await ws.next_payload()
        assert first["payload"]["data"]["postPublished"]["title"] == "Before"

        database: EmbeddedMongo = cluster["database"]
        await asyncio.to_thread(database.stop)
        await asyncio.to_thread(database.start)
        await asyncio.to_thread(wait_for, lambda: status(cluster["first"]) == 200, 30)
        draft = call(
            cluster["first"],
            cluster["buyer"],
            'mutation { createPost(input: {title: "After", content: "y"}) { id } }',
        )["createPost"]["id"]
        call(
            cluster["first"],
            cluster["buyer"],
            "mutation($id: ID!) { publishPost(id: $id) { id } }",
            {"id": draft},
        )
        after = await ws.next_payload(wait=40)
        assert after["payload"]["data"]["postPublished"] == {
            "title": "After",
            "author": {"username": "buyer"},
        }


def test_subscriptions_end_cleanly_when_the_server_stops(cluster):
    async def scenario():
        with serve(cluster["env"], cluster["folder"]) as (third, process):
            await asyncio.to_thread(wait_for, lambda: status(third) == 200, 30)
            ws = await GraphQLWebSocket(third).__aenter__()
            await ws.subscribe(PUBLISHED)
            await asyncio.sleep(0.3)
            process.send_signal(signal.SIGTERM)
            # A clean close: `complete`, or the close code that tells clients to reconnect.
            try:
                ending = await ws.next_payload(wait=30)
                assert ending["type"] == "complete"
            except ConnectionClosed as closed:
                assert closed.rcvd is not None
                assert closed.rcvd.code == 1012  # service restart
            assert await asyncio.to_thread(process.wait, 30) == 0

    asyncio.run(scenario())


# --- the hub, in process ----------------------------------------------------------


async def published_post(db, title: str) -> None:
    doc = Post(author_id=ObjectId(), title=title, content="c", published=True)
    await db.posts.insert_one(
        doc.model_dump(by_alias=True, exclude={"id"}) | {"created_at": utcnow()}
    )


async def test_one_server_cursor_however_many_subscribers(app, db):
    feed = ChangeFeed("posts-test", Post.get_pymongo_collection, POSTS_PUBLISHED)

    async def open_cursors() -> int:
        status = await db.client.admin.command("serverStatus")
        return status["metrics"]["cursor"]["open"]["total"]

    baseline = await open_cursors()
    streams = [await feed.subscribe(lambda change: True) for _ in range(50)]
    assert feed.subscriber_count == 50
    assert await open_cursors() - baseline <= 1
    await published_post(db, "fan out")
    firsts = await asyncio.gather(*(anext(stream) for stream in streams))
    assert {change["fullDocument"]["title"] for change in firsts} == {"fan out"}
    for stream in streams:
        await stream.aclose()  # a client going away
    assert feed.subscriber_count == 0
    await asyncio.sleep(0.2)
    assert await open_cursors() <= baseline  # the last one out closed the cursor


async def test_a_feed_outlives_the_deadline_of_whoever_started_it(app, db):
    """The feed serves the whole process: started by a subscriber that had a
    database deadline (the work of an event, a request), it must not inherit it,
    or it would fail for good once that deadline passed."""
    feed = ChangeFeed("posts-deadline", Post.get_pymongo_collection, POSTS_PUBLISHED)
    with pymongo.timeout(0.5):
        stream = await feed.subscribe(lambda change: True)
    await asyncio.sleep(1.5)  # well past the starter's deadline
    await published_post(db, "still live")
    change = await asyncio.wait_for(anext(stream), 10)
    assert change["fullDocument"]["title"] == "still live"
    await stream.aclose()


async def test_a_slow_subscriber_is_closed_without_slowing_the_others(app, db):
    feed = ChangeFeed("posts-slow", Post.get_pymongo_collection, POSTS_PUBLISHED, buffer=2)
    slow = await feed.subscribe(lambda change: True)
    fast = await feed.subscribe(lambda change: True)
    received = []

    async def read_fast():
        async for change in fast:
            received.append(change["fullDocument"]["title"])
            if len(received) == 5:
                return

    reader = asyncio.create_task(read_fast())
    for n in range(5):
        await published_post(db, f"p{n}")
    await asyncio.wait_for(reader, 20)
    assert received == [f"p{n}" for n in range(5)]
    with pytest.raises(SubscriberTooSlow):
        async for _ in slow:
            pass
    await fast.aclose()
    await feed.close()


def test_subscription_schema_is_exported():
    result = subprocess.run(
        [sys.executable, "-m", "graphql_api.cli", "export-schema", "-o", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "postPublished: Post!" in result.stdout


async def test_the_legacy_graphql_ws_protocol_works_too(cluster):
    from websockets.asyncio.client import connect

    url = cluster["second"].replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-ws"]) as ws:
        assert ws.subprotocol == "graphql-ws"
        token = cluster["buyer"]["token"]
        await ws.send(
            orjson.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            ).decode()
        )
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            orjson.dumps({"id": "1", "type": "start", "payload": {"query": PUBLISHED}}).decode()
        )
        await asyncio.sleep(0.5)
        call(
            cluster["first"],
            cluster["buyer"],
            'mutation { createPost(input: {title: "Legacy", content: "z", published: true}) '
            "{ id } }",
        )
        while True:
            message = orjson.loads(await asyncio.wait_for(ws.recv(), 20))
            if message["type"] == "data":
                break
        assert message["payload"]["data"]["postPublished"]["title"] == "Legacy"


async def test_logging_out_ends_private_subscriptions(cluster):
    leaver = sign_up(cluster["first"], "leaver")
    order = call(
        cluster["first"],
        leaver,
        'mutation { placeOrder(input: {items: [{sku: "RT", quantity: 1}]}) { id } }',
    )["placeOrder"]["id"]
    async with GraphQLWebSocket(cluster["second"], leaver["token"]) as ws:
        operation = await ws.subscribe(STATUS, {"id": order})
        await asyncio.sleep(0.5)
        await asyncio.to_thread(move, cluster, order, "PAID")
        first = await ws.next_payload(operation)
        assert first["payload"]["data"]["orderStatusChanged"]["status"] == "PAID"
        call(cluster["first"], leaver, "mutation { logout }")
        # The other process closes the socket: the session ended (4401).
        with pytest.raises(ConnectionClosed) as closed:
            await ws.next_payload(operation, wait=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_a_new_subscriber_after_the_feed_closed_gets_no_older_posts(app, db):
    feed = ChangeFeed("posts-reopen", Post.get_pymongo_collection, POSTS_PUBLISHED)
    first = await feed.subscribe(lambda change: True)
    await published_post(db, "seen")
    assert (await anext(first))["fullDocument"]["title"] == "seen"
    await first.aclose()  # the last subscriber leaves: the stream closes
    await published_post(db, "while nobody listened")
    second = await feed.subscribe(lambda change: True)
    await published_post(db, "after")
    change = await asyncio.wait_for(anext(second), 20)
    assert change["fullDocument"]["title"] == "after"
    await second.aclose()


async def test_a_resume_token_that_cannot_be_used_is_dropped_not_retried_forever(app, db):
    feed = ChangeFeed("posts-lost", Post.get_pymongo_collection, POSTS_PUBLISHED, retry_delay=0.05)
    # A token from a history the server no longer has (or never had).
    feed.resume_token = {"_data": "82" + "00" * 40}
    stream = await feed.subscribe(lambda change: True, open_timeout=15)
    await published_post(db, "fresh")
    change = await asyncio.wait_for(anext(stream), 20)
    assert change["fullDocument"]["title"] == "fresh"
    await stream.aclose()


async def test_a_resumed_stream_does_not_replay_older_events_to_a_new_subscriber(app, db):
    feed = ChangeFeed("posts-replay", Post.get_pymongo_collection, POSTS_PUBLISHED)
    old = await feed.subscribe(lambda change: True)
    await published_post(db, "one")
    assert (await asyncio.wait_for(anext(old), 20))["fullDocument"]["title"] == "one"
    token_after_one = feed.resume_token
    await published_post(db, "two")
    assert (await asyncio.wait_for(anext(old), 20))["fullDocument"]["title"] == "two"
    # The stream breaks and resumes from an earlier token while a newcomer subscribes:
    # "two" is replayed, but it happened before the newcomer came.
    task = feed._task
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    feed.resume_token = token_after_one
    newcomer = await feed.subscribe(lambda change: True)
    await published_post(db, "three")
    assert (await asyncio.wait_for(anext(newcomer), 20))["fullDocument"]["title"] == "three"
    await old.aclose()
    await newcomer.aclose()
