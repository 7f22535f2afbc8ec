"""Hostile input against the running server: 0 internal errors, 0 5xx, whatever arrives.

For every field that takes arguments (tests/fuzzing.py finds them in schema.graphql, nested
ones such as `User.posts` included), Hypothesis draws every argument from strategies that
span what a client can send, passes them as variables or as inline literals, anonymous
or signed in as a user or an admin, and checks the answer with `fuzzing.verdict`. The
volume runs in process (the ASGI app on the embedded database); a smaller budget runs
against a real `graphql-api serve` subprocess, together with hypothesis-graphql's
generated documents (valid and invalid ones) using the same scalar strategies.

Budgets are Hypothesis settings profiles: `FUZZ_PROFILE=fuzz-long pytest tests/test_fuzz.py`
for a deeper search than CI's default `fuzz-ci`.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from tests import fuzzing
from tests.servers import clean_env, serve, status, wait_for

settings.register_profile(
    "fuzz-ci",
    max_examples=25,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-long",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("FUZZ_PROFILE", "fuzz-ci")
IN_PROCESS = settings(settings.get_profile(PROFILE))
SERVED = settings(
    settings.get_profile(PROFILE),
    max_examples=max(settings.get_profile(PROFILE).max_examples * 4, 60),
)
TARGETS = fuzzing.targets()
ROLES = ("anonymous", "user", "admin")


@dataclass
class World:
    """Seeded data, the fuzzers' tokens, and the real values generated input may hit."""

    tokens: dict[str, str | None]
    pools: fuzzing.Pools
    own_ids: set[str] = field(default_factory=set)
    strategies: dict[str, st.SearchStrategy[dict[str, Any]]] = field(default_factory=dict)

    def arguments(self, target: fuzzing.Target) -> st.SearchStrategy[dict[str, Any]]:
        """Built once per target (the pools are fixed once seeded)."""
        if target.id not in self.strategies:
            self.strategies[target.id] = fuzzing.argument_values(target, self.pools)
        return self.strategies[target.id]


# --- seeding, through the API as a client would ---------------------------------------


class Client:
    """Posts GraphQL to one server (in process or served) for seeding and fuzzing."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def data(self, query: str, variables: dict | None = None, token: str | None = None):
        auth = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=auth
        )
        body = response.json()
        assert not body.get("errors"), (query, body)
        return body["data"]

    async def sign_up(self, name: str) -> dict:
        data = await self.data(
            "mutation($i: SignUpInput!) { signUp(input: $i) { token user { id databaseId } } }",
            {
                "i": {
                    "username": name,
                    "email": f"{name}@example.com",
                    "password": "a long passphrase",
                }
            },
        )
        return data["signUp"]["user"] | {"token": data["signUp"]["token"]}


async def seed(client: Client, promote) -> World:
    """Users (two fuzzers, victims), products, posts, orders; pools of ids and cursors."""
    admin, user = await client.sign_up("fuzzadmin"), await client.sign_up("fuzzuser")
    await promote(admin)
    victims = [await client.sign_up(f"victim{n}") for n in range(3)]
    pools = fuzzing.Pools()

    def keep(node: dict) -> None:
        pools.global_ids.append(node["id"])
        pools.database_ids.append(node["databaseId"])

    for victim in victims:
        keep(victim)
    for n, price in enumerate(["0.01", "9.99", "12.50", "999999999999.99"]):
        data = await client.data(
            "mutation($i: CreateProductInput!) { createProduct(input: $i) { id databaseId sku } }",
            {
                "i": {
                    "sku": f"FZ-{n}",
                    "name": f"P{n}",
                    "category": "c",
                    "price": price,
                    "stock": 50,
                }
            },
            admin["token"],
        )
        keep(data["createProduct"])
        pools.skus.append(data["createProduct"]["sku"])
    for author in (user, victims[0]):
        for published in (True, False):
            data = await client.data(
                "mutation($i: CreatePostInput!) { createPost(input: $i) { id databaseId } }",
                {"i": {"title": "t", "content": "hello world", "published": published}},
                author["token"],
            )
            keep(data["createPost"])
    for buyer in (user, victims[1]):
        data = await client.data(
            "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id databaseId } }",
            {"i": {"items": [{"sku": "FZ-1", "quantity": 1}]}},
            buyer["token"],
        )
        keep(data["placeOrder"])
    for list_field, sorts in (
        ("users", ("NEWEST_FIRST", "OLDEST_FIRST")),
        ("posts", ("NEWEST_FIRST", "OLDEST_FIRST")),
        ("products", ("PRICE_ASC", "PRICE_DESC")),
        ("orders", ("NEWEST_FIRST", "OLDEST_FIRST")),
    ):
        for sort in sorts:
            data = await client.data(
                f"{{ {list_field}(first: 1, sort: {sort}) {{ pageInfo {{ endCursor }} }} }}",
                None,
                admin["token"],
            )
            pools.cursors.append(data[list_field]["pageInfo"]["endCursor"])
    return World(
        tokens={"anonymous": None, "user": user["token"], "admin": admin["token"]},
        pools=pools,
        own_ids={admin["id"], user["id"], admin["databaseId"], user["databaseId"]},
    )


async def sessions_survived(client: Client, world: World) -> None:
    """The fuzzers' own sessions still work: the signed-in roles were covered throughout."""
    for role in ("user", "admin"):
        assert (await client.data("{ me { id } }", None, world.tokens[role]))["me"], role


