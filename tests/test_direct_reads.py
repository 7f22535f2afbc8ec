"""Planned reads the HTTP view answers itself keep every guarantee of the whole way.

A document the plan has served once is answered by `graphql_api.http.direct`
without Strawberry's view and extensions. Each test sends it once the whole way,
then again, and checks what the extensions would have done: the budget charged
once (and refused with Retry-After), the maximum cost, a token whose session is
not valid, the database down, the metrics and the log line. The bytes of both
ways are compared in tests/test_planned_execution.py.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphql_api import app as app_module
from graphql_api.database import Database
from graphql_api.http.direct import direct_reads
from graphql_api.limits import client_key
from graphql_api.limits.controls import cost_controls
from graphql_api.metrics import OPERATIONS, flush
from graphql_api.schema import schema
from tests.conftest import make_settings
from tests.factories import create_post, make_admin, sign_up

PAGE = "query($n: Int!) { posts(first: $n) { edges { node { title } } } }"
USERS = "query($n: Int!) { users(first: $n) { edges { node { username posts(first: $n) { edges { node { title } } } } } } }"  # noqa: E501


def _counted(operation: str) -> float:
    flush()  # the samples taken so far, passed on to prometheus-client
    return OPERATIONS.labels(operation, "query", "OK")._value.get()


class Counter(list):
    def since(self, mark: int) -> int:
        return len(self) - mark


@pytest.fixture
def whole_way(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts the requests that went through Strawberry's view (the app lives for the
    whole session: a document another test sent may be known already)."""
    calls = Counter()
    original = app_module.GraphQLEndpoint.run

    async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(app_module.GraphQLEndpoint, "run", run)
    return calls


@pytest.fixture
async def client(app: Any, db: Any, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """A client with an address (and so an anonymous budget) of its own."""
    address = f"10.9.{len(request.node.name) % 250}.{hash(request.node.name) % 250 + 1}"
    transport = httpx.ASGITransport(app=app, client=(address, 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        http.address = address  # type: ignore[attr-defined]
        yield http


async def _post(http: Any, query: str, variables: Any = None, token: str | None = None) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


def _available(response: httpx.Response) -> int:
    return response.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]


async def test_a_read_served_once_is_answered_directly(client, gql, whole_way, caplog):
    alice = await sign_up(gql, "alice")
    await create_post(gql, alice, title="Hello", published=True)
    before = _counted("Page")
    query = "query Page($n: Int!) { posts(first: $n) { edges { node { title } } } }"
    body = {"query": query, "variables": {"n": 5}, "operationName": "Page"}
    one = await client.post("/graphql", json=body)
    mark = len(whole_way)
    with caplog.at_level(logging.INFO, logger="graphql_api.requests"):
        two = await client.post("/graphql", json=body, headers={"x-request-id": "direct-1"})
    assert whole_way.since(mark) == 0  # not through Strawberry's view
    assert (
        two.json()["data"]
        == one.json()["data"]
        == {"posts": {"edges": [{"node": {"title": "Hello"}}]}}
    )
    for header in ("content-type", "vary"):
        assert two.headers[header] == one.headers[header]
    assert two.headers["x-request-id"] == "direct-1"
    assert _counted("Page") == before + 2
    lines = [r for r in caplog.records if getattr(r, "event", None) == "graphql operation"]
    assert lines[-1].fields["request_id"] == "direct-1"
    assert lines[-1].fields["operation"] == "Page"
    assert lines[-1].fields["db_round_trips"] == 1


async def test_other_requests_go_the_whole_way(client, whole_way):
    query = "{ posts(first: 1) { edges { node { title } } } }"
    await _post(client, query)
    mark = len(whole_way)
    await _post(client, query)
    assert whole_way.since(mark) == 0
    # An extension, an unknown field of the body, another media type: the whole way.
    await client.post("/graphql", json={"query": query, "extensions": {}})
    await client.post("/graphql", json={"query": query, "other": 1})
    await client.post(
        "/graphql", content=f'{{"query": "{query}"}}', headers={"content-type": "text/json"}
    )
    assert whole_way.since(mark) == 3


async def test_a_direct_read_is_charged_once(client, whole_way):
    await _post(client, PAGE, {"n": 50})
    mark = len(whole_way)
    first = await _post(client, PAGE, {"n": 50})
    cost = first.json()["extensions"]["cost"]["requestedQueryCost"]
    second = await _post(client, PAGE, {"n": 50})
    assert whole_way.since(mark) == 0
    assert second.json()["extensions"]["cost"]["requestedQueryCost"] == cost
    spent = _available(first) - _available(second)
    assert cost - 5 <= spent <= cost  # the bucket refills meanwhile, a little


async def test_a_read_the_plan_hands_back_is_charged_once(client, app, db, gql, whole_way):
    root = await make_admin(db, await sign_up(gql, "root"))
    await _post(client, USERS, {"n": 2}, root["token"])  # served: the document is known
    capacity = cost_controls(app.state.database, app.state.settings).buckets.capacity
    mark = len(whole_way)
    refused = await _post(client, USERS, {"n": 2})  # anonymous: the plan declines
    assert whole_way.since(mark) == 1
    answer = refused.json()
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert _available(refused) >= capacity - answer["extensions"]["cost"]["requestedQueryCost"]


async def test_the_maximum_cost_holds(client, db, gql, whole_way):
    root = await make_admin(db, await sign_up(gql, "root"))
    await _post(client, USERS, {"n": 2}, root["token"])
    answer = (await _post(client, USERS, {"n": 100}, root["token"])).json()
    assert answer["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert answer["data"] is None


async def test_an_empty_budget_is_refused_with_retry_after(client, app, whole_way):
    await _post(client, PAGE, {"n": 50})
    buckets = cost_controls(app.state.database, app.state.settings).buckets
    key = client_key(None, client.address)
    buckets.debit(key, buckets.available(key))  # spent: nothing left
    mark = len(whole_way)
    refused = await _post(client, PAGE, {"n": 50})
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) >= 1
    assert whole_way.since(mark) == 1


async def test_a_token_that_is_not_valid_is_refused(client, gql, whole_way):
    alice = await sign_up(gql, "alice")
    query = "{ me { username } }"
    assert (await _post(client, query, token=alice["token"])).json()["data"] == {
        "me": {"username": "alice"}
    }
    answer = (await _post(client, query, token="not-a-session")).json()
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await gql.as_user(alice).data("mutation { logout }")
    answer = (await _post(client, query, token=alice["token"])).json()
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_database_down_is_said_at_once(client, whole_way, monkeypatch):
    await _post(client, PAGE, {"n": 1})
    monkeypatch.setattr(Database, "available", property(lambda self: False))
    mark = len(whole_way)
    answer = (await _post(client, PAGE, {"n": 1})).json()
    assert answer["errors"][0]["extensions"]["code"] == "DB_UNAVAILABLE"
    assert whole_way.since(mark) == 1


def test_trusted_documents_only_sees_every_text(mongodb_url):
    settings = make_settings(mongodb_url)
    assert direct_reads(schema, settings) is not None
    only = settings.model_copy(update={"trusted_documents_only": True})
    assert direct_reads(schema, only) is None
