"""Operators' view: JSON logs with request ids, Prometheus metrics, liveness and readiness.

The launch line production uses (`uvicorn --factory graphql_api.app:create_app`)
runs in a subprocess: its log lines and headers are what an operator gets.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.datastructures import MutableHeaders
from websockets.asyncio.client import connect

from graphql_api import request_id
from graphql_api.app import create_app
from graphql_api.embedded import free_port
from tests.conftest import make_settings
from tests.servers import clean_env, graphql, serve, status, wait_for
from tests.ws import GraphQLWebSocket

SIGN_UP = (
    "mutation($u: String!) { signUp(input: {username: $u, email: $e, "
    'password: "a long password"}) { token } }'
).replace("$e", '"x@example.com"')


def sample(metrics_text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition (0 if absent)."""
    for family in text_string_to_metric_families(metrics_text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


@contextmanager
def uvicorn_factory(
    env: dict[str, str], cwd: Path, *extra: str
) -> Iterator[tuple[str, subprocess.Popen]]:
    """The production launch line, on a free port; its stderr goes to `process.log_path`."""
    port = free_port()
    log_path = cwd / f"uvicorn-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "--factory", "graphql_api.app:create_app"),
                *("--host", "127.0.0.1", "--port", str(port), *extra),
            ],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/readyz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(ready, 60, process)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_lines(process: subprocess.Popen) -> list[dict]:
    text = process.log_path.read_text(errors="replace")  # type: ignore[attr-defined]
    return [orjson.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def production(mongodb_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("observability")
    env = clean_env(MONGODB_URL=mongodb_url, MONGODB_DATABASE=f"obs_{uuid.uuid4().hex[:8]}")
    with uvicorn_factory(env, folder) as (base, process):
        yield base, process


def test_the_factory_logs_json_lines_with_the_clients_request_id(production):
    base, process = production
    response = httpx.post(
        f"{base}/graphql",
        json={"query": "query Catalogue { products(first: 1) { totalCount } }"},
        headers={"x-request-id": "client-id-123"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "client-id-123"

    def logged() -> list[dict]:
        return [line for line in log_lines(process) if line.get("request_id") == "client-id-123"]

    wait_for(lambda: len(logged()) >= 2, 10)
    lines = log_lines(process)  # every line, uvicorn's included, is a JSON object
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    assert any(line["logger"] == "uvicorn.error" for line in lines)  # uvicorn's own, routed
    operation = next(line for line in logged() if line["logger"] == "graphql_api.requests")
    assert operation["operation"] == "Catalogue"
    assert operation["outcome"] == "ok"
    assert operation["db_round_trips"] >= 1
    access = next(line for line in logged() if line["logger"] == "uvicorn.access")
    assert access["status"] == 200
    assert access["path"] == "/graphql"


@pytest.mark.parametrize(
    "sent", ["x" * 129, "has space", 'quote"d', "tab\there", "semi;colon", "ünïcode", ""]
)
def test_unacceptable_request_ids_are_replaced(production, sent):
    base, _ = production
    response = httpx.get(
        f"{base}/livez", headers={"x-request-id": sent.encode("utf-8")}, timeout=10
    )
    returned = response.headers["x-request-id"]
    assert returned != sent
    assert len(returned) == 32 and returned.isalnum()


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [(b"content-type", b"application/json")],
        [(b"x-request-id", b"theirs"), (b"vary", b"Accept")],
        [(b"a", b"1"), (b"x-request-id", b"one"), (b"b", b"2"), (b"x-request-id", b"two")],
    ],
)
def test_the_request_id_header_is_set_as_mutable_headers_sets_it(headers):
    """`put_header` stands for Starlette's `MutableHeaders(scope=message)[name] = value`
    on every answer: the first such header replaced, the others dropped, the message's
    own list left alone (it may be the response's)."""
    before = list(headers)
    theirs, ours = {"headers": headers}, {"headers": headers}
    MutableHeaders(scope=theirs)[request_id.HEADER] = "abc"
    request_id.put_header(ours, "abc")
    assert ours["headers"] == theirs["headers"]
    assert headers == before
    no_headers: dict = {}
    request_id.put_header(no_headers, "abc")
    assert no_headers["headers"] == [(b"x-request-id", b"abc")]


def test_each_request_gets_its_own_generated_id(production):
    base, _ = production
    ids = {httpx.get(f"{base}/livez", timeout=10).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


async def test_metrics_count_operations_subscriptions_and_hub_lag(production):
    base, _ = production

    def scrape() -> str:
        response = httpx.get(f"{base}/metrics", timeout=10)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        return response.text

    before = scrape()
    token = graphql(base, SIGN_UP, {"u": "metered"})["data"]["signUp"]["token"]
    for _ in range(3):
        graphql(base, "query Catalogue { products(first: 2) { totalCount } }")
    graphql(base, "query Broken { nope }")

    async with GraphQLWebSocket(base) as ws:
        operation = await ws.subscribe("subscription Feed { postPublished { title } }")
        await asyncio.sleep(1)  # the subscription is running
        during = scrape()
        assert sample(during, "graphql_websockets_active") >= 1
        assert sample(during, "graphql_subscriptions_active") >= 1
        graphql(
            base,
            'mutation { createPost(input: {title: "Lag", content: "c", published: true}) { id } }',
            token=token,
        )
        message = await ws.next_payload(operation)
        assert message["payload"]["data"]["postPublished"]["title"] == "Lag"
    await asyncio.sleep(0.5)
    after = scrape()

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    ok = {"operation": "Catalogue", "type": "query", "outcome": "OK"}
    assert delta("graphql_operations_total", **ok) == 3
    assert (
        delta("graphql_operations_total", operation="Broken", outcome="GRAPHQL_VALIDATION_FAILED")
        == 1
    )
    assert delta("graphql_operation_duration_seconds_count", operation="Catalogue") == 3
    # Round trips: three queries of one count command each.
    assert delta("graphql_operation_db_round_trips_sum", type="query") >= 3
    assert delta("mongodb_commands_total", command="aggregate", outcome="ok") >= 3
    assert delta("graphql_subscription_event_lag_seconds_count", feed="posts") == 1
    assert sample(after, "graphql_subscription_event_lag_seconds_sum", feed="posts") < 30
    assert sample(after, "graphql_websockets_active") == 0
    assert sample(after, "graphql_subscriptions_active") == 0
    assert sample(after, "mongodb_pool_connections") >= 1


def test_operation_name_labels_are_bounded(production):
    """Clients choose operation names: a flood of new ones must not grow the metrics forever."""
    base, _ = production
    for i in range(230):
        httpx.post(f"{base}/graphql", json={"query": f"query Q{i}x {{ __typename }}"}, timeout=10)
    text = httpx.get(f"{base}/metrics", timeout=10).text
    names = {
        s.labels["operation"]
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "graphql_operations_total"
    }
    assert len(names) <= 200 + 3  # the bound, plus anonymous / invalid / other
    assert sample(text, "graphql_operations_total", operation="other") >= 30


async def test_metrics_can_require_a_token_or_be_off(mongodb_url):
    protected = create_app(make_settings(mongodb_url, metrics_token="s3cret"))
    off = create_app(make_settings(mongodb_url, metrics=False))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=protected), base_url="http://t"
    ) as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = {"authorization": "Bearer s3cre"}
        assert (await http.get("/metrics", headers=wrong)).status_code == 401
        right = {"authorization": "Bearer s3cret"}
        response = await http.get("/metrics", headers=right)
        assert response.status_code == 200
        assert "graphql_operations_total" in response.text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=off), base_url="http://t") as h:
        assert (await h.get("/metrics")).status_code == 404
    for app in (protected, off):
        await app.state.database.close()