def draw_request(world: World, target: fuzzing.Target, data: st.DataObject) -> tuple[str, str, str]:
    role = data.draw(st.sampled_from(ROLES), label="role")
    as_variables = data.draw(st.booleans(), label="as variables")
    arguments = data.draw(world.arguments(target), label="arguments")
    document, body = fuzzing.operation(target, arguments, as_variables)
    if target.name in fuzzing.SESSION_ENDING or (
        target.name == "deactivateUser" and any(own in body for own in world.own_ids)
    ):
        role = "anonymous"  # ending the fuzzers' own sessions is not input handling
    return role, document, body


async def send(client: Client, world: World, role: str, body: str) -> httpx.Response:
    token = world.tokens[role]
    auth = {"authorization": f"Bearer {token}"} if token else {}
    return await client.http.post(
        "/graphql",
        content=body.encode("utf-8", errors="surrogatepass"),
        headers={"content-type": "application/json", **auth},
    )


def judge(response: httpx.Response, role: str, document: str, body: str) -> None:
    problem = fuzzing.verdict(
        response.status_code, response.headers.get("content-type", ""), response.text
    )
    event(
        f"{response.status_code} {fuzzing.outcome(response.text)}"
    )  # --hypothesis-show-statistics
    assert problem is None, f"{problem}\nas {role}: {body[:3000]}\n-> {response.text[:2000]}"


# --- in process: the volume -----------------------------------------------------------------


@pytest.fixture(scope="module")
async def local(app):
    database = app.state.database.db
    for name in await database.list_collection_names():
        await database[name].delete_many({})

    async def promote(user: dict) -> None:
        from bson import ObjectId

        await database.users.update_one(
            {"_id": ObjectId(user["databaseId"])}, {"$set": {"roles": ["user", "admin"]}}
        )

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        client = Client(http)
        world = await seed(client, promote)
        yield client, world
        await sessions_survived(client, world)


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.id)
@IN_PROCESS
@given(data=st.data())
async def test_every_argument_refuses_hostile_input_with_a_code(local, target, data):
    client, world = local
    role, document, body = draw_request(world, target, data)
    judge(await send(client, world, role, body), role, document, body)


def test_every_argument_type_of_the_schema_is_fuzzed():
    """The targets cover every field argument of Query and Mutation, and every input type."""
    covered = {(t.operation, t.name) for t in TARGETS}
    schema = fuzzing.SCHEMA
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        for name, field_def in root.fields.items():
            if field_def.args:
                assert (operation, name) in covered, name
    argument_types = {
        graphql.get_named_type(arg.type).name for t in TARGETS for arg in t.field.args.values()
    }
    input_types = {
        name
        for name, type_ in schema.type_map.items()
        if isinstance(type_, graphql.GraphQLInputObjectType)
    }
    nested = {
        graphql.get_named_type(f.type).name
        for name in input_types
        for f in schema.type_map[name].fields.values()
    }
    scalars = {"String", "Int", "Boolean", "ID", "Decimal", "DateTime", "JSON"}
    assert input_types <= argument_types | nested
    assert scalars <= argument_types | nested


