"""Signed out means signed out, everywhere, at once; and WebSockets are bounded.

Two real server processes share one database. Each revocation is made through
the first process; the WebSockets and requests that must feel it go to the
second, which learns of it only through MongoDB. The bound is one second.
"""

import asyncio
import base64
import time
from datetime import timedelta

import httpx
import orjson
import pytest
from bson import ObjectId
from pymongo import MongoClient
from websockets.exceptions import ConnectionClosed

from graphql_api.embedded import EmbeddedMongo
from graphql_api.models import utcnow
from tests.servers import clean_env, graphql, serve, sign_up, status, wait_for
from tests.ws import GraphQLWebSocket, errors_of

PASSWORD = "a long passphrase"
BOUND = 1.0  # seconds
CAP = 3  # WebSockets per client, operations per WebSocket
STATUS = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }"
COMPLETED = "subscription { ordersCompleted { id status } }"
PUBLISHED = "subscription { postPublished { title } }"
PLACE_ORDER = 'mutation { placeOrder(input: {items: [{sku: "RV", quantity: 1}]}) { id } }'
MOVE = "mutation($id: ID!, $s: OrderStatus!) { updateOrderStatus(id: $id, status: $s) { status } }"


def call(base: str, token: str, query: str, variables: dict | None = None) -> dict:
    body = graphql(base, query, variables, token=token)
    assert not body.get("errors"), body
    return body["data"]


def code_of(body: dict) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("revocation")
    with EmbeddedMongo(folder / "mongo") as database:
        env = clean_env(
            MONGODB_URL=database.url,
            MONGODB_DATABASE="revocation",
            MAX_WEBSOCKETS_PER_CLIENT=str(CAP),
            MAX_SUBSCRIPTIONS_PER_CONNECTION=str(CAP),
        )
        with serve(env, folder) as (first, _), serve(env, folder) as (second, _):
            wait_for(lambda: status(first) == 200 and status(second) == 200, 60)
            db = MongoClient(database.url)["revocation"]
            admin = sign_up(first, "chief")
            db.users.update_one({"username": "chief"}, {"$set": {"roles": ["user", "admin"]}})
            call(
                first,
                admin["token"],
                'mutation { createProduct(input: {sku: "RV", name: "Revocation", '
                'category: "c", price: "1.00", stock: 100000}) { sku } }',
            )
            yield {"first": first, "second": second, "admin": admin, "db": db}


# --- each way a session ends ---------------------------------------------------------

_names = iter(range(1_000_000))


def new_user(cluster, *, admin: bool = False) -> dict:
    user = sign_up(cluster["first"], f"user{next(_names)}")
    if admin:
        cluster["db"].users.update_one(
            {"username": user["name"]}, {"$set": {"roles": ["user", "admin"]}}
        )
    call(
        cluster["first"],
        cluster["admin"]["token"],
        "mutation($u: ID!) { grantCredits(input: {userId: $u, amount: 100}) { amount } }",
        {"u": user["id"]},
    )
    return user


def logout(cluster, user):
    call(cluster["first"], user["token"], "mutation { logout }")


def logout_everywhere(cluster, user):
    call(cluster["first"], user["token"], "mutation { logoutEverywhere }")


def change_password(cluster, user):
    # From another session: the one the WebSocket uses ends.
    other = call(
        cluster["first"],
        None,
        "mutation($u: String!, $p: String!) "
        "{ login(input: {username: $u, password: $p}) { token } }",
        {"u": user["name"], "p": PASSWORD},
    )["login"]["token"]
    call(
        cluster["first"],
        other,
        "mutation($c: String!, $n: String!) { changePassword(input: "
        "{currentPassword: $c, newPassword: $n}) }",
        {"c": PASSWORD, "n": "another long passphrase"},
    )


def deactivated_by_admin(cluster, user):
    call(
        cluster["first"],
        cluster["admin"]["token"],
        "mutation($id: ID!) { deactivateUser(id: $id) { isActive } }",
        {"id": user["id"]},
    )


def deactivated_by_self(cluster, user):
    call(
        cluster["first"],
        user["token"],
        "mutation($id: ID!) { deactivateUser(id: $id) { isActive } }",
        {"id": user["id"]},
    )


def demoted(cluster, user):
    # What `graphql-api` admin --revoke does: another process, straight to MongoDB.
    cluster["db"].users.update_one({"username": user["name"]}, {"$pull": {"roles": "admin"}})


MUTATIONS = {
    "transferCredits": (
        "mutation($to: ID!) { transferCredits(input: {toUserId: $to, amount: 1}) { amount } }"
    ),
    "placeOrder": PLACE_ORDER,
    "updateProfile": 'mutation { updateProfile(input: {email: "x@example.org"}) { id } }',
}
ADMIN_MUTATION = 'mutation { updateProduct(sku: "RV", input: {name: "Renamed"}) { name } }'


