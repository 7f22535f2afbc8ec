"""Benchmark: subscription fan-out on one API process.

    python -m benchmarks.subscriptions [--counts 100,1000,10000] [--events 30]
    # or: make bench-subscriptions

For each number of WebSocket subscribers to `postPublished`, on a fresh server
process: the subscribers connect from separate client processes
(`benchmarks.subscriber`, at most `--clients` of them, so the server's figures
are the server's), then it prints the change-stream cursors the server holds,
its memory per idle subscriber (resident memory after they subscribed minus
before, after a garbage collection, divided by their number), and the p50/p99
delay from a write's acknowledgement by MongoDB to its delivery to *all*
subscribers. Every wait is bounded: a row the server cannot hold is reported
as failed, with why, and the next row runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import statistics
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack

import httpx
import orjson
from bson import ObjectId
from pymongo import AsyncMongoClient

from benchmarks.servers import cpu_seconds, database_url, rss_bytes, start_server

DATABASE = "graphql_api_bench_realtime"
PER_CLIENT = 250  # subscribers per client process before another one starts
TARGETS = {1000: ("p99", 100.0), 10000: ("p99", 1000.0)}  # ms, from the issue
MEMORY_TARGET = 10_000  # bytes per idle subscriber, at 10,000 subscribers


class Subscribers:
    """Client processes holding `count` subscribers between them, and what they report."""

    def __init__(self, ws_url: str, count: int, processes: int) -> None:
        share, extra = divmod(count, processes)
        self.shares = [share + (i < extra) for i in range(processes)]
        self.ws_url = ws_url
        self.ready: dict[int, dict] = {}
        self.arrivals: list[dict[str, tuple[int, float]]] = [{} for _ in self.shares]
        self.closed: list[dict] = [{} for _ in self.shares]
        self.procs: list[asyncio.subprocess.Process] = []
        self.readers: list[asyncio.Task] = []

    async def __aenter__(self) -> Subscribers:
        for index, share in enumerate(self.shares):
            proc = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "benchmarks.subscriber", self.ws_url, str(share)),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=2**20,
            )
            self.procs.append(proc)
            self.readers.append(asyncio.create_task(self._read(index, proc)))
        return self

    async def __aexit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.stdin is not None:
                proc.stdin.close()
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)

    async def _read(self, index: int, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        async for line in proc.stdout:
            message = orjson.loads(line)
            kind = message["type"]
            if kind == "ready":
                self.ready[index] = message
            elif kind == "arrivals":
                self.arrivals[index][message["title"]] = (message["count"], message["last"])
            elif kind == "closed":
                self.closed[index] = message["reasons"]
        self.ready.setdefault(index, {"ok": 0, "failed": self.shares[index], "errors": {}})

    async def wait_ready(self, seconds: float) -> tuple[int, dict]:
        """Subscribed sockets, and why the others failed."""
        deadline = time.monotonic() + seconds
        while len(self.ready) < len(self.shares) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        errors: dict[str, int] = {}
        for index, share in enumerate(self.shares):
            report = self.ready.get(index, {"ok": 0, "errors": {"not ready in time": share}})
            for reason, n in report["errors"].items():
                errors[reason] = errors.get(reason, 0) + n
        return sum(r["ok"] for r in self.ready.values()), errors

    def received(self, title: str) -> tuple[int, float]:
        """How many subscribers have `title`, and when the latest got it."""
        seen = [a[title] for a in self.arrivals if title in a]
        return sum(n for n, _ in seen), max((t for _, t in seen), default=math.nan)

    async def wait_for(self, title: str, count: int, seconds: float) -> tuple[int, float]:
        deadline = time.monotonic() + seconds
        while (got := self.received(title))[0] < count and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        return got

    def closures(self) -> dict[str, int]:
        merged: dict[str, int] = {}
        for reasons in self.closed:
            for reason, n in reasons.items():
                merged[reason] = merged.get(reason, 0) + n
        return merged


def _post(title: str) -> dict:
    return {"author_id": ObjectId(), "title": title, "content": "x", "tags": [], "published": True}


async def _settled_rss(base: str, pid: int) -> int:
    """Resident memory after a garbage collection in the server and a moment's rest."""
    async with httpx.AsyncClient(timeout=60) as client:
        await client.post(f"{base}/_bench/gc")
    await asyncio.sleep(1.0)
    return rss_bytes(pid)


