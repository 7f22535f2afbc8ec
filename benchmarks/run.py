"""Benchmark: graphql_api against the tutorial way and a hand-written floor.

    python -m benchmarks.run            # or: make bench

Starts the embedded database (or uses MONGODB_URL), seeds a fixed data set,
starts three servers on it - graphql_api as shipped, a tutorial-style
Strawberry app (one query per relation), and hand-written Starlette JSON
endpoints on raw PyMongo - and for each query prints: MongoDB round trips
per request, server-process CPU ms per request, requests per second, and
p50/p99 latency. All measured in the same run, so compare the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from bson import Decimal128, ObjectId
from pymongo import MongoClient

from graphql_api.embedded import EmbeddedMongo, free_port
from graphql_api.models.user import username_key
from graphql_api.schema.relay import to_global_id

DATABASE = "graphql_api_bench"
ADMIN_PASSWORD = "bench-password"  # noqa: S105 (a throwaway benchmark database)
ADMIN_HASH = PasswordHasher(time_cost=1, memory_cost=8192).hash(ADMIN_PASSWORD)
ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def seed(url: str) -> ObjectId:
    """200 users, 10 posts each (90% published), 200 products in 10 categories."""
    rng = random.Random(42)
    db = MongoClient(url, tz_aware=True)[DATABASE]
    for name in ("users", "posts", "products"):
        db[name].delete_many({})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    users = [
        {
            "_id": ObjectId(),
            "username": f"user{i:03d}",
            "username_key": username_key(f"user{i:03d}"),
            "email": f"user{i:03d}@example.com",
            "password_hash": ADMIN_HASH if i == 0 else "not-a-login-account",
            "roles": ["user", "admin"] if i == 0 else ["user"],
            "is_active": True,
            "credits": 0,
            "created_at": start + timedelta(minutes=i),
            "updated_at": start + timedelta(minutes=i),
            "deactivated_at": None,
        }
        for i in range(200)
    ]
    db.users.insert_many(users)
    posts = []
    for n in range(2000):
        created = start + timedelta(minutes=200 + n)
        published = rng.random() < 0.9
        posts.append(
            {
                "author_id": users[rng.randrange(200)]["_id"],
                "title": f"Post number {n}",
                "content": " ".join(
                    rng.choice(("mongo", "graphql", "python", "async")) for _ in range(200)
                ),
                "tags": [rng.choice(("python", "mongodb", "graphql"))],
                "published": published,
                "published_at": created if published else None,
                "created_at": created,
                "updated_at": created,
            }
        )
    db.posts.insert_many(posts)
    db.products.insert_many(
        [
            {
                "sku": f"SKU-{n:04d}",
                "name": f"Product {n}",
                "category": f"cat{n % 10}",
                "price": Decimal128(Decimal(rng.randrange(100, 10000)) / 100),
                "stock": rng.randrange(0, 50),
                "created_at": start,
                "updated_at": start,
            }
            for n in range(200)
        ]
    )
    return users[0]["_id"]


def gql(query: str, variables: dict | None = None) -> tuple[str, str, dict]:
    return ("POST", "/graphql", {"query": query, "variables": variables or {}})


def admin_token(base: str) -> str:
    """graphql_api lists users for admins only: the benchmark signs in as one."""
    response = httpx.post(
        f"{base}/graphql",
        json={
            "query": 'mutation($p: String!) { login(input: {username: "user000", '
            "password: $p}) { token } }",
            "variables": {"p": ADMIN_PASSWORD},
        },
        timeout=30,
    )
    return response.json()["data"]["login"]["token"]


def cases(user_id: ObjectId) -> dict[str, dict[str, tuple]]:
    return {
        "one user by id": {
            "graphql_api": gql(
                "query($id: ID!) { user(id: $id) { id username email createdAt } }",
                {"id": to_global_id("User", user_id)},
            ),
            "tutorial": gql(
                "query($id: ID!) { user(id: $id) { id username email createdAt } }",
                {"id": str(user_id)},
            ),
            "raw": ("GET", f"/user?id={user_id}", None),
        },
        "50 posts with authors": {
            "graphql_api": gql(
                "{ posts(first: 50) { edges { node { title author { username email } } } } }"
            ),
            "tutorial": gql("{ posts(limit: 50) { title author { username email } } }"),
            "raw": ("GET", "/posts?first=50", None),
        },
        "3 levels: users > posts > author": {
            "graphql_api": gql(
                "{ users(first: 10) { edges { node { username posts(first: 5) "
                "{ edges { node { title author { username } } } } } } } }"
            ),
            "tutorial": gql(
                "{ users(limit: 10) { username posts(limit: 5) { title author { username } } } }"
            ),
            "raw": ("GET", "/nested?first=10", None),
        },
        "filtered, sorted page": {
            "graphql_api": gql(
                '{ products(filter: {category: "cat3", maxPrice: "60"}, sort: PRICE_DESC, '
                "first: 20) { edges { node { sku name price stock } } "
                "pageInfo { hasNextPage endCursor } } }"
            ),
            "tutorial": gql(
                '{ products(category: "cat3", maxPrice: "60", limit: 20) { sku name price stock } }'
            ),
            "raw": ("GET", "/products?category=cat3&maxPrice=60", None),
        },
    }


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def start_server(module: str, url: str, stack: ExitStack) -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {
        **os.environ,
        "MONGODB_URL": url,
        "MONGODB_DATABASE": DATABASE,
        "LOG_LEVEL": "WARNING",
        # One load client is one address: a budget it cannot spend (still checked per request).
        "COST_BUDGET_CAPACITY": str(10**9),
    }
    process = subprocess.Popen(  # noqa: S603 (our own argv)
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            f"benchmarks.{module}:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    stack.callback(lambda: (process.send_signal(signal.SIGINT), process.wait(20)))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/_bench/commands", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"{module} did not start")
        time.sleep(0.2)
    return base, process


async def measure(
    base: str, pid: int, request: tuple, total: int, concurrency: int, token: str | None
) -> dict:
    method, path, body = request
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as client:

        async def call() -> float:
            started = time.perf_counter()
            response = await client.request(method, path, json=body)
            response.raise_for_status()
            payload = response.json()
            if isinstance(payload, dict) and payload.get("errors"):
                raise SystemExit(f"{base}{path}: {payload['errors']}")
            return time.perf_counter() - started

        for _ in range(20):  # warm up caches, pools, JITs of all kinds
            await call()
        await client.delete("/_bench/commands")
        await call()
        trips = (await client.get("/_bench/commands")).json()["total"]

        latencies: list[float] = []
        queue = iter(range(total))

        async def worker() -> None:
            for _ in queue:
                latencies.append(await call())

        cpu_before, wall_before = cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall, cpu = time.perf_counter() - wall_before, cpu_seconds(pid) - cpu_before
    latencies.sort()
    return {
        "trips": trips,
        "cpu_ms": 1000 * cpu / total,
        "rps": total / wall,
        "p50": 1000 * statistics.median(latencies),
        "p99": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
    }


def database_url(stack: ExitStack) -> str:
    """MONGODB_URL, or an embedded server in a temporary folder for this run."""
    url = os.environ.get("MONGODB_URL")
    if not url:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-mongo-"))
        url = stack.enter_context(EmbeddedMongo(data_dir)).url
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per query and server")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with ExitStack() as stack:
        url = database_url(stack)
        servers = {}
        servers["graphql_api"] = start_server("serve_api", url, stack)  # builds the indexes
        user_id = seed(url)
        servers["tutorial"] = start_server("serve_tutorial", url, stack)
        servers["raw"] = start_server("serve_raw", url, stack)
        token = admin_token(servers["graphql_api"][0])

        print(f"\n{args.requests} requests per query and server, concurrency {args.concurrency}\n")
        print("graphql_api requests are signed in (an admin; the session lookup is cached).\n")
        print("| query | server | DB round trips | server CPU ms/req | req/s | p50 ms | p99 ms |")
        print("|---|---|---:|---:|---:|---:|---:|")
        ratios = []
        for name, requests in cases(user_id).items():
            results = {}
            for server, request in requests.items():
                base, process = servers[server]
                results[server] = result = asyncio.run(
                    measure(
                        base,
                        process.pid,
                        request,
                        args.requests,
                        args.concurrency,
                        token if server == "graphql_api" else None,
                    )
                )
                print(
                    f"| {name} | {server} | {result['trips']} | {result['cpu_ms']:.2f} | "
                    f"{result['rps']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} |"
                )
            ratios.append(
                (
                    name,
                    results["graphql_api"]["cpu_ms"] / results["raw"]["cpu_ms"],
                    results["tutorial"]["cpu_ms"] / results["graphql_api"]["cpu_ms"],
                )
            )
        print("\n| query | CPU graphql_api / raw (target <= 1.5) | CPU tutorial / graphql_api |")
        print("|---|---:|---:|")
        for name, vs_raw, vs_tutorial in ratios:
            print(f"| {name} | {vs_raw:.2f} | {vs_tutorial:.2f} |")


if __name__ == "__main__":
    main()
