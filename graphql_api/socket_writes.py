"""PyMongo's async command writes without a Task, a timer and two loop turns each.

PyMongo 4.x sends every command with `asyncio.wait_for(protocol.write(buf), timeout)`.
With a deadline in force (our per-request `pymongo.timeout`, CSOT, sets the socket's
timeout) Python 3.11's `wait_for` wraps the write in a new Task with a timer and a
waiter future and takes two extra turns of the event loop. Yet `PyMongoProtocol.write`
cannot suspend: it hands the bytes to the transport's buffer (sized to the largest
message) and returns, so that timeout can never fire. Awaiting the write directly
sends the same bytes and raises the same errors; it only spares the machinery: 44 K
of the 1.58 M instructions of a one-user read (benchmarks/, callgrind), on every
command the app sends.

`install()` replaces PyMongo's function only while `write` is a coroutine that
never awaits, read off its bytecode: should a PyMongo release make it wait (for
back-pressure, say), the original and its timeout stay, and
tests/test_socket_writes.py fails so that we look again.
"""

from __future__ import annotations

import dis
import inspect

from pymongo import network_layer
from pymongo.asynchronous import pool

# Opcodes that let a coroutine suspend (await, async for / with, yield).
_SUSPENDING = frozenset(
    {"GET_AWAITABLE", "SEND", "YIELD_VALUE", "GET_AITER", "GET_ANEXT", "BEFORE_ASYNC_WITH"}
)


def write_never_suspends() -> bool:
    """Whether PyMongo's protocol `write` is a coroutine that returns without suspending."""
    write = getattr(getattr(network_layer, "PyMongoProtocol", None), "write", None)
    if write is None or not inspect.iscoroutinefunction(write):
        return False
    return not any(op.opname in _SUSPENDING for op in dis.get_instructions(write))


async def sendall(conn: network_layer.PyMongoProtocol, buf: bytes) -> None:
    """`network_layer.async_sendall`, less the `wait_for` around a write that cannot wait."""
    await conn.write(buf)


def install() -> bool:
    """Use `sendall` for the async client's writes, if PyMongo's write allows; idempotent."""
    current = getattr(pool, "async_sendall", None)
    if current is sendall:
        return True
    if current is None or not write_never_suspends():
        return False
    pool.async_sendall = sendall
    return True


__all__ = ["install", "sendall", "write_never_suspends"]
