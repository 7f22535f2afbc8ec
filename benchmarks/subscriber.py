"""A fan-out load client: N WebSocket subscribers in one process, reporting on stdout.

    python -m benchmarks.subscriber ws://127.0.0.1:8000/graphql 2500

Run by `benchmarks.subscriptions`, several at once, so the clients never share
a process (or an event loop) with the server or with each other beyond their
share. Each line on stdout is one JSON object:

- `{"type": "ready", "ok": n, "failed": m, "errors": {...}}` once every socket
  has connected and sent its `subscribe` (or failed to, within the timeout);
- `{"type": "arrivals", "title": t, "count": c, "last": s}`: how many of this
  process's subscribers have received the post titled `t` so far, and the
  `time.monotonic()` of the latest arrival (CLOCK_MONOTONIC: the same clock in
  every process of a Linux machine, so the coordinator compares it with the
  moment its write was acknowledged);
- `{"type": "closed", "count": c, "reasons": {...}}`: sockets the server closed.

It stops when stdin closes (or on SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from collections import Counter

import orjson
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

QUERY = "subscription { postPublished { title } }"
INIT = orjson.dumps({"type": "connection_init", "payload": {}}).decode()
SUBSCRIBE = orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}).decode()


def emit(message: dict) -> None:
    sys.stdout.write(orjson.dumps(message).decode() + "\n")
    sys.stdout.flush()


class Client:
    def __init__(self, url: str, count: int, parallel: int, timeout: float) -> None:
        self.url = url
        self.count = count
        self.gate = asyncio.Semaphore(parallel)  # stay under the server's listen backlog
        self.timeout = timeout
        self.arrivals: dict[str, list[float]] = {}  # title -> [count, last arrival]
        self.changed: set[str] = set()
        self.closed: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.settled = 0
        self.all_settled = asyncio.Event()

    def _settle(self) -> None:
        self.settled += 1
        if self.settled == self.count:
            self.all_settled.set()

    async def subscriber(self) -> None:
        try:
            async with self.gate:
                ws = await asyncio.wait_for(
                    connect(
                        self.url,
                        subprotocols=["graphql-transport-ws"],
                        max_queue=None,
                        ping_interval=None,  # the server pings; answering is enough
                        open_timeout=None,
                    ),
                    self.timeout,
                )
                await ws.send(INIT)
                await asyncio.wait_for(ws.recv(), self.timeout)  # connection_ack
                await ws.send(SUBSCRIBE)
        except ConnectionClosed as error:
            self.errors[f"closed {error.rcvd.code if error.rcvd else ''}".strip()] += 1
            self._settle()
            return
        except (OSError, TimeoutError) as error:
            self.errors[type(error).__name__] += 1
            self._settle()
            return
        self._settle()
        try:
            async for frame in ws:
                now = time.monotonic()
                message = orjson.loads(frame)
                if message.get("type") != "next":
                    continue
                title = message["payload"]["data"]["postPublished"]["title"]
                seen = self.arrivals.setdefault(title, [0, now])
                seen[0] += 1
                seen[1] = max(seen[1], now)
                self.changed.add(title)
            self.closed[f"{ws.close_code} {ws.close_reason}".strip()] += 1
        except ConnectionClosed as closed:
            self.closed[f"{closed.rcvd.code if closed.rcvd else 'no close frame'}"] += 1

    async def report(self) -> None:
        """Arrivals every 20 ms: the timestamps are taken on receipt, not here."""
        reported_closed = 0
        while True:
            await asyncio.sleep(0.02)
            for title in self.changed:
                count, last = self.arrivals[title]
                emit({"type": "arrivals", "title": title, "count": count, "last": last})
            self.changed.clear()
            total_closed = sum(self.closed.values())
            if total_closed != reported_closed:
                reported_closed = total_closed
                emit({"type": "closed", "count": total_closed, "reasons": dict(self.closed)})


async def main() -> None:
    parser = argparse.ArgumentParser(description="WebSocket subscribers for the fan-out bench")
    parser.add_argument("url")
    parser.add_argument("count", type=int)
    parser.add_argument("--parallel", type=int, default=50, help="connections opening at once")
    parser.add_argument("--timeout", type=float, default=60.0, help="per connection, seconds")
    args = parser.parse_args()
    client = Client(args.url, args.count, args.parallel, args.timeout)
    tasks = [asyncio.create_task(client.subscriber()) for _ in range(args.count)]
    await client.all_settled.wait()
    failed = sum(client.errors.values())
    emit(
        {
            "type": "ready",
            "ok": args.count - failed,
            "failed": failed,
            "errors": dict(client.errors),
        }
    )
    reporter = asyncio.create_task(client.report())

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    def stdin_closed() -> None:
        if not sys.stdin.buffer.read1(4096):
            loop.remove_reader(sys.stdin.fileno())
            stop.set()

    loop.add_reader(sys.stdin.fileno(), stdin_closed)
    await stop.wait()
    for task in [*tasks, reporter]:
        task.cancel()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)


if __name__ == "__main__":
    asyncio.run(main())
