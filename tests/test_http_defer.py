"""@defer and @stream over HTTP (multipart/mixed): fast parts are not held up by slow ones,
later parts mask unexpected errors like the first, clients must accept multipart/mixed.

The slow part is made deterministic with the database's own fault injection: SecantusDB
run with `--enable-test-commands` takes mongod's `failCommand` fail point, which blocks
(or fails) the app's next `aggregate` (what `totalCount` sends) while `find` (the
page) goes through.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from pymongo import MongoClient

from graphql_api.embedded import find_executable, free_port
from graphql_api.extensions.errors import INTERNAL_MESSAGE
from tests.factories import create_product, without_cost
from tests.servers import clean_env, serve, status, wait_for

MULTIPART = {"accept": "multipart/mixed, application/graphql-response+json, application/json"}
DEFERRED_COUNT = "{ products(first: 5) { edges { node { id } } ... @defer { totalCount } } }"
PLAIN_COUNT = "{ products(first: 5) { edges { node { id } } totalCount } }"


@pytest.fixture(scope="module")
def faulty_mongodb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SecantusDB server that accepts `configureFailPoint` (test commands on)."""
    data = tmp_path_factory.mktemp("faulty-mongodb")
    port = free_port()
    with (data / "log").open("wb") as log:
        process = subprocess.Popen(
            [
                find_executable(),
                "--host", "127.0.0.1",
                "--port", str(port),
                "--storage-path", str(data / "db"),
                "--enable-test-commands",
                "--log-level", "WARNING",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    client: MongoClient = MongoClient(url, serverSelectionTimeoutMS=500)
    try:
        wait_for(lambda: _pings(client), 60, process)
        yield url
    finally:
        client.close()
        process.terminate()
        process.wait(30)


def _pings(client: MongoClient) -> bool:
    try:
        client.admin.command("ping")
        return True
    except Exception:
        return False


@pytest.fixture(scope="module")
def server(faulty_mongodb: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = clean_env(MONGODB_URL=faulty_mongodb, MONGODB_DATABASE=f"defer_{uuid.uuid4().hex[:8]}")
    with serve(env, tmp_path_factory.mktemp("defer")) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        yield base


def fail_next_aggregate(url: str, **data: object) -> None:
    with MongoClient(url, directConnection=True) as client:
        client.admin.command(
            {
                "configureFailPoint": "failCommand",
                "mode": {"times": 1},
                "data": {"failCommands": ["aggregate"], "appName": "graphql_api", **data},
            }
        )


def timed_parts(base: str, query: str) -> list[tuple[float, dict]]:
    """Each JSON part of the answer with the time (s since the request) it arrived."""
    parts: list[tuple[float, dict]] = []
    buffer = b""
    start = time.monotonic()
    with httpx.stream(
        "POST", f"{base}/graphql", json={"query": query}, headers=MULTIPART, timeout=30
    ) as response:
        assert response.status_code == 200
        multipart = response.headers["content-type"].startswith("multipart/mixed")
        for chunk in response.iter_raw():
            buffer += chunk
            # A part is complete once the next boundary line follows its JSON.
            while multipart and (match := re.search(rb"\r\n\r\n(\{.*?\})\r\n-", buffer, re.S)):
                parts.append((time.monotonic() - start, orjson.loads(match.group(1))))
                buffer = buffer[match.end() - 1 :]
        if not multipart:
            parts.append((time.monotonic() - start, orjson.loads(buffer)))
    return parts


def test_a_deferred_count_does_not_hold_up_the_page(server, faulty_mongodb):
    fail_next_aggregate(faulty_mongodb, blockConnection=True, blockTimeMS=1500)
    parts = timed_parts(server, DEFERRED_COUNT)
    assert len(parts) == 2, parts
    (first_at, first), (last_at, last) = parts
    assert first["data"] == {"products": {"edges": []}}
    assert first["hasNext"] is True
    assert last["hasNext"] is False
    assert last["incremental"][0]["data"] == {"totalCount": 0}
    assert first_at < 1.0 < 1.4 < last_at, (first_at, last_at)

    # Without @defer the same slow count holds the whole answer.
    fail_next_aggregate(faulty_mongodb, blockConnection=True, blockTimeMS=1500)
    [(at, whole)] = timed_parts(server, PLAIN_COUNT)
    assert without_cost(whole) == {"data": {"products": {"edges": [], "totalCount": 0}}}
    assert at > 1.4


def test_unexpected_errors_of_later_parts_are_masked(server, faulty_mongodb):
    fail_next_aggregate(faulty_mongodb, errorCode=2, errmsg="secret driver detail")
    parts = timed_parts(server, DEFERRED_COUNT)
    text = orjson.dumps([part for _, part in parts]).decode()
    assert "secret driver detail" not in text
    assert "failCommand" not in text
    [error] = parts[-1][1]["completed"][0]["errors"]
    assert error["message"] == INTERNAL_MESSAGE
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert error["path"] == ["products", "totalCount"]


async def test_stream_sends_list_items_after_the_first(admin, http):
    for index in range(3):
        await create_product(admin, sku=f"STREAM-{index}")
    query = "{ products(first: 3) { edges @stream(initialCount: 1) { node { sku } } } }"
    response = await http.post("/graphql", json={"query": query}, headers=MULTIPART)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("multipart/mixed")
    parts = [orjson.loads(m) for m in re.findall(rb"\r\n\r\n(\{.*?\})\r\n-", response.content)]
    assert len(parts[0]["data"]["products"]["edges"]) == 1
    assert parts[-1]["hasNext"] is False
    streamed = [
        item
        for part in parts[1:]
        for entry in part.get("incremental", [])
        for item in entry.get("items", [])
    ]
    skus = [parts[0]["data"]["products"]["edges"][0]["node"]["sku"]] + [
        item["node"]["sku"] for item in streamed
    ]
    assert sorted(skus) == ["STREAM-0", "STREAM-1", "STREAM-2"]


async def test_expected_errors_of_later_parts_keep_their_codes(http):
    query = "{ __typename ... @defer { users { totalCount } } }"
    response = await http.post("/graphql", json={"query": query}, headers=MULTIPART)
    parts = [orjson.loads(m) for m in re.findall(rb"\r\n\r\n(\{.*?\})\r\n-", response.content)]
    assert parts[0]["data"] == {"__typename": "Query"}
    [error] = parts[-1]["completed"][0]["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_defer_needs_a_client_that_accepts_multipart(http, accept):
    response = await http.post(
        "/graphql", json={"query": DEFERRED_COUNT}, headers={"accept": accept}
    )
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


def test_incremental_delivery_can_be_turned_off(mongodb_url):
    from graphql_api.schema import create_schema
    from tests.conftest import make_settings

    schema = create_schema(make_settings(mongodb_url, incremental_delivery=False))
    assert "@defer" not in str(schema)
    assert "@defer" in Path("schema.graphql").read_text()
