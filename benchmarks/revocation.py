"""Benchmark: what revocation costs and how fast it lands.

    python -m benchmarks.revocation [--requests 300] [--trials 20]

1. Signed-in request latency with the session cache off (`SESSION_CACHE_SECONDS=0`,
   one session lookup per request: the baseline) and on (the default), same
   server, same data, same run: p50/p95 and the ratio.
2. Two API processes on one database: a WebSocket signed in on process B, a
   `logout` through process A; the time from sending the logout to B's close
   frame (4401), over `--trials` sessions: p50/max (the guarantee is 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import orjson
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from graphql_api.embedded import EmbeddedMongo, free_port

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "graphql_api_bench_revocation"
SIGN_UP = (
    "mutation($u: String!, $e: String!) { signUp(input: {username: $u, email: $e, "
    'password: "a long passphrase"}) { token } }'
)


@contextmanager
def server(url: str, **settings: str):
    port = free_port()
    env = {
        **os.environ,
        "MONGODB_URL": url,
        "MONGODB_DATABASE": DATABASE,
        "LOG_LEVEL": "WARNING",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST_KIB": "1024",
        **settings,
    }
    process = subprocess.Popen(  # noqa: S603 (our own argv)
        [
            *(sys.executable, "-m", "uvicorn", "--factory", "graphql_api.app:create_app"),
            *("--port", str(port), "--log-level", "warning", "--no-access-log"),
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        time.sleep(1.0)  # the session watcher opens its change streams
        yield base
    finally:
        process.terminate()
        process.wait(30)


def sign_up(http: httpx.Client, base: str, name: str) -> str:
    body = http.post(
        f"{base}/graphql",
        json={"query": SIGN_UP, "variables": {"u": name, "e": f"{name}@example.com"}},
    ).json()
    assert not body.get("errors"), body
    return body["data"]["signUp"]["token"]


def latencies(base: str, requests: int) -> list[float]:
    with httpx.Client(timeout=30) as http:
        token = sign_up(http, base, f"lat{time.monotonic_ns() % 10**9}")
        headers = {"authorization": f"Bearer {token}"}
        query = {"query": "{ me { id username } }"}
        for _ in range(20):  # warm up
            http.post(f"{base}/graphql", json=query, headers=headers)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            body = http.post(f"{base}/graphql", json=query, headers=headers).json()
            times.append(time.perf_counter() - started)
            assert body["data"]["me"], body
        return times


async def revocation_delays(first: str, second: str, trials: int) -> list[float]:
    delays = []
    async with httpx.AsyncClient(timeout=30) as http:
        for n in range(trials):
            token = await asyncio.to_thread(
                sign_up, httpx.Client(timeout=30), first, f"rev{n}x{time.monotonic_ns() % 10**6}"
            )
            url = second.replace("http://", "ws://") + "/graphql"
            async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
                await ws.send(
                    orjson.dumps(
                        {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
                    ).decode()
                )
                await ws.recv()
                sent = time.perf_counter()
                await http.post(
                    f"{first}/graphql",
                    json={"query": "mutation { logout }"},
                    headers={"authorization": f"Bearer {token}"},
                )
                try:
                    while True:
                        await asyncio.wait_for(ws.recv(), 10)
                except ConnectionClosed as closed:
                    assert closed.rcvd is not None and closed.rcvd.code == 4401, closed
                    delays.append(time.perf_counter() - sent)
    return delays


def ms(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    with ExitStack() as stack:
        url = os.environ.get("MONGODB_URL")
        if not url:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-rev-"))
            url = stack.enter_context(EmbeddedMongo(folder)).url

        print("signed-in `{ me }` latency, sequential requests")
        print("| session cache | p50 ms | p95 ms |")
        print("| --- | --- | --- |")
        results = {}
        for label, seconds in (("off (baseline)", "0"), ("on", "60")):
            with server(url, SESSION_CACHE_SECONDS=seconds) as base:
                times = latencies(base, args.requests)
            results[label] = times
            print(f"| {label} | {ms(times, 50):.2f} | {ms(times, 95):.2f} |")
        off, on = results["off (baseline)"], results["on"]
        print(f"p50 ratio on/off: {statistics.median(on) / statistics.median(off):.2f}")

        with server(url) as first, server(url) as second:
            delays = asyncio.run(revocation_delays(first, second, args.trials))
        print(
            f"\nlogout on process A -> WebSocket on process B closed (4401), {len(delays)} "
            f"trials, from sending the logout: p50 {statistics.median(delays) * 1000:.1f} ms, "
            f"max {max(delays) * 1000:.1f} ms (bound: 1000 ms)"
        )


if __name__ == "__main__":
    main()