async def _all_live(posts, subscribers: Subscribers, count: int, tag: str, budget: float) -> int:
    """Probe events until one reaches every subscriber (the server registers each
    `subscribe` on its own time, so "sent" is not yet "listening"): the most any
    probe reached."""
    deadline = time.monotonic() + budget
    n = best = 0
    while time.monotonic() < deadline and best < count:
        title = f"probe {tag} {n}"
        n += 1
        await posts.insert_one(_post(title))
        wait = min(5.0, max(0.1, deadline - time.monotonic()))
        best = max(best, (await subscribers.wait_for(title, count, wait))[0])
    return best


async def _timed(posts, subs: Subscribers, events: int, seconds: float, result: dict) -> None:
    """One event at a time, each timed from its acknowledgement to its last arrival."""
    count = result["subscribers"]
    delays = []
    for n in range(events):
        title = f"event {count}-{n}"
        await posts.insert_one(_post(title))
        acknowledged = time.monotonic()
        got, last = await subs.wait_for(title, count, seconds)
        if got < count:
            result["error"] = (
                f"event {n + 1}: {got} of {count} subscribers within {seconds:.0f} s; "
                f"closed: {subs.closures() or 'none'}"
            )
            break
        delays.append(1000 * (last - acknowledged))
        await asyncio.sleep(0.05)
    if delays:
        delays.sort()
        result["events"] = len(delays)
        result["p50"] = statistics.median(delays)
        result["p99"] = delays[math.ceil(0.99 * len(delays)) - 1]
        result["max"] = delays[-1]


async def fan_out(url: str, base: str, pid: int, count: int, events: int, clients: int) -> dict:
    """One row: `count` subscribers on the server at `base` (process `pid`)."""
    result: dict = {"subscribers": count, "events": 0, "error": None}
    keys = ("cursors", "p50", "p99", "max", "memory_per_subscriber", "connect_s")
    for key in (*keys, "server_cpu_ms", "clients_cpu_ms"):
        result[key] = None
    mongo = AsyncMongoClient(url)
    posts = mongo[DATABASE]["posts"]
    ws_url = base.replace("http://", "ws://") + "/graphql"
    slow = max(1.0, count / 1000)  # bounds that grow with the row, never unbounded

    async def cursors() -> int | None:
        with contextlib.suppress(Exception):
            status = await mongo.admin.command("serverStatus")
            return status["metrics"]["cursor"]["open"]["total"]
        return None

    try:
        # Warm up (first subscription, first event), leave, then read the baseline.
        async with Subscribers(ws_url, 1, 1) as warm:
            await warm.wait_ready(60)
            if await _all_live(posts, warm, 1, "warm-up", 60) < 1:
                result["error"] = "a single subscriber got no event within 60 s"
                return result
        await asyncio.sleep(1.0)
        baseline = await _settled_rss(base, pid)
        cursors_before = await cursors()  # the server's own, with nobody subscribed

        started = time.monotonic()
        async with Subscribers(ws_url, count, min(clients, math.ceil(count / PER_CLIENT))) as subs:
            ok, errors = await subs.wait_ready(60 + 20 * slow)
            if ok < count:
                result["error"] = f"{count - ok} of {count} could not subscribe: {errors}"
                return result
            got = await _all_live(posts, subs, count, str(count), 30 + 10 * slow)
            if got < count:
                result["error"] = (
                    f"at most {got} of {count} subscribers received an event within "
                    f"{30 + 10 * slow:.0f} s; closed: {subs.closures() or 'none'}"
                )
                return result
            result["connect_s"] = time.monotonic() - started
            result["memory_per_subscriber"] = (await _settled_rss(base, pid) - baseline) / count
            after = await cursors()
            if after is not None and cursors_before is not None:
                result["cursors"] = after - cursors_before

            # CPU during the timed events: the server's, and the clients' (if theirs were
            # near the wall time, the clients and not the server would set the delay).
            clients_before = [cpu_seconds(p.pid) for p in subs.procs]
            server_before = cpu_seconds(pid)
            await _timed(posts, subs, events, min(30.0, 10 * slow), result)
            if result["events"]:
                per_event = 1000 / result["events"]
                result["server_cpu_ms"] = (cpu_seconds(pid) - server_before) * per_event
                result["clients_cpu_ms"] = per_event * sum(
                    cpu_seconds(p.pid) - before
                    for p, before in zip(subs.procs, clients_before, strict=True)
                )
    except Exception as error:  # a row that breaks is a finding, not the end of the run
        result["error"] = f"{type(error).__name__}: {error}"
    finally:
        await mongo.close()
    return result


