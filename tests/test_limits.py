"""Abuse limits: each refuses what it should, with its own code, before any resolver runs."""

import logging

import httpx
import orjson
import pytest

from graphql_api.app import create_app
from graphql_api.middleware import DatabaseDeadline
from graphql_api.schema import create_schema
from tests.factories import sign_up


def nested_posts(levels: int) -> str:
    query = "id"
    for _ in range(levels):
        query = f"posts(first: 2) {{ edges {{ node {{ author {{ {query} }} }} }} }}"
    return "{ " + query + " }"


async def test_depth_limit(gql, commands):
    commands.reset()
    error = (await gql.execute(nested_posts(4)))["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert commands.total == 0  # refused before touching the database


async def test_token_limit(gql):
    error = (await gql.execute("{ " + "me { id } " * 1000 + "}"))["errors"][0]
    assert error["extensions"]["code"] == "TOO_MANY_TOKENS"


async def test_alias_limit(gql):
    aliases = " ".join(f"a{n}: me {{ id }}" for n in range(31))
    error = (await gql.execute("{ " + aliases + " }"))["errors"][0]
    assert error["extensions"]["code"] == "TOO_MANY_ALIASES"
    assert "errors" not in await gql.execute("{ " + aliases.rsplit(" a30:", 1)[0] + " }")


COSTLY = """query($n: Int, $m: Int) { posts(first: $n) { edges { node {
    author { posts(first: $m) { edges { node { title } } } } } } } }"""


async def test_cost_limit_counts_requested_page_sizes(gql, commands):
    commands.reset()
    error = (await gql.execute(COSTLY, {"n": 100, "m": 100}))["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["cost"] > error["extensions"]["maximum"]
    assert commands.total == 0
    assert "errors" not in await gql.execute(COSTLY, {"n": 10, "m": 5})
    inline = COSTLY.replace("$n", "100").replace("$m", "100").split(") {", 1)[1]
    error = (await gql.execute("{" + inline))["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_nodes_cost_by_the_number_of_ids(gql):
    ids = ["VXNlcjo2YjA0NjRhNzkwZDhiYmJhZTg2NTc4M2Q="] * 100
    query = (
        "query($ids: [ID!]!) { nodes(ids: $ids) "
        "{ ... on User { posts(first: 100) { totalCount } } } }"
    )
    error = (await gql.execute(query, {"ids": ids}))["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_request_body_size_limit(http, settings):
    big = {"query": "{ me { id } }", "variables": {"pad": "x" * settings.max_body_bytes}}
    response = await http.post("/graphql", json=big)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    async def chunks():  # no declared length: counted while streaming
        yield b'{"query": "{ me { id } }", "variables": {"pad": "'
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536
        yield b'"}}'

    response = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_batched_operations_are_refused(http):
    response = await http.post("/graphql", json=[{"query": "{ me { id } }"}] * 2)
    assert 400 <= response.status_code < 500


async def test_introspection_and_graphiql_can_be_turned_off(settings):
    closed = settings.model_copy(update={"introspection": False, "graphiql": False})
    result = await create_schema(closed).execute("{ __schema { queryType { name } } }")
    assert result.errors[0].extensions["code"] == "INTROSPECTION_DISABLED"
    assert (await create_schema(settings).execute("{ __typename }")).errors is None

    app = create_app(closed)  # no lifespan: it never needs the database here
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await http.get("/graphql", headers={"accept": "text/html"})
        assets = await http.get("/graphiql/graphiql.min.js")
    assert response.status_code == 404
    assert assets.status_code == 404


async def test_database_work_has_a_deadline(app, db):
    # The app behind a deadline no query can meet: the request fails fast, cleanly.
    hurried = DatabaseDeadline(app, seconds=0.000001)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hurried), base_url="http://testserver"
    ) as http:
        response = await http.post("/graphql", json={"query": "{ posts { totalCount } }"})
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "DB_TIMEOUT"


async def test_one_log_line_per_operation_without_secrets(gql, caplog):
    secret = "a very secret passphrase"
    with caplog.at_level(logging.INFO, logger="graphql_api.requests"):
        await sign_up(gql, "logged", password=secret)
        await gql.execute("query Broken { me { nope } }")
    records = [
        orjson.loads(r.getMessage()) for r in caplog.records if r.name == "graphql_api.requests"
    ]
    assert [r["outcome"] for r in records] == ["ok", "error"]
    assert records[0]["type"] == "mutation"
    assert records[1]["request_id"] != records[0]["request_id"]
    assert records[1] | {"duration_ms": 0, "request_id": "x"} == {
        "operation": "Broken",
        "type": "query",
        "duration_ms": 0,
        "outcome": "error",
        "error_codes": ["GRAPHQL_VALIDATION_FAILED"],
        "user": None,
        "db_round_trips": 0,
        "request_id": "x",
    }
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert all(
        "token" not in r.getMessage().lower()
        for r in caplog.records
        if r.name == "graphql_api.requests"
    )


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"query": 42}', "application/json"),
        (b'{"query": "{ me { id } }", "variables": "nope"}', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"query=%7B+me+%7B+id+%7D+%7D", "application/x-www-form-urlencoded"),
        (b"<query/>", "application/xml"),
        (b"", "application/json"),
    ],
)
async def test_malformed_requests_get_4xx(http, content, content_type):
    response = await http.post("/graphql", content=content, headers={"content-type": content_type})
    assert 400 <= response.status_code < 500, response.text


