"""The real command, as a user runs it: `graphql-api serve`, over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from graphql_api.embedded import EmbeddedMongo, free_port

SIGN_UP = 'mutation { signUp(input: {username: "first", email: "first@example.com"}) { id } }'
COUNT = "{ users { totalCount } }"


@contextmanager
def serve(env: dict[str, str], cwd: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "graphql_api.cli", "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _status(base) is not None, 60, process)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _status(base: str) -> int | None:
    try:
        return httpx.get(f"{base}/health", timeout=5).status_code
    except httpx.TransportError:
        return None


def wait_for(predicate, seconds: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if process is not None and process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"server exited with {process.returncode}:\n{output}")
        if time.monotonic() > deadline:
            pytest.fail(f"not true within {seconds}s")
        time.sleep(0.2)


def graphql(base: str, query: str) -> dict:
    response = httpx.post(f"{base}/graphql", json={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_", "EMBEDDED_"))}
    return env | values


def processes_using(path: Path) -> list[str]:
    result = subprocess.run(["pgrep", "-f", str(path)], capture_output=True, text=True, check=False)
    return result.stdout.split()


def test_serve_starts_the_embedded_database_keeps_data_and_stops_it(tmp_path):
    data_dir = tmp_path / "data"
    env = clean_env(EMBEDDED_DATA_DIR=str(data_dir), MONGODB_DATABASE="serve_test")

    with serve(env, tmp_path) as (base, process):
        wait_for(lambda: _status(base) == 200, 30, process)
        assert "id" in graphql(base, SIGN_UP)["data"]["signUp"]
        page = httpx.get(f"{base}/graphql", headers={"accept": "text/html"}, timeout=10)
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()
        assert processes_using(data_dir)  # the embedded server runs
    assert process.returncode == 0
    wait_for(lambda: not processes_using(data_dir), 15)  # ...and was stopped with us

    with serve(env, tmp_path) as (base, process):
        wait_for(lambda: _status(base) == 200, 30, process)
        assert graphql(base, COUNT)["data"]["users"]["totalCount"] == 1  # data survived


def test_app_starts_without_database_and_recovers_when_it_appears(tmp_path):
    mongo_port = free_port()
    env = clean_env(
        MONGODB_URL=f"mongodb://127.0.0.1:{mongo_port}/?directConnection=true",
        MONGODB_DATABASE="recovery_test",
        MONGODB_SERVER_SELECTION_TIMEOUT_MS="500",
        HEALTH_TIMEOUT_S="0.5",
    )
    with serve(env, tmp_path) as (base, process):
        assert _status(base) == 503
        started = time.monotonic()
        body = graphql(base, COUNT)
        assert body["errors"][0]["extensions"]["code"] == "DB_UNAVAILABLE"
        assert time.monotonic() - started < 5  # fails fast, does not hang
        # The schema can still be explored while the database is down.
        assert graphql(base, "{ __schema { queryType { name } } }")["data"]

        with EmbeddedMongo(tmp_path / "mongo", port=mongo_port):
            wait_for(lambda: _status(base) == 200, 30, process)
            assert graphql(base, COUNT)["data"]["users"]["totalCount"] == 0
            assert "errors" not in graphql(base, SIGN_UP)
