"""Shutdown is bounded: a resource that will not close does not keep the process alive."""

import asyncio
import logging
import time

from graphql_api.shutdown import close_within


async def test_a_step_that_never_ends_is_left_behind_and_the_rest_still_close(caplog):
    closed: list[str] = []
    released = asyncio.Event()

    async def stubborn() -> None:
        # Swallows its cancellation, as a driver that turns it into a retry would.
        while not released.is_set():
            try:
                await released.wait()
            except asyncio.CancelledError:
                continue

    async def database() -> None:
        closed.append("database")

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="graphql_api.shutdown"):
        overran = await close_within(
            [("change streams", stubborn), ("database client", database)], 0.2
        )
    released.set()  # the test's loop must still be able to end it
    assert overran == ["change streams"]
    assert closed == ["database"]
    assert time.monotonic() - started < 2
    warning = caplog.records[0].getMessage()
    assert "change streams" in warning and "stubborn" in warning  # where it waited


async def test_a_failing_step_is_logged_and_does_not_stop_the_others(caplog):
    closed: list[str] = []

    async def broken() -> None:
        raise RuntimeError("socket already gone")

    async def database() -> None:
        closed.append("database")

    with caplog.at_level(logging.WARNING, logger="graphql_api.shutdown"):
        overran = await close_within([("watcher", broken), ("database client", database)], 1)
    assert overran == [] and closed == ["database"]
    assert "socket already gone" in caplog.text
