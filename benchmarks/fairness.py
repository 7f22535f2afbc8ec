"""Benchmark: does one abusive client starve the others?

    python -m benchmarks.fairness        # or: make bench-fairness

Starts the real `graphql-api serve` (embedded database, a fresh folder) seeded
with 5,000 posts, then measures a normal signed-in client (a page of posts
every 50 ms) and `/health` (every 200 ms), first alone, then while six
abusive clients run: separate processes, each from its own loopback address
(127.0.k.2 to 127.0.k.7 in phase k), sending anonymous operations of N aliased
`searchPosts` with long words as fast as they are answered. N is 30 (the
attack of issue 12), then 5 (an attacker who fits under the per-operation
cost limit, so that the budgets and the scan gate are what holds).

The claim: the normal client's p95 latency and `/health` stay within 2x of
their values alone. `--root` runs another checkout's code (a baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from bson import ObjectId
from pymongo import MongoClient

from graphql_api.embedded import EmbeddedMongo, free_port
from graphql_api.seed import WORDS

ROOT = Path(__file__).resolve().parent.parent
ABUSERS = 6
NORMAL_QUERY = "{ posts(first: 10) { edges { node { title author { username } } } } }"
LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
    token } }"""
SIGN_UP = """mutation($u: String!, $e: String!, $p: String!) {
    signUp(input: {username: $u, email: $e, password: $p}) { user { databaseId } } }"""
PASSWORD = "a normal password"  # noqa: S105


def seed(url: str | None, signed_up: dict, posts: int) -> None:
    """`posts` published posts of the seed's vocabulary, written directly (fast)."""
    author = ObjectId(signed_up["data"]["signUp"]["user"]["databaseId"])
    rng = random.Random(2026)
    now = datetime.now(UTC)
    documents = []
    for n in range(posts):
        created = now - timedelta(minutes=n)
        documents.append(
            {
                "author_id": author,
                "title": " ".join(rng.sample(WORDS, 3)).capitalize(),
                "content": " ".join(rng.choices(WORDS, k=rng.randrange(40, 200))),
                "tags": sorted(set(rng.sample(WORDS, rng.randrange(1, 4)))),
                "published": True,
                "published_at": created,
                "created_at": created,
                "updated_at": created,
            }
        )
    with MongoClient(url) as client:
        client["graphql_api"]["posts"].insert_many(documents)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def abusive_document(aliases: int, rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choices(string.ascii_lowercase, k=38))

    fields = " ".join(
        f'a{n}: searchPosts(query: "{word()} {word()}", limit: 20) {{ score post {{ title }} }}'
        for n in range(aliases)
    )
    return "{ " + fields + " }"


def abuser(base: str, address: str, aliases: int, seconds: float) -> None:
    """One abusive client (run in its own process): prints what it got, as JSON.

    Niced: the abusers share the server's cores here, and their own CPU (making
    and reading requests as fast as answered) is not what is measured."""
    os.nice(10)
    rng = random.Random(address)
    outcomes: collections.Counter[str] = collections.Counter()
    transport = httpx.HTTPTransport(local_address=address)
    deadline = time.monotonic() + seconds
    with httpx.Client(transport=transport, base_url=base) as http:
        while time.monotonic() < deadline:
            try:
                response = http.post(
                    "/graphql",
                    json={"query": abusive_document(aliases, rng)},
                    timeout=max(1.0, deadline - time.monotonic()),
                )
                body = response.json()
                errors = body.get("errors") or []
                codes = sorted({e["extensions"].get("code") for e in errors}) or ["ok"]
                reason = errors[0]["extensions"].get("reason") if errors else None
                outcomes[" ".join(codes) + (f" ({reason})" if reason else "")] += 1
            except (httpx.HTTPError, ValueError) as error:
                outcomes[type(error).__name__] += 1
    print(json.dumps(outcomes))


async def measure(base: str, token: str, seconds: float) -> dict[str, object]:
    """The normal client and the health probe, side by side for `seconds`."""
    latencies: list[float] = []
    health: list[float] = []
    statuses: collections.Counter[int] = collections.Counter()
    errors: collections.Counter[str] = collections.Counter()
    deadline = time.monotonic() + seconds
    headers = {"authorization": f"Bearer {token}"}

    async with httpx.AsyncClient(base_url=base, timeout=30) as http:

        async def normal() -> None:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    response = await http.post(
                        "/graphql", json={"query": NORMAL_QUERY}, headers=headers
                    )
                    body = response.json()
                    if body.get("errors"):
                        errors[body["errors"][0]["extensions"].get("code")] += 1
                except (httpx.HTTPError, ValueError) as error:  # counted at its full wait
                    errors[type(error).__name__] += 1
                latencies.append(time.perf_counter() - started)
                await asyncio.sleep(0.05)

        async def probe() -> None:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    response = await http.get("/health", timeout=10)
                    statuses[response.status_code] += 1
                except httpx.HTTPError:
                    statuses[0] += 1
                health.append(time.perf_counter() - started)
                await asyncio.sleep(0.2)

        await asyncio.gather(normal(), probe())
    return {
        "requests": len(latencies),
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "errors": dict(errors),
        "health_p95": percentile(health, 0.95),
        "health_not_ok": sum(n for status, n in statuses.items() if status != 200),
        "health_checks": sum(statuses.values()),
    }


