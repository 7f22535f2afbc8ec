"""Benchmark: graphql_api against the hand-written floor and the tutorial way.

    python -m benchmarks.run [--quick]          # or: make bench

Starts the embedded database (or uses MONGODB_URL), seeds a fixed data set,
starts three servers on it, each a process of its own - graphql_api as
shipped, a tutorial-style Strawberry app (one query per relation), and
hand-written Starlette JSON endpoints on raw PyMongo (the floor) - and, from
this process, measures each read query anonymous and signed in: MongoDB round
trips per request, server-process CPU ms per request, requests per second and
p50/p99 latency, over interleaved rounds. Then the subscription fan-out
(`benchmarks.subscriptions`) at 100, 1,000 and 10,000 subscribers. Prints the
tables and writes docs/performance.md and docs/performance.svg, with the
issue's targets and whether they are met. All in the same run: compare ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import time
from contextlib import AsyncExitStack, ExitStack
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from bson import Decimal128, ObjectId
from pymongo import MongoClient

from benchmarks import instructions, report, subscriptions
from benchmarks.servers import DATABASE, ROOT, cpu_seconds, database_url, start_server, stop
from graphql_api.models.user import username_key
from graphql_api.schema.relay import to_global_id

__all__ = [
    "Cell",
    "admin_token",
    "alternate",
    "cases",
    "database_url",
    "measure",
    "seed",
    "start_server",
]

ADMIN_PASSWORD = "bench-password"  # noqa: S105 (a throwaway benchmark database)
ADMIN_HASH = PasswordHasher(time_cost=1, memory_cost=8192).hash(ADMIN_PASSWORD)
ADMIN_ONLY = {"users > posts > author"}  # graphql_api lists users for administrators only
# One round, per query: the floor and the tutorial app have no accounts.
PLAN = (
    ("raw", "anonymous"),
    ("graphql_api", "anonymous"),
    ("graphql_api", "signed in"),
    ("tutorial", "anonymous"),
)


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
        "users > posts > author": {
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


class Cell:
    """One server, request and viewer: warmed up once, then timed in one or more slices.

    A cheap query's 200 requests are a tenth of a second of CPU, which a stray timer
    or a neighbour's burst on the shared cores moves by a quarter; so a cell runs at
    least `total` requests and more until `min_seconds` have passed, and
    `measure_queries` cuts it into slices taken in turn with the other servers' (in
    an order that rotates from turn to turn), so that a busy second of the machine
    falls on all of them rather than on one.
    """

    def __init__(
        self, base: str, pid: int, request: tuple, concurrency: int, token: str | None
    ) -> None:
        self.pid, self.request, self.concurrency = pid, request, concurrency
        # Uncompressed answers from every server: the floor and the tutorial app never
        # compress, graphql_api would (zstd) for what httpx accepts by default.
        headers = {"accept-encoding": "identity"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self.client = httpx.AsyncClient(base_url=base, timeout=60, headers=headers)
        self.trips = 0
        self.cpu = self.wall = 0.0
        self.latencies: list[float] = []

    async def __aenter__(self) -> Cell:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def call(self) -> float:
        method, path, body = self.request
        started = time.perf_counter()
        response = await self.client.request(method, path, json=body)
        response.raise_for_status()
        payload = response.json()
        if isinstance(payload, dict) and payload.get("errors"):
            raise SystemExit(f"{self.client.base_url}{path}: {payload['errors']}")
        return time.perf_counter() - started

    async def warm_up(self) -> None:
        """Warm caches, pools and JITs of all kinds; count a typical request's round trips."""
        for _ in range(20):
            await self.call()
        # The median of five: a signed-in session is looked up again once a minute
        # (SESSION_CACHE_SECONDS) and its expiry slid now and then, one request in
        # thousands, which one sample may hit.
        counted = []
        for _ in range(5):
            await self.client.delete("/_bench/commands")
            await self.call()
            counted.append((await self.client.get("/_bench/commands")).json()["total"])
        self.trips = statistics.median_low(counted)

    async def slice(self, total: int, min_seconds: float = 0.0) -> None:
        """At least `total` requests, `concurrency` at a time, and more until `min_seconds`."""
        latencies: list[float] = []

        async def worker() -> None:
            while len(latencies) < total or time.perf_counter() - wall_before < min_seconds:
                latencies.append(await self.call())

        cpu_before, wall_before = cpu_seconds(self.pid), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        self.wall += time.perf_counter() - wall_before
        self.cpu += cpu_seconds(self.pid) - cpu_before
        self.latencies += latencies

    def result(self) -> dict:
        latencies, total = sorted(self.latencies), len(self.latencies)
        return {
            "trips": self.trips,
            "cpu_ms": 1000 * self.cpu / total,
            "rps": total / self.wall,
            "p50": 1000 * statistics.median(latencies),
            "p99": 1000 * latencies[int(0.99 * (total - 1))],
        }


