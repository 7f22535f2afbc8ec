"""Samples taken on the hot path as plain numbers, handed to prometheus-client in bulk.

prometheus-client takes a lock for every increment and finds a histogram's
bucket with a loop in Python: a read's seven samples (its operation's count,
latency and round trips, its command's count and latency, the pool's gauge up
and down) cost about 4% of a one-document read's instructions. The server's
samples are all taken on its event loop's thread, so they are added to plain
numbers here, and `flush()` passes the sums on to prometheus-client: before
each exposition (so `/metrics` of one process is exact), once a second
(`flush_every`) and at shutdown. In multiprocess mode, another worker's samples
therefore reach `/metrics` within a second.

A histogram's sums are added to its child's buckets and sum (`_buckets`,
`_sum`): prometheus-client has no public call that adds more than one sample.
tests/test_metrics_tally.py checks the exposition against prometheus-client's
own `observe()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from bisect import bisect_left
from collections.abc import AsyncIterator
from typing import Any, TypeVar

FLUSH_INTERVAL_S = 1.0


class Increments:
    """A counter's or a gauge's net change since the last flush (a gauge's goes both ways)."""

    __slots__ = ("child", "pending")

    def __init__(self, child: Any) -> None:
        self.child = child
        self.pending = 0

    def flush(self) -> None:
        if self.pending:
            pending, self.pending = self.pending, 0
            self.child.inc(pending)


class HistogramTally:
    """A histogram child's samples since the last flush, per bucket, and their sum."""

    __slots__ = ("bounds", "child", "counts", "total")

    def __init__(self, child: Any, bounds: tuple[float, ...]) -> None:
        self.child = child
        # prometheus-client's bounds: as declared, then +Inf. A sample goes to the first
        # bucket whose bound it does not exceed, which is what bisect_left finds.
        self.bounds = (*bounds, math.inf) if bounds[-1] != math.inf else bounds
        self.counts = [0] * len(self.bounds)
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    def flush(self) -> None:
        counts = self.counts
        if not any(counts):
            return
        total, self.counts, self.total = self.total, [0] * len(counts), 0.0
        buckets = self.child._buckets
        for index, count in enumerate(counts):
            if count:
                buckets[index].inc(count)
        self.child._sum.inc(total)


_Tally = TypeVar("_Tally", Increments, HistogramTally)
_tallies: list[Increments | HistogramTally] = []


def counter(child: Any) -> Increments:
    return _kept(Increments(child))


def gauge(child: Any) -> Increments:
    return _kept(Increments(child))


def histogram(child: Any, bounds: tuple[float, ...]) -> HistogramTally:
    if len(child._buckets) != len(bounds) + (bounds[-1] != math.inf):
        raise ValueError("the histogram's buckets are not the bounds given")
    return _kept(HistogramTally(child, bounds))


def _kept(tally: _Tally) -> _Tally:
    _tallies.append(tally)
    return tally


def flush() -> None:
    """Pass every sample taken so far on to prometheus-client."""
    for tally in _tallies:
        tally.flush()


async def flush_every(interval: float = FLUSH_INTERVAL_S) -> None:
    """Flush until cancelled, then once more (the samples of a worker that stops)."""
    try:
        while True:
            await asyncio.sleep(interval)
            flush()
    finally:
        flush()


@contextlib.asynccontextmanager
async def flushing(interval: float = FLUSH_INTERVAL_S) -> AsyncIterator[None]:
    """Flushes in the background while the block runs (the app's lifespan)."""
    task = asyncio.create_task(flush_every(interval), name="metrics flush")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


__all__ = [
    "FLUSH_INTERVAL_S",
    "HistogramTally",
    "Increments",
    "counter",
    "flush",
    "flush_every",
    "flushing",
    "gauge",
    "histogram",
]