async def test_liveness_does_not_need_the_database_readiness_does(mongodb_url):
    nowhere = f"mongodb://127.0.0.1:{free_port()}/?directConnection=true"
    settings = make_settings(nowhere, mongodb_server_selection_timeout_ms=200, health_timeout_s=0.3)
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        assert (await http.get("/livez")).json() == {"status": "ok"}
        for path in ("/readyz", "/health"):
            response = await http.get(path)
            assert response.status_code == 503
            assert response.json() == {"status": "unavailable", "database": "down"}


async def test_the_young_generation_is_collected_at_the_configured_pace(mongodb_url):
    """A read decodes thousands of objects: at CPython's 700, its youngest generation
    was collected several times per request (`GC_YOUNG_THRESHOLD`)."""
    before = gc.get_threshold()
    app = create_app(make_settings(mongodb_url, gc_young_threshold=4321))
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_threshold() == (4321, *before[1:])
    finally:
        gc.set_threshold(*before)


async def test_log_lines_of_a_request_carry_its_id(app, http, caplog):
    with caplog.at_level(logging.DEBUG, logger="graphql_api"):
        response = await http.post(
            "/graphql", json={"query": "{ nope }"}, headers={"x-request-id": "trace-me"}
        )
    assert response.headers["x-request-id"] == "trace-me"
    mine = [r for r in caplog.records if getattr(r, "request_id", None) == "trace-me"]
    assert {r.name for r in mine} >= {"graphql_api.requests", "graphql_api.errors"}


