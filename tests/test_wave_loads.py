"""A plan's wave asks each DataLoader once (graphql_api.execution.loads), and leaves
the loader as `load` would have: shared with resolvers, never a future left pending.

These run the loaders' own mechanism with a counting batch function; the same
paths against the database are covered by tests/test_round_trips.py and the
planned-vs-graphql-core differential tests.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from strawberry.dataloader import DataLoader

from graphql_api.dataloaders import Documents, Loaders
from graphql_api.execution.collect import CantPlan
from graphql_api.execution.loads import Loaded, batched, settle
from graphql_api.execution.values import Completer, Later
from graphql_api.pagination import PageRequest
from graphql_api.services.lists import Nested, PageLimits, Relation


class Counting:
    """A batch function that records each call's keys: `value` per key, or a failure."""

    def __init__(self, fail: BaseException | None = None, error_for: Any = None) -> None:
        self.calls: list[list[Any]] = []
        self.fail = fail
        self.error_for = error_for

    async def __call__(self, keys: list[Any]) -> list[Any]:
        self.calls.append(list(keys))
        await asyncio.sleep(0)
        if self.fail is not None:
            raise self.fail
        return [ValueError(key) if key == self.error_for else f"doc {key}" for key in keys]


def wanted(loader: DataLoader, *keys: Any) -> list[Loaded]:
    return [Loaded(loader, key, {}, "author", Completer()) for key in keys]


async def test_a_wave_is_one_call_with_each_key_once():
    fn = Counting()
    loader = DataLoader(fn)
    assert batched(loader)
    values = await settle(wanted(loader, 1, 2, 1, 3, 2))
    assert values == ["doc 1", "doc 2", "doc 1", "doc 3", "doc 2"]
    assert fn.calls == [[1, 2, 3]]
    # The cache is as `load` leaves it: the next load of a key is not fetched again.
    assert await loader.load(2) == "doc 2"
    assert await settle(wanted(loader, 3, 1)) == ["doc 3", "doc 1"]
    assert fn.calls == [[1, 2, 3]]


async def test_keys_in_flight_elsewhere_are_waited_for_not_fetched_again():
    fn = Counting()
    loader = DataLoader(fn)
    elsewhere = loader.load(1)  # a resolver's load, not dispatched yet
    values = await settle(wanted(loader, 1, 2))
    assert values == ["doc 1", "doc 2"]
    assert await elsewhere == "doc 1"
    assert sorted(map(sorted, fn.calls)) == [[1], [2]]


async def test_a_resolver_of_the_same_wave_shares_the_claimed_keys():
    fn = Counting()
    loader = DataLoader(fn)

    async def resolver() -> Any:
        return await loader.load(2)  # runs after the wave claimed 2

    wave: list[Any] = [*wanted(loader, 1, 2), Later(resolver(), {}, "x", Completer())]
    assert await settle(wave) == ["doc 1", "doc 2", "doc 2"]
    assert fn.calls == [[1, 2]]


@pytest.mark.parametrize(
    "fn",
    [Counting(fail=RuntimeError("down")), Counting(error_for=2), Counting(fail=None)],
    ids=["the call fails", "a value is an error", "cancelled"],
)
async def test_a_failed_wave_leaves_no_future_behind(fn):
    loader = DataLoader(fn)
    wave = wanted(loader, 1, 2)
    if fn.fail is None and fn.error_for is None:  # the run itself is cancelled
        task = asyncio.ensure_future(settle(wave))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    else:
        with pytest.raises(CantPlan):
            await settle(wave)
    # Nothing claimed stays in the cache: graphql-core's loads fetch again, and never
    # wait on a future no one will resolve.
    assert loader.cache_map.cache_map == {}
    fn.fail, fn.error_for = None, None
    assert await asyncio.wait_for(loader.load(1), 1) == "doc 1"


async def test_a_failure_cached_by_a_load_hands_the_operation_back():
    loader = DataLoader(Counting(error_for=1))
    with pytest.raises(ValueError):
        await loader.load(1)  # the cache now holds the failed future
    claimed = wanted(loader, 2, 1)
    with pytest.raises(CantPlan):
        await settle(claimed)
    assert 2 not in loader.cache_map.cache_map  # claimed before the failure was seen: dropped


async def test_a_loader_that_caps_its_batches_keeps_the_futures():
    assert not batched(DataLoader(Counting(), max_batch_size=10))
    assert not batched(DataLoader(Counting(), cache=False))


async def test_a_plans_own_documents_fetch_each_key_once_over_its_waves():
    fn = Counting()
    documents = Documents(fn)
    assert batched(documents)
    assert await settle(wanted(documents, 1, 2, 1)) == ["doc 1", "doc 2", "doc 1"]
    assert await settle(wanted(documents, 2, 3)) == ["doc 2", "doc 3"]
    assert fn.calls == [[1, 2], [3]]  # the second wave fetched only what it lacked


async def test_a_failed_fetch_of_a_plans_own_documents_hands_the_operation_back():
    documents = Documents(Counting(fail=RuntimeError("down")))
    with pytest.raises(CantPlan):
        await settle(wanted(documents, 1))
    assert documents.found == {}  # nothing is taken for fetched

    async def short(keys: list[Any]) -> list[Any]:
        return ["one"]

    with pytest.raises(CantPlan):
        await settle(wanted(Documents(short), 1, 2))


async def test_nested_pages_fetch_only_the_parents_not_fetched_with_theirs(monkeypatch):
    """A derived relation's pages (graphql_api.services.lists.Nested.pages): those the
    parents' page brought are taken as they are, the rest in one batch, once each."""
    asked: list[list[Any]] = []

    async def batch(keys: list[Any]) -> list[Any]:
        asked.append([parent for parent, _ in keys])
        return [f"fetched {parent}" for parent, _ in keys]

    loader = DataLoader(batch)
    monkeypatch.setattr(Nested, "loader", lambda self, loaders, limits: loader)
    relation = Relation("posts_of", object, object, "author_id", lambda sort: None, "NEWEST")
    nested = Nested(relation, "NEWEST", PageRequest(first=2), {"title": 1})
    loaders, limits = Loaders(), PageLimits(20, 100)
    nested.prime(loaders, {"a": "primed a", "b": "primed b"})
    nested.prime(loaders, {"b": "later b", "c": "primed c"})  # the first page found stays
    assert await nested.pages(loaders, limits, ["a", "b", "c"]) == [
        "primed a",
        "primed b",
        "primed c",
    ]
    assert asked == []
    pages = await nested.pages(loaders, limits, ["b", "x", "a", "y", "x"])
    assert pages == ["primed b", "fetched x", "primed a", "fetched y", "fetched x"]
    assert asked == [["x", "y"]]
    other = Nested(relation, "OLDEST", PageRequest(first=2), {"title": 1})  # another shape
    assert await other.pages(loaders, limits, ["a"]) == ["fetched a"]
