"""Each database failure reaches the client as what it means, by fault injection.

The embedded server runs with `--enable-test-commands`, so tests arm mongod's
`failCommand` fail point: closed connections, write concern errors, transient
transaction errors. Nothing done is DB_UNAVAILABLE; a write sent whose answer
was lost is WRITE_OUTCOME_UNKNOWN; transient transaction errors are retried
without the client noticing; and a retry with an idempotency key never applies
a write twice.
"""

import asyncio
import signal
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
from pymongo import MongoClient

from graphql_api.embedded import EmbeddedMongo, Supervisor, read_state
from graphql_api.models import utcnow
from graphql_api.schema.relay import parse_id
from tests.conftest import GraphQLClient
from tests.factories import create_post, sign_up
from tests.servers import clean_env, serve, status, wait_for
from tests.ws import GraphQLWebSocket, errors_of

APP_NAME = "graphql_api"  # the app's client; the test's own client is not affected
DATABASE = "faulty"

CREATE_POST = (
    "mutation($input: CreatePostInput!, $key: String) "
    "{ createPost(input: $input, idempotencyKey: $key) { id title } }"
)
TRANSFER = (
    "mutation($input: TransferCreditsInput!, $key: String) "
    "{ transferCredits(input: $input, idempotencyKey: $key) { id amount } }"
)
GRANT = "mutation($input: GrantCreditsInput!) { grantCredits(input: $input) { id amount } }"


@pytest.fixture(scope="module")
def faulty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedMongo]:
    with EmbeddedMongo(tmp_path_factory.mktemp("faulty"), enable_test_commands=True) as server:
        yield server


@pytest.fixture(scope="module")
def admin_client(faulty_server: EmbeddedMongo) -> Iterator[MongoClient]:
    with MongoClient(faulty_server.url, serverSelectionTimeoutMS=5000) as client:
        yield client


@pytest.fixture(scope="module")
def faulty_app(faulty_server: EmbeddedMongo, tmp_path_factory) -> Iterator[str]:
    """The real `serve` on the faulty server (a subprocess: Beanie's models are
    bound to one database per process, and this one is not the suite's)."""
    env = clean_env(
        MONGODB_URL=faulty_server.url,
        MONGODB_DATABASE=DATABASE,
        # A short deadline bounds the driver's retries under a permanent fault.
        REQUEST_TIMEOUT_S="3",
        LOG_LEVEL="WARNING",
        # Each request looks its session up (a read the fail points can break).
        SESSION_CACHE_SECONDS="0",
    )
    with serve(env, tmp_path_factory.mktemp("faulty-serve")) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        yield base


@pytest.fixture
def fdb(admin_client: MongoClient):
    database = admin_client[DATABASE]
    for name in database.list_collection_names():
        database[name].delete_many({})
    return database


@pytest.fixture
async def fgql(faulty_app: str, fdb) -> AsyncIterator[GraphQLClient]:
    async with httpx.AsyncClient(base_url=faulty_app, timeout=30) as http:
        yield GraphQLClient(http)


@contextmanager
def fail_point(client: MongoClient, mode: object, **data: object) -> Iterator[None]:
    client.admin.command(
        "configureFailPoint",
        "failCommand",
        mode=mode,
        data={"appName": APP_NAME, **data},
    )
    try:
        yield
    finally:
        client.admin.command("configureFailPoint", "failCommand", mode="off")


def stuck_database(client: MongoClient):
    """The next read holds its connection for 8 s: past the app's 3 s deadline."""
    return fail_point(
        client,
        {"times": 1},
        failCommands=["aggregate", "find"],
        blockConnection=True,
        blockTimeMS=8000,
    )


RETRYABLE = {"DB_UNAVAILABLE", "DB_TIMEOUT", "WRITE_OUTCOME_UNKNOWN"}


async def retry(client: GraphQLClient, query: str, variables: dict, seconds: float = 30) -> dict:
    """What a careful client does: retry (same idempotency key) while the database recovers."""
    deadline = time.monotonic() + seconds
    while True:
        body = await client.execute(query, variables)
        errors = body.get("errors") or []
        if not errors:
            return body["data"]
        if errors[0]["extensions"]["code"] not in RETRYABLE or time.monotonic() > deadline:
            raise AssertionError(body)
        await asyncio.sleep(0.2)


def post_input(title: str) -> dict:
    return {"title": title, "content": "fault injection"}


async def test_nothing_sent_is_db_unavailable(fgql, fdb, admin_client):
    """The session lookup (a read) loses its connection until the request's deadline
    (PyMongo retries within it): no write was sent, and the client is told so (the
    database is unavailable, or, when the deadline cuts the last retry short, did not
    answer in time: both retryable), never that a write's outcome is unknown."""
    author = fgql.as_user(await sign_up(fgql))
    with fail_point(admin_client, "alwaysOn", failCommands=["aggregate"], closeConnection=True):
        body = await author.execute(CREATE_POST, {"input": post_input("never sent")})
    assert body["errors"][0]["extensions"]["code"] in ("DB_UNAVAILABLE", "DB_TIMEOUT"), body
    assert fdb.posts.count_documents({"title": "never sent"}) == 0