async def test_deeply_nested_input_objects_are_refused(gql):
    value = "1"
    for _ in range(200):
        value = f"[{value}]"
    body = await gql.execute("{ nodes(ids: " + value + ") { id } }")
    assert body["errors"][0]["extensions"]["code"] in {
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
        "TOO_MANY_TOKENS",
    }
    nested = {"a": None}
    for _ in range(500):
        nested = {"a": nested}
    body = await gql.as_user(await sign_up(gql)).execute(
        "mutation($d: JSON!) { setSessionData(data: $d) { current } }", {"d": nested}
    )
    assert body.get("errors"), body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_lists_without_a_size_cost_the_default_page_size(gql):
    from graphql.language import parse

    from graphql_api.limits.cost import default_sizes, query_cost
    from graphql_api.schema import schema

    sizes = default_sizes(schema, 20)
    assert {"users", "posts", "products", "orders"} <= set(sizes)
    document = parse("{ posts { edges { node { author { posts { totalCount } } } } } }")
    assert query_cost(document, None, {}, 100, sizes) > 20 * 20


def test_a_variable_left_to_its_default_is_priced_as_given():
    from graphql.language import parse

    from graphql_api.limits.cost import default_sizes, query_cost
    from graphql_api.schema import schema

    sizes, points = default_sizes(schema, 20), {"posts": 1000, "products": 1000}
    inline = parse('{ posts(filter: {search: "x"}) { totalCount } }')
    by_default = parse('query($s: String = "x") { posts(filter: {search: $s}) { totalCount } }')
    object_default = parse(
        'query($f: PostFilter = {search: "x"}) { posts(filter: $f) { totalCount } }'
    )
    expected = query_cost(inline, None, {}, 100, sizes, points)
    assert expected > 1000
    assert query_cost(by_default, None, {}, 100, sizes, points) == expected
    assert query_cost(object_default, None, {}, 100, sizes, points) == expected
    # A variable the client sends wins over the default.
    assert query_cost(by_default, None, {"s": None}, 100, sizes, points) < 1000


def test_a_list_without_a_size_costs_its_argument_default():
    from graphql.language import parse

    from graphql_api.limits.cost import default_sizes, query_cost
    from graphql_api.schema import schema

    sizes = default_sizes(schema, 20)
    nested = "{ post { author { posts(first: 100) { totalCount } } } }"
    without = parse('{ searchPosts(query: "x") ' + nested + " }")
    with_limit = parse('{ searchPosts(query: "x", limit: 20) ' + nested + " }")
    assert query_cost(without, None, {}, 100, sizes) == query_cost(with_limit, None, {}, 100, sizes)


async def test_a_kept_price_is_the_price_of_those_values():
    """The direct path prices an operation once per value of the variables its price
    reads (`Prices`): every price it gives is the one pricing anew gives."""
    from graphql.language import parse

    from graphql_api.extensions.cost_limit import operation_cost
    from graphql_api.limits.cost import Prices, default_sizes, query_cost
    from graphql_api.schema import schema
    from graphql_api.settings import Settings

    settings = Settings(mongodb_url="mongodb://unused")
    sizes = default_sizes(schema, settings.default_page_size)
    cases = {
        "query($id: ID!) { user(id: $id) { username } }": [
            {"id": "a"},
            {"id": "b"},
            {"id": 1},
        ],
        "query($n: Int!, $m: Int = 3) { users(first: $n) { edges { node { posts(first: $m) "
        "{ totalCount } } } } }": [
            {"n": 5},
            {"n": 50},
            {"n": 5, "m": 7},
            {"n": 5, "m": None},
            {"n": 5.0},
            {"n": True},
            {"n": "5"},
            {"n": 5},
        ],
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }": [
            {"ids": ["a"]},
            {"ids": ["a", "b", "c"]},
            {"ids": ["a"]},
        ],
        # With a search it may scan: priced anew each time (by the collection's size).
        "query($s: String) { posts(filter: {search: $s}) { totalCount } }": [
            {"s": "x"},
            {"s": None},
            {"s": "x"},
        ],
    }
    for text, runs in cases.items():
        document, prices = parse(text), Prices()
        costs = []
        for variables in runs:
            cost = await operation_cost(schema, document, None, variables, settings, None, prices)
            assert cost == query_cost(document, None, variables, settings.max_page_size, sizes)
            costs.append(cost)
        if text.startswith("query($id:"):
            assert len(set(costs)) == 1 and len(prices._known) == 1  # one price for every id
        elif text.startswith("query($n"):
            assert costs[0] != costs[1] != costs[2] and costs[0] == costs[-1]
        elif text.startswith("query($ids"):
            assert costs[0] < costs[1] and costs[0] == costs[2] and len(prices._known) == 2
        else:  # the search's price was never kept; without one, it does not scan
            assert costs[0] == costs[2] > costs[1] and len(prices._known) == 1