async def measure(
    base: str,
    pid: int,
    request: tuple,
    total: int,
    concurrency: int,
    token: str | None,
    min_seconds: float = 0.0,
) -> dict:
    """One cell in one slice: at least `total` requests, and more until `min_seconds`."""
    async with Cell(base, pid, request, concurrency, token) as cell:
        await cell.warm_up()
        await cell.slice(total, min_seconds)
        return cell.result()


async def alternate(cells: list[Cell], total: int, min_seconds: float, slices: int) -> list[dict]:
    """The cells' figures, each cell timed in `slices` slices taken in turn with the others'
    (in a rotating order)."""
    async with AsyncExitStack() as stack:
        for cell in cells:
            await stack.enter_async_context(cell)
            await cell.warm_up()
        for turn in range(slices):
            # Each slice starts one cell further on: every cell takes every place in
            # the turn (right after the tutorial's heavy slice, say) as often as the others.
            start = turn % len(cells)
            for cell in cells[start:] + cells[:start]:
                await cell.slice(-(-total // slices), min_seconds / slices)
        return [cell.result() for cell in cells]


def _median(cells: list[dict]) -> dict:
    """The median of each figure over the rounds (the round trips never vary)."""
    merged = {key: statistics.median(c[key] for c in cells) for key in cells[0]}
    merged["trips"] = max(c["trips"] for c in cells)
    merged["cpu_rounds"] = [c["cpu_ms"] for c in cells]
    return merged


def measure_queries(
    servers: dict,
    user_id: ObjectId,
    token: str,
    requests: int,
    concurrency: int,
    rounds: int,
    min_seconds: float = 0.0,
    slices: int = 1,
) -> list[dict]:
    """Rows of (query, anonymous | signed in) with floor, graphql_api and tutorial figures.

    The floor and the tutorial app have no accounts: they are measured once per
    query and round, and the signed-in row compares graphql_api signed in with them.
    """
    cells: dict[tuple[str, str], list[dict]] = {}
    for _ in range(rounds):
        for name, per_server in cases(user_id).items():
            plan = [
                (server, who)
                for server, who in PLAN
                if not (server == "graphql_api" and who == "anonymous" and name in ADMIN_ONLY)
            ]

            async def one_round(plan: list = plan, per_server: dict = per_server) -> list[dict]:
                return await alternate(
                    [
                        Cell(
                            servers[server][0],
                            servers[server][1].pid,
                            per_server[server],
                            concurrency,
                            token if who == "signed in" else None,
                        )
                        for server, who in plan
                    ],
                    requests,
                    min_seconds,
                    slices,
                )

            for (server, who), figures in zip(plan, asyncio.run(one_round()), strict=True):
                cells.setdefault((name, f"{server}/{who}"), []).append(figures)
    rows = []
    for name in cases(user_id):
        for who in ("anonymous", "signed in"):
            if (name, f"graphql_api/{who}") not in cells:
                continue
            rows.append(
                {
                    "query": name,
                    "as": "signed in (admin)" if name in ADMIN_ONLY else who,
                    "floor": _median(cells[name, "raw/anonymous"]),
                    "graphql_api": _median(cells[name, f"graphql_api/{who}"]),
                    "tutorial": _median(cells[name, "tutorial/anonymous"]),
                }
            )
    return rows


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{platform.system()} {platform.release()}, {model}, {os.cpu_count()} CPUs{memory}, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="per cell and round, at least")
    parser.add_argument(
        "--min-seconds", type=float, default=2.0, help="per cell and round, at least"
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=4,
        help="per cell and round, taken in turn with the other servers' (floor, ours, ...)",
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved; medians reported")
    parser.add_argument("--counts", default="100,1000,10000", help="fan-out subscribers")
    parser.add_argument("--events", type=int, default=30, help="timed fan-out events per row")
    parser.add_argument("--clients", type=int, default=4, help="fan-out client processes, at most")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 100 requests, 1 round, 100/1000 subscribers",
    )
    parser.add_argument("--no-fan-out", action="store_true", help="read queries only")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions per request under callgrind (needs valgrind)",
    )
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="where to write")
    parser.add_argument(
        "--save", type=Path, help="also write the results as JSON (python -m benchmarks.report)"
    )
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds, args.counts, args.events = 100, 1, "100,1000", 15
        args.min_seconds, args.slices = 0.5, 1
    started = time.monotonic()

    with ExitStack() as stack:
        url = database_url(stack)
        servers = {"graphql_api": start_server("serve_api", url, stack)}  # builds the indexes
        user_id = seed(url)
        servers["tutorial"] = start_server("serve_tutorial", url, stack)
        servers["raw"] = start_server("serve_raw", url, stack)
        token = admin_token(servers["graphql_api"][0])
        print(
            f"\n{args.requests} requests and {args.min_seconds:g} s per cell at least, "
            f"in {args.slices} alternating slice(s), concurrency {args.concurrency}, "
            f"{args.rounds} round(s)\n",
            flush=True,
        )
        rows = measure_queries(
            servers,
            user_id,
            token,
            args.requests,
            args.concurrency,
            args.rounds,
            args.min_seconds,
            args.slices,
        )
        for line in [*report.targets_table(rows), "", *report.queries_table(rows)]:
            print(line)
        for _, process in servers.values():
            stop(process)  # the fan-out gets the machine to itself
        if args.instructions:
            if not instructions.available():
                raise SystemExit("--instructions: valgrind is not installed")
            print("\nInstructions per request (callgrind, 200 requests each)...", flush=True)
            counted = instructions.count(url, cases(user_id), token, 200, ADMIN_ONLY)
            for row in rows:
                row["instructions"] = counted[row["query"], row["as"].removesuffix(" (admin)")]
            for line in report.instructions_table(rows):
                print(line)

        fan_out: list[dict] = []
        if not args.no_fan_out:
            print(f"\n{subscriptions.HEADER}", flush=True)
            counts = [int(c) for c in args.counts.split(",")]
            fan_out = subscriptions.run_fan_out(
                url, counts, args.events, args.clients, log=lambda s: print(s, flush=True)
            )

    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    command = "python -m benchmarks.run " + " ".join(sys.argv[1:])
    results = {
        "meta": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "duration": f"{minutes} min {seconds} s",
            "machine": machine(),
            "database": (
                "MONGODB_URL" if os.environ.get("MONGODB_URL") else "the embedded SecantusDB"
            ),
            "command": command.strip(),
            "requests": args.requests,
            "min_seconds": args.min_seconds,
            "slices": args.slices,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "clients": args.clients,
            "per_client": subscriptions.PER_CLIENT,
        },
        "queries": rows,
        "fan_out": fan_out,
    }
    if args.save:
        args.save.write_text(json.dumps(results, indent=1))
    page, chart = report.write(results, args.docs)
    print(f"\nWrote {page} and {chart} in {minutes} min {seconds} s.")


if __name__ == "__main__":
    main()