# --- a real `graphql-api serve`: a smaller budget, and hypothesis-graphql's documents ----------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    env = clean_env(EMBEDDED_DATA_DIR=str(folder / "data"), MONGODB_DATABASE="fuzz")
    with serve(env, folder) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        yield base, process, env, folder


@pytest.fixture(scope="module")
async def remote(served):
    base, process, env, folder = served

    async def promote(user: dict) -> None:
        name = "fuzzadmin"
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "graphql_api.cli", "promote", name],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr

    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        client = Client(http)
        world = await seed(client, promote)
        yield client, world
        await sessions_survived(client, world)
        assert process.poll() is None
        assert status(base) == 200


@SERVED
@given(data=st.data())
async def test_the_served_app_refuses_hostile_input_with_a_code(remote, data):
    client, world = remote
    target = data.draw(st.sampled_from(TARGETS), label="target")
    role, document, body = draw_request(world, target, data)
    judge(await send(client, world, role, body), role, document, body)


def to_node(value: Any) -> graphql.ValueNode:
    """A generated value as a GraphQL literal node, for hypothesis-graphql."""
    return graphql.parse_value(fuzzing.literal(value))


def _literal_or_string(value: Any) -> graphql.ValueNode:
    try:
        return to_node(value)
    except graphql.GraphQLError:  # e.g. a lone surrogate: send it as text
        return nodes.String(str(value))


SCALARS = {
    "Decimal": fuzzing.decimals().map(_literal_or_string),
    "DateTime": fuzzing.datetimes().map(_literal_or_string),
    "JSON": fuzzing.json_values()
    .filter(lambda v: not isinstance(v, fuzzing.Deep) or v.depth < 200)
    .map(_literal_or_string),
}


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # long reprs
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
@pytest.mark.parametrize("role", ["anonymous", "admin"])
@IN_PROCESS
@given(data=st.data())
async def test_generated_documents_never_break_the_served_app(remote, mode, role, data):
    client, world = remote
    fields = [
        name
        for root in (fuzzing.SCHEMA.query_type, fuzzing.SCHEMA.mutation_type)
        for name in root.fields
        if name not in fuzzing.SESSION_ENDING | {"deactivateUser"}
    ]
    document = data.draw(
        from_schema(fuzzing.SCHEMA_SDL, fields=fields, custom_scalars=SCALARS, mode=mode)
    )
    body = json.dumps({"query": document})
    judge(await send(client, world, role, body), role, document, body)


async def test_websocket_messages_are_bounded_like_bodies(served):
    """A subscribe message is read by the same JSON reader and checked by the same scalars."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    from tests.ws import PROTOCOL, GraphQLWebSocket

    base, process, _, _ = served
    query = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { id } }"
    async with GraphQLWebSocket(base) as socket:
        for value in ({"a": [1]}, "Order:" + "9" * 5000, 12.5):
            operation = await socket.subscribe(query, {"id": value})
            message = await socket.next_payload(operation)
            errors = message["payload"]
            errors = errors if message["type"] == "error" else errors.get("errors")
            codes = {error["extensions"]["code"] for error in errors or ()}
            assert codes and "INTERNAL_SERVER_ERROR" not in codes, message
    url = base.replace("http://", "ws://") + "/graphql"
    for payload in ("[" * 5000 + "]" * 5000, '"\\ud800"', "NaN"):
        async with connect(url, subprotocols=[PROTOCOL]) as ws:
            await ws.send('{"type": "connection_init", "payload": {}}')
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            frame = '{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", '
            await ws.send(frame + '"variables": {"x": ' + payload + "}}}")
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            assert closed.value.rcvd is not None and 4400 <= closed.value.rcvd.code < 4500
    assert process.poll() is None
    assert status(base) == 200
