"""Benchmark: a flood of password work against one API process.

    python -m benchmarks.password_flood [--clients 30]

Starts the real `graphql-api serve` twice on one embedded database, with the
default Argon2 cost (64 MiB, t=3): once with PASSWORD_HASH_CONCURRENCY set to
the threads `asyncio.to_thread` had (min(32, cores + 4)) and no queue deadline:
the baseline, how hashing ran before the pool; then with the defaults (2, 1 s). Each time,
`--clients` users change their password at the same moment; prints the server's
peak memory growth, latency (p50/max), the outcomes, and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from graphql_api.embedded import EmbeddedMongo, free_port

PASSWORD = "the right passphrase"  # noqa: S105 (benchmark users)
SIGN_UP = (
    "mutation($u: String!, $e: String!, $p: String!) "
    "{ signUp(input: {username: $u, email: $e, password: $p}) { token } }"
)
CHANGE = (
    "mutation($c: String!, $n: String!) "
    "{ changePassword(input: {currentPassword: $c, newPassword: $n}) }"
)


def memory(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(field)


async def flood(base: str, pid: int, clients: int, prefix: str) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        tokens = []
        for n in range(clients):
            body = (
                await http.post(
                    "/graphql",
                    json={
                        "query": SIGN_UP,
                        "variables": {
                            "u": f"{prefix}{n}",
                            "e": f"{prefix}{n}@x.com",
                            "p": PASSWORD,
                        },
                    },
                )
            ).json()
            tokens.append(body["data"]["signUp"]["token"])
        await asyncio.sleep(1)
        before = memory(pid, "VmRSS")
        started = time.perf_counter()

        async def change(token: str) -> tuple[str, float]:
            body = (
                await http.post(
                    "/graphql",
                    json={"query": CHANGE, "variables": {"c": PASSWORD, "n": "another passphrase"}},
                    headers={"authorization": f"Bearer {token}"},
                )
            ).json()
            code = body["errors"][0]["extensions"]["code"] if body.get("errors") else "OK"
            return code, time.perf_counter() - started

        results = await asyncio.gather(*(change(token) for token in tokens))
    latencies = [latency for _, latency in results]
    return {
        "peak_growth_mib": (memory(pid, "VmHWM") - before) / 2**20,
        "p50_s": statistics.median(latencies),
        "max_s": max(latencies),
        "outcomes": dict(Counter(code for code, _ in results)),
    }


def serve(
    url: str, database: str, concurrency: int, queue_timeout: float, folder: Path
) -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_", "EMBEDDED_"))}
    env |= {
        "MONGODB_URL": url,
        "MONGODB_DATABASE": database,
        "PASSWORD_HASH_CONCURRENCY": str(concurrency),
        "PASSWORD_HASH_QUEUE_TIMEOUT_S": str(queue_timeout),
        "LOG_LEVEL": "WARNING",
    }
    log = (folder / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "graphql_api.cli", "serve", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return base, process
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=30)
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as folder, EmbeddedMongo(Path(folder) / "db") as mongo:
        before = min(32, (os.cpu_count() or 1) + 4)
        setups = ((f"to_thread ({before})", before, 3600.0), ("bounded (2)", 2, 1.0))
        for label, concurrency, queue_timeout in setups:
            base, process = serve(
                mongo.url, f"bench_flood_{concurrency}", concurrency, queue_timeout, Path(folder)
            )
            try:
                rows[label] = asyncio.run(
                    flood(base, process.pid, args.clients, f"u{concurrency}_")
                )
            finally:
                process.send_signal(signal.SIGINT)
                process.wait(30)
    print(f"{args.clients} concurrent changePassword, Argon2 64 MiB t=3, one process:")
    print(f"{'pool':<16}{'peak +MiB':>10}{'p50 s':>8}{'max s':>8}  outcomes")
    for label, row in rows.items():
        print(
            f"{label:<16}{row['peak_growth_mib']:>10.0f}{row['p50_s']:>8.2f}{row['max_s']:>8.2f}"
            f"  {row['outcomes']}"
        )
    old, new = rows.values()
    print(
        f"ratios bounded/to_thread: memory {new['peak_growth_mib'] / old['peak_growth_mib']:.2f}, "
        f"p50 {new['p50_s'] / old['p50_s']:.2f}, max {new['max_s'] / old['max_s']:.2f}"
    )


if __name__ == "__main__":
    main()
