"""The hot path's samples as plain numbers (graphql_api/metrics/tally.py): what they
pass on to prometheus-client must be exactly what prometheus-client's own calls
would have recorded, bucket by bucket, and nothing may stay behind at shutdown."""

from __future__ import annotations

import asyncio
import math
import uuid

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from graphql_api.metrics import tally
from graphql_api.metrics.definitions import (
    COMMAND_SECONDS_BUCKETS,
    ROUND_TRIP_BUCKETS,
    SECONDS_BUCKETS,
)
from tests.servers import clean_env, serve, status, wait_for

VALUES = [0, 0.0004, 0.0005, 0.00051, 0.001, 0.003, 0.005, 0.0101, 0.25, 1, 1.5, 2, 4.99, 5]
VALUES += [5.0001, 6, 12, 29.9, 30, 31, 99, 100, 101, 1e9, math.inf, 3, 3, 3, 0, 0]


def samples(registry: CollectorRegistry) -> dict[tuple, float]:
    """The registry's exposition, without the `_created` times (they differ between two)."""
    found = samples_of(generate_latest(registry).decode())
    return {key: value for key, value in found.items() if not key[0].endswith("_created")}


@pytest.mark.parametrize("bounds", [SECONDS_BUCKETS, ROUND_TRIP_BUCKETS, COMMAND_SECONDS_BUCKETS])
def test_a_histogram_tally_records_what_observe_would(bounds):
    mine, theirs = CollectorRegistry(), CollectorRegistry()
    tallied = Histogram("h", "h", ["k"], buckets=bounds, registry=mine).labels("a")
    observed = Histogram("h", "h", ["k"], buckets=bounds, registry=theirs).labels("a")
    sums = tally.histogram(tallied, bounds)
    for number, value in enumerate(VALUES, 1):
        sums.observe(value)
        observed.observe(value)
        if number % 7 == 0:  # flushed in several parts, as the app does
            sums.flush()
    tally.flush()
    assert samples(mine) == samples(theirs)
    assert samples(mine)["h_count", (("k", "a"),)] == len(VALUES)
    sums.flush()  # nothing left: nothing added twice
    assert samples(mine) == samples(theirs)


def test_counter_and_gauge_tallies_add_up_and_go_both_ways():
    registry = CollectorRegistry()
    counter = tally.counter(Counter("c", "c", registry=registry))
    gauge = tally.gauge(Gauge("g", "g", registry=registry))
    for _ in range(5):
        counter.pending += 1
        gauge.pending += 1
    gauge.pending -= 2
    assert samples(registry)["c_total", ()] == 0  # not passed on yet
    tally.flush()
    gauge.pending -= 3
    tally.flush()
    assert samples(registry)["c_total", ()] == 5
    assert samples(registry)["g", ()] == 0


def test_a_histogram_whose_buckets_are_not_the_bounds_is_refused():
    child = Histogram("x", "x", buckets=(1, 2, 3), registry=CollectorRegistry())
    with pytest.raises(ValueError, match="buckets"):
        tally.histogram(child, (1, 2))


async def test_the_samples_are_passed_on_every_interval_and_when_stopped():
    registry = CollectorRegistry()
    counter = tally.counter(Counter("i", "i", registry=registry))
    task = asyncio.create_task(tally.flush_every(0.05))
    counter.pending += 1
    await asyncio.sleep(0.2)
    assert samples(registry)["i_total", ()] == 1
    counter.pending += 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert samples(registry)["i_total", ()] == 2


def test_a_served_process_reports_its_operations_exactly_at_once(mongodb_url, tmp_path):
    """Over HTTP, against `graphql-api serve`: every operation answered is in the very
    next /metrics, its latency histogram and round trips included."""
    env = clean_env(MONGODB_URL=mongodb_url, MONGODB_DATABASE=f"tally_{uuid.uuid4().hex[:8]}")
    with serve(env, tmp_path) as (base, _):
        wait_for(lambda: status(base) == 200, 60)
        with httpx.Client(base_url=base, timeout=10) as client:
            for sent in range(1, 31):
                response = client.post("/graphql", json={"query": "query Tally { __typename }"})
                assert response.status_code == 200
                if sent % 10 == 0:
                    found = samples_of(client.get("/metrics").text)
                    labels = (("operation", "Tally"), ("outcome", "OK"), ("type", "query"))
                    assert found["graphql_operations_total", labels] == sent
                    seconds = (("operation", "Tally"), ("type", "query"))
                    assert found["graphql_operation_duration_seconds_count", seconds] == sent
                    inf = (("le", "+Inf"), ("operation", "Tally"), ("type", "query"))
                    assert found["graphql_operation_duration_seconds_bucket", inf] == sent


def samples_of(text: str) -> dict[tuple, float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
