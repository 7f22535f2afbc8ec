"""Command writes without a Task each (graphql_api/socket_writes.py): same bytes, same
deadlines, less machinery. The deadline's own tests against a stuck database are in
tests/test_durability.py (DB_TIMEOUT within REQUEST_TIMEOUT_S)."""

from __future__ import annotations

import asyncio

import pymongo
import pytest
from pymongo import network_layer
from pymongo.asynchronous import pool
from pymongo.asynchronous.database import AsyncDatabase

from graphql_api import socket_writes


async def test_pymongos_write_cannot_suspend(db: AsyncDatabase):
    """The premise. If a PyMongo release makes `write` wait (back-pressure, say), this
    fails: the original `async_sendall` then stays in place, and its timeout matters."""
    assert socket_writes.write_never_suspends()
    assert pool.async_sendall is socket_writes.sendall  # installed by create_client


def test_a_write_that_can_suspend_keeps_pymongos_own(monkeypatch):
    class Waiting(network_layer.PyMongoProtocol):
        async def write(self, message: bytes) -> None:
            await asyncio.sleep(0)

    original = network_layer.async_sendall
    monkeypatch.setattr(network_layer, "PyMongoProtocol", Waiting)
    monkeypatch.setattr(pool, "async_sendall", original)
    assert not socket_writes.write_never_suspends()
    assert not socket_writes.install()
    assert pool.async_sendall is original


async def _tasks_created(db: AsyncDatabase, deadline: float | None) -> int:
    """Tasks the event loop makes for one `find_one`, with or without a deadline."""
    loop = asyncio.get_running_loop()
    made = 0
    previous = loop.get_task_factory()

    def counting(loop: asyncio.AbstractEventLoop, coro, **kwargs) -> asyncio.Task:
        nonlocal made
        made += 1
        if previous is not None:
            return previous(loop, coro, **kwargs)
        return asyncio.Task(coro, loop=loop, **kwargs)

    await db.users.find_one({})  # a pooled connection, ready
    loop.set_task_factory(counting)
    try:
        if deadline is None:
            await db.users.find_one({})
        else:
            with pymongo.timeout(deadline):
                await db.users.find_one({})
    finally:
        loop.set_task_factory(previous)
    return made


@pytest.mark.parametrize("sendall", ["ours", "pymongos"])
async def test_a_deadline_adds_no_task_to_a_command(db: AsyncDatabase, monkeypatch, sendall):
    """With the per-request deadline in force (CSOT), PyMongo's own write made one
    more Task per command (Python 3.11's wait_for) than without it; ours makes none."""
    if sendall == "pymongos":
        monkeypatch.setattr(pool, "async_sendall", network_layer.async_sendall)
    without = await _tasks_created(db, None)
    within = await _tasks_created(db, 5)
    assert without >= 1  # the read and its cancellation watch
    if sendall == "ours":
        assert within == without
    else:
        assert within == without + 1


async def test_commands_under_a_deadline_still_write_and_time_out(db: AsyncDatabase):
    """Writes go through (the bytes reach the server) and the deadline still bounds
    the command: an expired one fails before anything is sent."""
    with pymongo.timeout(5):
        inserted = await db.socket_writes.insert_one({"payload": "x" * 100_000})
        found = await db.socket_writes.find_one({"_id": inserted.inserted_id})
    assert found is not None and len(found["payload"]) == 100_000
    with pytest.raises(pymongo.errors.PyMongoError), pymongo.timeout(1e-9):
        await asyncio.sleep(0.001)
        await db.socket_writes.find_one({})
    await db.socket_writes.drop()