async def floor_memory(base: str, pid: int, count: int, clients: int) -> float | None:
    """Memory per idle subscriber of the floor: the same clients on a bare Starlette
    WebSocket that only acks (benchmarks/serve_raw.py), under the same uvicorn."""
    ws_url = base.replace("http://", "ws://") + "/graphql"
    async with Subscribers(ws_url, 1, 1) as warm:
        await warm.wait_ready(60)
    await asyncio.sleep(1.0)
    baseline = await _settled_rss(base, pid)
    processes = min(clients, math.ceil(count / PER_CLIENT))
    async with Subscribers(ws_url, count, processes) as subs:
        ok, _ = await subs.wait_ready(60 + 20 * max(1.0, count / 1000))
        if ok < count:
            return None
        await asyncio.sleep(2.0)  # the last ones' `subscribe` frames reach the server
        return (await _settled_rss(base, pid) - baseline) / count


def run_fan_out(
    url: str, counts: Sequence[int], events: int, clients: int, log=print
) -> list[dict]:
    """Each row on a fresh server process, so one row's memory is not the next one's."""
    rows = []
    for count in counts:
        with ExitStack() as stack:
            base, process = start_server("serve_raw", url, stack, database=DATABASE)
            floor = asyncio.run(floor_memory(base, process.pid, count, clients))
        with ExitStack() as stack:
            base, process = start_server(
                "serve_api",
                url,
                stack,
                database=DATABASE,
                # Every subscriber connects from 127.0.0.1: lift the per-client socket cap.
                env={"MAX_WEBSOCKETS_PER_CLIENT": str(count + 10)},
            )
            row = asyncio.run(fan_out(url, base, process.pid, count, events, clients))
            row["floor_memory_per_subscriber"] = floor
            if process.poll() is not None:
                row["error"] = f"the server exited ({process.returncode}); {row['error']}"
        rows.append(row)
        log(format_row(row))
    return rows


HEADER = (
    "| subscribers | events | change-stream cursors | p50 ms | p99 ms | "
    "memory per idle subscriber (floor) | result |\n|---:|---:|---:|---:|---:|---:|---|"
)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def verdict(row: dict) -> str:
    """PASS/FAIL against the issue's targets for that row, or the error."""
    if row["error"]:
        return f"FAIL: {row['error']}"
    failures = []
    if row["subscribers"] in TARGETS:
        _, limit = TARGETS[row["subscribers"]]
        if row["p99"] is None or row["p99"] >= limit:
            failures.append(f"p99 >= {limit:.0f} ms")
    if row["subscribers"] == 10000 and (row["memory_per_subscriber"] or 0) >= MEMORY_TARGET:
        failures.append("memory >= 10 KB per subscriber")
    if failures:
        return "FAIL: " + ", ".join(failures)
    return "PASS" if row["subscribers"] in TARGETS else "-"


def memory_cell(row: dict) -> str:
    """The server's memory per idle subscriber, and the bare WebSocket floor's."""
    memory, floor = row["memory_per_subscriber"], row.get("floor_memory_per_subscriber")
    cell = "-" if memory is None else f"{memory / 1000:.1f} KB"
    return cell if floor is None else f"{cell} ({floor / 1000:.1f} KB)"


def format_row(row: dict) -> str:
    return (
        f"| {row['subscribers']:,} | {row['events']} | "
        f"{'-' if row['cursors'] is None else row['cursors']} | {_ms(row['p50'])} | "
        f"{_ms(row['p99'])} | {memory_cell(row)} | {verdict(row)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30, help="timed events per row")
    parser.add_argument("--counts", default="100,1000,10000")
    parser.add_argument("--clients", type=int, default=4, help="client processes, at most")
    args = parser.parse_args()
    print(f"\n{HEADER}", flush=True)
    with ExitStack() as stack:
        url = database_url(stack)
        counts = [int(c) for c in args.counts.split(",")]
        run_fan_out(url, counts, args.events, args.clients, log=lambda s: print(s, flush=True))


if __name__ == "__main__":
    main()