async def closed_code(ws: GraphQLWebSocket, within: float) -> tuple[int, float]:
    """Read until the server closes the socket: its close code, and when. Data is a failure."""
    started = time.monotonic()
    try:
        while True:
            message = await ws.receive(within)
            assert message["type"] in ("ping", "pong", "complete"), message
    except ConnectionClosed as closed:
        assert closed.rcvd is not None, "closed without a close frame"
        return closed.rcvd.code, time.monotonic() - started


@pytest.mark.parametrize(
    ("revoke", "code"),
    [
        (logout, 4401),
        (logout_everywhere, 4401),
        (change_password, 4401),
        (deactivated_by_admin, 4401),
        (deactivated_by_self, 4401),
        (demoted, 4403),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
async def test_a_revoked_session_is_refused_on_another_process_within_a_second(
    cluster, revoke, code
):
    first, second = cluster["first"], cluster["second"]
    is_admin = revoke is demoted
    user = await asyncio.to_thread(new_user, cluster, admin=is_admin)
    friend = await asyncio.to_thread(new_user, cluster)
    order = (await asyncio.to_thread(call, first, user["token"], PLACE_ORDER))["placeOrder"]["id"]
    # The second process has seen (and may cache) this session.
    assert (await asyncio.to_thread(call, second, user["token"], "{ me { id } }"))["me"]

    async with (
        GraphQLWebSocket(second, user["token"]) as subscriber,
        GraphQLWebSocket(second, user["token"]) as idle,
    ):
        operation = await subscriber.subscribe(COMPLETED if is_admin else STATUS, {"id": order})
        await asyncio.sleep(0.5)  # live
        await asyncio.to_thread(
            call, first, cluster["admin"]["token"], MOVE, {"id": order, "s": "PAID"}
        )
        if not is_admin:
            seen = await subscriber.next_payload(operation)
            assert seen["payload"]["data"]["orderStatusChanged"]["status"] == "PAID"

        await asyncio.to_thread(revoke, cluster, user)
        revoked_at = time.monotonic()
        # An event right after: it must not reach the revoked subscriber.
        await asyncio.to_thread(
            call, first, cluster["admin"]["token"], MOVE, {"id": order, "s": "SHIPPED"}
        )
        if is_admin:
            await asyncio.to_thread(
                call, first, cluster["admin"]["token"], MOVE, {"id": order, "s": "COMPLETED"}
            )
        received, _ = await closed_code(subscriber, within=5)
        assert received == code
        assert time.monotonic() - revoked_at <= BOUND + 0.5  # the test's own round trips
        received, _ = await closed_code(
            idle, within=max(0.05, revoked_at + BOUND - time.monotonic())
        )
        assert received == code

    # One second on, the other process refuses every mutation of that session.
    await asyncio.sleep(max(0, revoked_at + BOUND - time.monotonic()))
    expected = "FORBIDDEN" if is_admin else "UNAUTHENTICATED"
    # And its reads: it had this session cached, and answers a document it has seen
    # (`{ me { id } }` above) directly, taking a fresh cached session as is.
    read = "{ users(first: 1) { edges { node { id } } } }" if is_admin else "{ me { id } }"
    body = await asyncio.to_thread(graphql, second, read, None, user["token"])
    assert code_of(body) == expected, body
    if is_admin:
        body = await asyncio.to_thread(graphql, second, ADMIN_MUTATION, None, user["token"])
        assert code_of(body) == expected, body
    else:
        for name, mutation in MUTATIONS.items():
            body = await asyncio.to_thread(
                graphql, second, mutation, {"to": friend["id"]}, user["token"]
            )
            assert code_of(body) == expected, (name, body)


async def test_a_mutation_over_a_revoked_websocket_is_refused(cluster):
    second = cluster["second"]
    user = await asyncio.to_thread(new_user, cluster)
    async with GraphQLWebSocket(second, user["token"]) as ws:
        operation = await ws.subscribe(PLACE_ORDER)
        assert "errors" not in (await ws.next_payload(operation))["payload"]
        await asyncio.to_thread(logout, cluster, user)
        revoked_at = time.monotonic()
        await asyncio.sleep(BOUND)
        try:
            operation = await ws.subscribe(PLACE_ORDER)
            answer = await ws.next_payload(operation, wait=5)
            refused = errors_of(answer)[0]["extensions"]["code"] == "UNAUTHENTICATED"
        except ConnectionClosed as closed:
            refused = closed.rcvd is not None and closed.rcvd.code == 4401
        assert refused
        assert time.monotonic() - revoked_at < BOUND + 5
    orders = cluster["db"].orders.count_documents({"user_id": _oid(user["id"])})
    assert orders == 1


def _oid(global_id: str) -> ObjectId:
    return ObjectId(base64.b64decode(global_id).decode().split(":")[1])


async def test_an_expiring_session_closes_its_websocket_on_time(cluster):
    user = await asyncio.to_thread(new_user, cluster)
    sessions = cluster["db"].sessions
    async with GraphQLWebSocket(cluster["second"], user["token"]) as ws:
        await ws.subscribe(PUBLISHED)
        await asyncio.sleep(0.3)
        ends = utcnow() + timedelta(seconds=1.5)
        sessions.update_many({"user_id": _oid(user["id"])}, {"$set": {"expires_at": ends}})
        received, _ = await closed_code(ws, within=10)
        late = (utcnow() - ends).total_seconds()
        assert received == 4401
        assert -0.1 <= late <= BOUND, late


async def test_a_bad_token_is_an_authentication_error_not_anonymous(cluster):
    second = cluster["second"]
    assert graphql(second, "{ me { id } }")["data"] == {"me": None}  # anonymous
    for token in ("not-a-token", "x" * 43):
        body = graphql(second, "{ me { id } }", token=token)
        assert code_of(body) == "UNAUTHENTICATED", body
        body = graphql(second, '{ product(sku: "RV") { sku } }', token=token)
        assert code_of(body) == "UNAUTHENTICATED", body


# --- bounded WebSockets ----------------------------------------------------------------


async def test_websockets_per_user_and_per_address_are_capped(cluster):
    user = await asyncio.to_thread(new_user, cluster)
    sockets = [
        await GraphQLWebSocket(cluster["second"], user["token"]).__aenter__() for _ in range(CAP)
    ]
    try:
        with pytest.raises(ConnectionClosed) as refused:
            async with GraphQLWebSocket(cluster["second"], user["token"]):
                pass
        assert refused.value.rcvd.code == 4429
        assert refused.value.rcvd.reason.startswith("TOO_MANY_CONNECTIONS")
        # Another user, or anonymous sockets from the same address, are not affected.
        async with GraphQLWebSocket(cluster["second"]):
            pass
    finally:
        for ws in sockets:
            await ws.__aexit__(None, None, None)
    await asyncio.sleep(0.3)
    async with GraphQLWebSocket(cluster["second"], user["token"]):
        pass  # a closed socket gives its place back

    anonymous = [await GraphQLWebSocket(cluster["second"]).__aenter__() for _ in range(CAP)]
    try:
        with pytest.raises(ConnectionClosed) as refused:
            async with GraphQLWebSocket(cluster["second"]):
                pass
        assert refused.value.rcvd.code == 4429
        assert refused.value.rcvd.reason.startswith("TOO_MANY_CONNECTIONS")
    finally:
        for ws in anonymous:
            await ws.__aexit__(None, None, None)


async def test_operations_per_websocket_are_capped_with_a_code(cluster):
    async with GraphQLWebSocket(cluster["second"]) as ws:
        for _ in range(CAP):
            await ws.subscribe(PUBLISHED)
        await asyncio.sleep(0.3)
        operation = await ws.subscribe(PUBLISHED)
        answer = await ws.next_payload(operation, wait=5)
        assert answer["type"] == "error"
        assert answer["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"


async def test_loaders_live_for_one_operation_not_one_connection(cluster):
    query = '{ product(sku: "RV") { stock } }'
    buyer = await asyncio.to_thread(new_user, cluster)
    async with GraphQLWebSocket(cluster["second"]) as ws:
        before = (await ws.next_payload(await ws.subscribe(query)))["payload"]["data"]
        await asyncio.to_thread(call, cluster["first"], buyer["token"], PLACE_ORDER)
        after = (await ws.next_payload(await ws.subscribe(query)))["payload"]["data"]
        assert after["product"]["stock"] == before["product"]["stock"] - 1


def test_a_subscription_over_http_points_to_the_websocket(cluster):
    response = httpx.post(f"{cluster['second']}/graphql", json={"query": PUBLISHED}, timeout=30)
    assert response.status_code == 400
    body = response.json()
    assert code_of(body) == "WEBSOCKET_REQUIRED", body
    assert "WebSocket" in body["errors"][0]["message"]


async def test_the_legacy_protocol_has_the_same_coded_operation_cap(cluster):
    from websockets.asyncio.client import connect

    url = cluster["second"].replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-ws"]) as ws:
        await ws.send(orjson.dumps({"type": "connection_init", "payload": {}}).decode())
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        for n in range(CAP + 1):
            start = {"id": str(n), "type": "start", "payload": {"query": PUBLISHED}}
            await ws.send(orjson.dumps(start).decode())
        while True:
            message = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
            if message["type"] == "error":
                break
        assert message["id"] == str(CAP)
        assert message["payload"]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