async def test_a_read_failing_midway_is_db_unavailable(fgql, admin_client):
    author = fgql.as_user(await sign_up(fgql))
    with fail_point(admin_client, "alwaysOn", failCommands=["aggregate"], closeConnection=True):
        body = await author.execute("{ me { username } }")
    code = body["errors"][0].get("extensions", {}).get("code")
    assert code in ("DB_UNAVAILABLE", "DB_TIMEOUT"), body


async def test_a_write_whose_connection_closed_is_outcome_unknown(fgql, fdb, admin_client):
    """The insert is sent, the connection closes, and so do the driver's retries."""
    author = fgql.as_user(await sign_up(fgql))
    with fail_point(admin_client, "alwaysOn", failCommands=["insert"], closeConnection=True):
        error = await author.error(
            CREATE_POST, {"input": post_input("lost answer")}, code="WRITE_OUTCOME_UNKNOWN"
        )
    assert "idempotencyKey" in error["message"]
    assert "pymongo" not in str(error).lower()


async def test_a_write_concern_error_is_outcome_unknown_though_applied(fgql, fdb, admin_client):
    """The write was applied but not confirmed durable: certainly not 'nothing done'."""
    author = fgql.as_user(await sign_up(fgql))
    with fail_point(
        admin_client,
        {"times": 1},
        failCommands=["insert"],
        writeConcernError={"code": 64, "errmsg": "waiting for replication timed out"},
    ):
        await author.error(
            CREATE_POST, {"input": post_input("applied")}, code="WRITE_OUTCOME_UNKNOWN"
        )
    assert fdb.posts.count_documents({"title": "applied"}) == 1


async def test_an_unknown_commit_then_a_retry_with_the_key_applies_once(fgql, fdb, admin_client):
    """Every commit loses its connection until the request's deadline: outcome unknown.
    The client retries with its key once the database is healthy: exactly one post."""
    author = fgql.as_user(await sign_up(fgql))
    variables = {"input": post_input("keyed"), "key": str(uuid.uuid4())}
    with fail_point(
        admin_client, "alwaysOn", failCommands=["commitTransaction"], closeConnection=True
    ):
        await author.error(CREATE_POST, variables, code="WRITE_OUTCOME_UNKNOWN")
    # The server still holds the transaction whose commit never arrived; mongod
    # aborts it after transactionLifetimeLimitSeconds, here we do it at once.
    admin_client.admin.command("killAllSessions", [])
    first = (await retry(author, CREATE_POST, variables))["createPost"]
    again = (await retry(author, CREATE_POST, variables))["createPost"]
    assert first == again
    assert fdb.posts.count_documents({"title": "keyed"}) == 1


async def test_a_lost_commit_answer_is_retried_by_the_driver(fgql, fdb, admin_client):
    """One lost commit answer: the driver retries the commit, the client sees success."""
    author = fgql.as_user(await sign_up(fgql))
    variables = {"input": post_input("commit retried"), "key": str(uuid.uuid4())}
    with fail_point(
        admin_client, {"times": 1}, failCommands=["commitTransaction"], closeConnection=True
    ):
        await author.data(CREATE_POST, variables)
    assert fdb.posts.count_documents({"title": "commit retried"}) == 1


async def test_transient_transaction_errors_are_retried_transparently(fgql, fdb, admin_client):
    alice, bob, admin = await sign_up(fgql), await sign_up(fgql), await sign_up(fgql)
    fdb.users.update_one({"username": admin["username"]}, {"$set": {"roles": ["user", "admin"]}})
    admin = fgql.as_user(admin)
    await admin.data(GRANT, {"input": {"userId": alice["id"], "amount": 50}})
    with fail_point(
        admin_client,
        {"times": 2},
        failCommands=["update"],
        errorCode=112,  # WriteConflict
        errorLabels=["TransientTransactionError"],
    ):
        data = await fgql.as_user(alice).data(
            TRANSFER,
            {"input": {"toUserId": bob["id"], "amount": 20}, "key": str(uuid.uuid4())},
        )
    assert data["transferCredits"]["amount"] == 20
    balances = {u["username"]: u["credits"] for u in fdb.users.find({})}
    assert balances[alice["username"]] == 30
    assert balances[bob["username"]] == 20
    assert fdb.credit_transfers.count_documents({"from_user_id": {"$ne": None}}) == 1


