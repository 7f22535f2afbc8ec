"""Benchmark: subscription fan-out on one API process.

    python -m benchmarks.subscriptions        # or: make bench-subscriptions

For 1, 100 and 1,000 WebSocket subscribers to `postPublished` on one server
process, prints the server-side change-stream cursors open and the p50/p99
delay from a write's acknowledgement by MongoDB to its delivery to *all*
subscribers.
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
from contextlib import ExitStack
from pathlib import Path

import httpx
import orjson
from bson import ObjectId
from pymongo import AsyncMongoClient
from websockets.asyncio.client import connect

from graphql_api.embedded import EmbeddedMongo, free_port

DATABASE = "graphql_api_bench_realtime"
ROOT = Path(__file__).resolve().parent.parent
QUERY = "subscription { postPublished { title } }"


async def subscriber(url: str, ready: asyncio.Event, arrivals: dict, ready_count: list) -> None:
    async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:
        await ws.send(orjson.dumps({"type": "connection_init", "payload": {}}).decode())
        await ws.recv()
        await ws.send(
            orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}).decode()
        )
        ready_count.append(1)
        ready.set()
        async for frame in ws:
            message = orjson.loads(frame)
            if message.get("type") == "next":
                title = message["payload"]["data"]["postPublished"]["title"]
                arrivals.setdefault(title, []).append(time.perf_counter())


async def run(url: str, base: str, count: int, events: int) -> dict:
    client = AsyncMongoClient(url)
    posts = client[DATABASE]["posts"]

    async def cursors() -> int:
        status = await client.admin.command("serverStatus")
        return status["metrics"]["cursor"]["open"]["total"]

    before = await cursors()
    arrivals: dict[str, list[float]] = {}
    ready_count: list[int] = []
    ready = asyncio.Event()
    ws_url = base.replace("http://", "ws://") + "/graphql"
    tasks = [
        asyncio.create_task(subscriber(ws_url, ready, arrivals, ready_count)) for _ in range(count)
    ]
    while len(ready_count) < count:  # noqa: ASYNC110 (polling is the measurement)
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # let the server open the feed for everyone
    open_cursors = await cursors() - before

    delays = []
    for n in range(events):
        title = f"event {count}-{n}"
        document = {
            "author_id": ObjectId(),
            "title": title,
            "content": "x",
            "tags": [],
            "published": True,
        }
        await posts.insert_one(document)
        acknowledged = time.perf_counter()
        deadline = acknowledged + 30
        while len(arrivals.get(title, ())) < count and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        got = arrivals.get(title, [])
        if len(got) < count:
            raise SystemExit(f"only {len(got)} of {count} subscribers got {title}")
        delays.append(max(got) - acknowledged)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await client.close()
    delays.sort()
    return {
        "subscribers": count,
        "cursors": open_cursors,
        "p50": 1000 * statistics.median(delays),
        "p99": 1000 * delays[int(0.99 * (len(delays) - 1))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--counts", default="1,100,1000")
    args = parser.parse_args()
    with ExitStack() as stack:
        url = os.environ.get("MONGODB_URL")
        if not url:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-rt-"))
            url = stack.enter_context(EmbeddedMongo(folder)).url
        port = free_port()
        env = {
            **os.environ,
            "MONGODB_URL": url,
            "MONGODB_DATABASE": DATABASE,
            "LOG_LEVEL": "WARNING",
            # Every subscriber connects from 127.0.0.1: lift the per-client socket cap.
            "MAX_WEBSOCKETS_PER_CLIENT": str(max(int(n) for n in args.counts.split(",")) + 10),
        }
        server = subprocess.Popen(  # noqa: S603 (our own argv)
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "graphql_api.app:create_app",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
        )
        stack.callback(lambda: (server.terminate(), server.wait(30)))
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        print("\n| subscribers | change-stream cursors on the server | p50 ms | p99 ms |")
        print("|---:|---:|---:|---:|")
        for count in (int(c) for c in args.counts.split(",")):
            result = asyncio.run(run(url, base, count, args.events))
            print(
                f"| {result['subscribers']} | {result['cursors']} | "
                f"{result['p50']:.1f} | {result['p99']:.1f} |"
            )


if __name__ == "__main__":
    main()
