"""Running the real `graphql-api serve` in a subprocess, for tests that need a real server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from graphql_api.embedded import free_port


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_", "EMBEDDED_"))}
    return env | {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST_KIB": "1024"} | values


def status(base: str) -> int | None:
    try:
        return httpx.get(f"{base}/health", timeout=5).status_code
    except httpx.TransportError:
        return None


def wait_for(predicate: Callable[[], bool], seconds: float, process=None) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if process is not None and process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log_tail(process, 5000)}")
        if time.monotonic() > deadline:
            pytest.fail(f"not true within {seconds}s")
        time.sleep(0.2)


def exit_code(process: subprocess.Popen, seconds: float) -> int:
    """The server's exit code, or a failure with the end of its log if it hangs."""
    try:
        return process.wait(seconds)
    except subprocess.TimeoutExpired:
        pytest.fail(f"server still running {seconds}s after the signal:\n{log_tail(process, 8000)}")


def log_tail(process: subprocess.Popen, chars: int) -> str:
    """The end of the log `serve` writes for `process` ("" for other processes)."""
    log = getattr(process, "log_path", None)
    return log.read_text(errors="replace")[-chars:] if log else ""


def graphql(base: str, query: str, variables: dict | None = None, token: str | None = None) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def sign_up(base: str, name: str, password: str = "a long passphrase") -> dict:
    """A new account through the API: its token, global id and name."""
    body = graphql(
        base,
        "mutation($u: String!, $e: String!, $p: String!) { signUp(input: "
        "{username: $u, email: $e, password: $p}) { token user { id } } }",
        {"u": name, "e": f"{name}@example.com", "p": password},
    )
    assert not body.get("errors"), body
    data = body["data"]["signUp"]
    return {"token": data["token"], "id": data["user"]["id"], "name": name}


@contextmanager
def serve(env: dict[str, str], cwd: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`graphql-api serve` on a free port; stopped with SIGINT (Ctrl-C) at the end."""
    port = free_port()
    # Output to a file, not a pipe: nobody reads a pipe, and a full one blocks the server.
    log_path = cwd / f"serve-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "graphql_api.cli", "serve", "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: status(base) is not None, 60, process)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