def wait_healthy(base: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become healthy")


def run_phase(base: str, token: str, aliases: int, seconds: float, phase: int) -> dict[str, object]:
    abusers = [
        subprocess.Popen(  # noqa: S603 (our own argv)
            [
                sys.executable,
                "-m",
                "benchmarks.fairness",
                "--abuser",
                f"127.0.{phase}.{2 + n}",  # new addresses: budgets start full
                "--base",
                base,
                "--aliases",
                str(aliases),
                "--seconds",
                str(seconds + 2),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(ABUSERS)
    ]
    say(f"{ABUSERS} abusers with {aliases} aliases started")
    time.sleep(2)  # let the abuse get going
    result = asyncio.run(measure(base, token, seconds))
    outcomes: collections.Counter[str] = collections.Counter()
    for process in abusers:
        output, _ = process.communicate(timeout=120)
        outcomes.update(json.loads(output.strip().splitlines()[-1]) if output.strip() else {})
    result["abuse"] = dict(outcomes)
    say(f"abusers done: {dict(outcomes)}")
    return result


def settle(base: str, token: str) -> None:
    """Wait (up to a minute) for work left over by a phase's abusers to finish:
    a server does not stop a request because its client went away."""
    headers = {"authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            httpx.post(f"{base}/graphql", json={"query": NORMAL_QUERY}, headers=headers, timeout=60)
        except httpx.HTTPError:
            continue
        if time.perf_counter() - started < 0.5:
            return
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="Length of each phase.")
    parser.add_argument("--phases", default="30,5", help="Aliases per abusive operation.")
    parser.add_argument("--posts", type=int, default=5000, help="Posts in the database.")
    parser.add_argument("--root", type=Path, default=ROOT, help="The checkout to serve.")
    parser.add_argument("--abuser", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--aliases", type=int, default=30, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.abuser:
        abuser(args.base, args.abuser, args.aliases, args.seconds)
        return

    with tempfile.TemporaryDirectory(prefix="bench-fair-") as folder:
        port = free_port()
        data_dir = Path(folder) / "db"
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("MONGODB_", "EMBEDDED_"))
        }
        env |= {
            "EMBEDDED_DATA_DIR": str(data_dir),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(args.root),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        command = [sys.executable, "-m", "graphql_api.cli"]
        log = (Path(folder) / "serve.log").open("wb")
        server = subprocess.Popen(  # noqa: S603 (our own argv)
            [*command, "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, server)
            say("server up; seeding")
            signed_up = httpx.post(
                f"{base}/graphql",
                json={
                    "query": SIGN_UP,
                    "variables": {"u": "normal", "e": "normal@example.com", "p": PASSWORD},
                },
                timeout=30,
            ).json()
            seed(EmbeddedMongo(data_dir).running_url(), signed_up, args.posts)
            login = httpx.post(
                f"{base}/graphql",
                json={"query": LOGIN, "variables": {"u": "normal", "p": PASSWORD}},
                timeout=30,
            ).json()
            token = login["data"]["login"]["token"]
            say("seeded; measuring the normal client alone")
            asyncio.run(measure(base, token, 2))  # warm up
            rows = [("alone", measure_alone := asyncio.run(measure(base, token, args.seconds)))]
            for n, aliases in enumerate(int(n) for n in args.phases.split(",")):
                settle(base, token)
                phase = run_phase(base, token, aliases, args.seconds, n)
                rows.append((f"{ABUSERS} abusers x {aliases} aliases", phase))
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()  # the embedded server dies with it (PR_SET_PDEATHSIG)
                server.wait()
            log.close()

    alone_p95, alone_health = measure_alone["p95"], measure_alone["health_p95"]
    print(f"\nserved from {args.root}, {args.posts} posts, {args.seconds:g} s each\n")
    print(
        "| phase | normal reqs | p50 ms | p95 ms | p95 vs alone | normal errors | "
        "/health p95 ms | vs alone | /health not 200 | abusive answers |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for name, row in rows:
        abuse = ", ".join(f"{k}: {v}" for k, v in sorted(row.get("abuse", {}).items())) or "-"
        print(
            f"| {name} | {row['requests']} | {1000 * row['p50']:.1f} | {1000 * row['p95']:.1f} | "
            f"{row['p95'] / alone_p95:.2f}x | {row['errors'] or '-'} | "
            f"{1000 * row['health_p95']:.1f} | {row['health_p95'] / alone_health:.2f}x | "
            f"{row['health_not_ok']}/{row['health_checks']} | {abuse} |"
        )


if __name__ == "__main__":
    main()