def assert_all_counted(base: str, sent: int) -> None:
    """Every worker's operations, in any worker's /metrics: each worker passes its
    samples on within a second (graphql_api/metrics/tally.py), then the count holds."""

    def spread() -> float:
        text = httpx.get(f"{base}/metrics", timeout=10).text
        return sample(text, "graphql_operations_total", operation="Spread")

    deadline = time.monotonic() + 5
    while (seen := spread()) != sent:
        assert seen < sent and time.monotonic() < deadline, f"{seen} of {sent} counted"
        time.sleep(0.1)
    for _ in range(3):  # whichever worker answers
        assert spread() == sent


def test_workers_share_their_metrics_in_multiprocess_mode(mongodb_url, tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR, any worker's /metrics counts every worker's operations."""
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = clean_env(
        MONGODB_URL=mongodb_url,
        MONGODB_DATABASE=f"obs_{uuid.uuid4().hex[:8]}",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    with uvicorn_factory(env, tmp_path, "--workers", "2") as (base, _):
        pids = set()
        deadline = time.monotonic() + 30
        sent = 0
        # New connections until both workers have answered (the kernel spreads them).
        while len(pids) < 2 and time.monotonic() < deadline:
            with httpx.Client(base_url=base, timeout=10) as client:
                client.post("/graphql", json={"query": "query Spread { __typename }"})
                sent += 1
            pids = {p.name for p in metrics_dir.glob("counter_*.db")}
        assert len(pids) == 2, "both workers should have served requests"
        assert_all_counted(base, sent)


async def test_a_websocket_gets_a_request_id_too(production):
    base, process = production
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(
        url, subprotocols=["graphql-transport-ws"], additional_headers={"x-request-id": "ws-1"}
    ) as ws:
        assert ws.response.headers["x-request-id"] == "ws-1"
        await ws.send(orjson.dumps({"type": "connection_init", "payload": {}}).decode())
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            orjson.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": "query Ws { __typename }"}}
            ).decode()
        )
        assert orjson.loads(await ws.recv())["type"] == "next"

    def logged() -> list[dict]:
        return [
            line
            for line in log_lines(process)
            if line.get("request_id") == "ws-1" and line.get("operation") == "Ws"
        ]

    wait_for(lambda: len(logged()) == 1, 10)


def test_graphql_api_serve_logs_the_same_json_lines(mongodb_url, tmp_path):
    env = clean_env(MONGODB_URL=mongodb_url, MONGODB_DATABASE=f"obs_{uuid.uuid4().hex[:8]}")
    with serve(env, tmp_path) as (base, process):
        wait_for(lambda: status(base) == 200, 30, process)
        response = httpx.post(
            f"{base}/graphql",
            json={"query": "query ViaCli { __typename }"},
            headers={"x-request-id": "cli-1"},
            timeout=10,
        )
        assert response.headers["x-request-id"] == "cli-1"
        wait_for(lambda: len([x for x in log_lines(process) if x.get("request_id")]) >= 2, 10)
        lines = log_lines(process)  # every line parses as JSON
        mine = {line["logger"] for line in lines if line.get("request_id") == "cli-1"}
        assert mine == {"graphql_api.requests", "uvicorn.access"}
        assert any(line["logger"] == "graphql_api" for line in lines)  # the CLI's own


def test_serve_with_workers_adds_up_their_metrics_and_cleans_up(mongodb_url, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = clean_env(
        MONGODB_URL=mongodb_url, MONGODB_DATABASE=f"obs_{uuid.uuid4().hex[:8]}", TMPDIR=str(scratch)
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "graphql_api.cli", "serve", "--port", str(port), "--workers=2"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: status(base) == 200, 60, process)
        folders = list(scratch.glob("graphql-api-metrics-*"))
        assert len(folders) == 1
        for _ in range(12):  # a new connection each: the kernel spreads them over workers
            httpx.post(f"{base}/graphql", json={"query": "query Spread { __typename }"}, timeout=10)
        wait_for(lambda: len(list(folders[0].glob("counter_*.db"))) == 2, 10)  # both served
        assert_all_counted(base, 12)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    assert not list(scratch.glob("graphql-api-metrics-*"))