async def test_writes_and_commits_carry_the_journaled_majority_write_concern(gql, admin, commands):
    """Set on the client, so Beanie's inserts, raw updates and commits all inherit it."""
    alice, bob = await sign_up(gql), await sign_up(gql)
    commands.reset()
    await admin.data(GRANT, {"input": {"userId": alice["id"], "amount": 5}})
    await gql.as_user(alice).data(CREATE_POST, {"input": post_input("plain insert")})
    await gql.as_user(alice).data(
        TRANSFER, {"input": {"toUserId": bob["id"], "amount": 5}, "key": str(uuid.uuid4())}
    )
    sent = {}
    for command in commands.sent:
        name = next(iter(command))
        sent.setdefault(name, []).append(command)
    assert len(sent["commitTransaction"]) == 2
    plain_inserts = [c for c in sent["insert"] if "autocommit" not in c]
    assert len(plain_inserts) == 1  # the post; the others are inside transactions
    for command in sent["commitTransaction"] + plain_inserts:
        assert command["writeConcern"] == {"w": "majority", "j": True}, command


def test_the_supervisor_restarts_a_killed_server_on_its_port_and_stops_for_good(tmp_path):
    server = EmbeddedMongo(tmp_path / "db", sync_on_commit=True)
    server.start()
    supervisor = Supervisor(server, tmp_path / "state.json", max_backoff=1)
    supervisor.start()
    try:
        port, first = server.port, server.process
        with MongoClient(
            server.url, serverSelectionTimeoutMS=5000, w="majority", journal=True
        ) as c:
            c.kept.docs.insert_one({"acknowledged": True})
        first.send_signal(signal.SIGKILL)
        wait_for(lambda: (read_state(tmp_path / "state.json") or {}).get("restarts") == 1, 30)
        state = read_state(tmp_path / "state.json")
        assert state["state"] == "up" and state["last_exit_code"] == -signal.SIGKILL
        assert server.port == port and server.process.pid == state["pid"] != first.pid
        with MongoClient(server.url, serverSelectionTimeoutMS=5000) as c:
            assert c.kept.docs.count_documents({"acknowledged": True}) == 1
    finally:
        supervisor.stop()
    # Asked to stop: it stays stopped.
    assert server.process is None
    time.sleep(1.5)
    assert read_state(tmp_path / "state.json")["state"] == "stopped"
    assert supervisor.restarts == 1


async def test_a_query_over_websocket_has_the_requests_deadline(faulty_app, fdb, admin_client):
    """A query or mutation sent over a WebSocket gets the deadline a POST gets
    (REQUEST_TIMEOUT_S=3 here): a stuck database answers DB_TIMEOUT, not a wait."""
    async with GraphQLWebSocket(faulty_app) as ws:
        with stuck_database(admin_client):
            started = time.monotonic()
            operation = await ws.subscribe("{ posts(first: 1) { totalCount } }")
            message = await ws.next_payload(operation, wait=15)
            took = time.monotonic() - started
        assert [e["extensions"]["code"] for e in errors_of(message)] == ["DB_TIMEOUT"], message
        assert took < 6, took
        # The socket is still usable once the database answers again.
        operation = await ws.subscribe("{ posts(first: 1) { totalCount } }")
        message = await ws.next_payload(operation)
        assert message["type"] == "next" and not errors_of(message), message


async def test_a_subscription_event_has_the_requests_deadline(fgql, fdb, admin_client, faulty_app):
    """The work an event causes (here: loading the post's author) gets a request's
    deadline: a stuck database fails that event with DB_TIMEOUT within it, rather
    than holding the shared execution, and with it every subscriber, for as long
    as the database hangs. The next event is delivered normally."""
    author = await sign_up(fgql, "deadline_author")
    drafts = [await create_post(fgql, author, published=False) for _ in range(2)]
    async with GraphQLWebSocket(faulty_app) as ws:
        operation = await ws.subscribe(
            "subscription { postPublished { title author { username } } }"
        )
        await asyncio.sleep(0.5)  # subscribed: the feed is open
        with stuck_database(admin_client):
            started = time.monotonic()
            publish(fdb, drafts[0]["id"])
            message = await ws.next_payload(operation, wait=15)
            took = time.monotonic() - started
        assert [e["extensions"]["code"] for e in errors_of(message)] == ["DB_TIMEOUT"], message
        assert took < 6, took  # REQUEST_TIMEOUT_S=3; the database holds for 8 s
        publish(fdb, drafts[1]["id"])
        message = await ws.next_payload(operation, wait=15)
        assert not errors_of(message), message
        assert message["payload"]["data"]["postPublished"]["author"] == {
            "username": "deadline_author"
        }


def publish(db, global_id: str) -> None:
    """Published straight in the database (not through the app, which the fail
    point would stop): the change stream reports it as an update."""
    db.posts.update_one(
        {"_id": parse_id(global_id, "Post")},
        {"$set": {"published": True, "published_at": utcnow()}},
    )


async def test_a_stuck_database_is_db_timeout_over_http_too(fgql, admin_client):
    """A database that holds the connection past the deadline is there, only slow:
    DB_TIMEOUT (the driver's `NetworkTimeout` is also a `ConnectionFailure`)."""
    with stuck_database(admin_client):
        started = time.monotonic()
        await fgql.error("{ posts(first: 1) { totalCount } }", code="DB_TIMEOUT")
        assert time.monotonic() - started < 6
