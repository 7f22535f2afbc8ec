"""Multiplexed subscriptions: one execution per event for all who would get the same answer.

Subscribers of the same operation, variables and visibility (what their viewer
may see, `graphql_api.realtime.visibility`) share one `SharedExecution`, as
Hasura multiplexes live queries: each event is resolved once, its payload
encoded once, and each frame built once per operation id (most clients use
the same few ids). Every subscriber has a bounded queue of frames; one that
falls behind is closed with `SUBSCRIBER_TOO_SLOW` and never delays the others.

Each subscriber is admitted alone first (`admit`): its operation runs with its
own context until its resolver asks for its change feed (`changes`), which
while admitting yields nothing. So validation, limits, permissions and the
resolver's own checks (an order that is not yours) apply per subscriber, and
their errors reach only it. The shared execution then runs the same operation
once with the visibility's viewer fixed (`Context.shared_for`), and nobody's
budget is charged for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable
from contextlib import aclosing
from typing import Any

import orjson
import pymongo
from graphql import ExecutionResult

from graphql_api import metrics
from graphql_api.realtime.hub import Change, SubscriberTooSlow

logger = logging.getLogger(__name__)

_admitting: contextvars.ContextVar[bool] = contextvars.ContextVar("admitting", default=False)
_opened: contextvars.ContextVar[asyncio.Event | None] = contextvars.ContextVar(
    "shared_execution_opened", default=None
)
_END = object()


async def changes(hub: Any, feed: str, matches: Callable[[Change], bool]) -> AsyncIterator[Change]:
    """A subscription resolver's changes: none while admitting a subscriber, else
    the feed's, live from the moment this returns."""
    if _admitting.get():
        return _nothing()
    stream = await hub[feed].subscribe(matches)
    opened = _opened.get()
    if opened is not None:
        opened.set()
    seconds = getattr(hub, "event_deadline_s", None)
    return stream if seconds is None else _each_within(stream, seconds)


async def _each_within(stream: AsyncIterator[Change], seconds: float) -> AsyncIterator[Change]:
    """The changes, each with a database deadline (`pymongo.timeout`) for what it
    causes: the resolver's checks and the event's execution run while this waits
    at its `yield`, in the same task, so the deadline's context applies to them.
    The wait for the next change has none. A stuck database then fails the event
    with DB_TIMEOUT instead of stalling every subscriber of the operation."""
    async with aclosing(stream):  # type: ignore[type-var]
        async for change in stream:
            deadline = pymongo.timeout(seconds)
            deadline.__enter__()
            try:
                yield change
            finally:
                # Closed from another task (a finaliser), the context is not ours to reset.
                with contextlib.suppress(ValueError):
                    deadline.__exit__(None, None, None)


def admitting() -> bool:
    """Whether this task is admitting a subscriber (its operation will not run here)."""
    return _admitting.get()


async def _nothing() -> AsyncIterator[Change]:
    return
    yield


async def admit(run: Callable[[], Awaitable[AsyncIterator[Any]]]) -> Any | None:
    """Run a subscription for one subscriber up to its change feed: None if it may
    join, else the first result (its refusal) as the unshared operation would send it."""
    token = _admitting.set(True)
    try:
        results = await run()
        async with aclosing(results):
            async for result in results:
                return result
        return None
    finally:
        _admitting.reset(token)


class Event:
    """One event's payload, encoded once, and its frames, built once per operation id."""

    __slots__ = ("_frames", "payload")

    def __init__(self, payload: str) -> None:
        self.payload = payload
        self._frames: dict[tuple[str, str], str] = {}

    def frame(self, protocol_type: str, operation_id: str) -> str:
        key = (protocol_type, operation_id)
        frame = self._frames.get(key)
        if frame is None:
            head = orjson.dumps({"id": operation_id, "type": protocol_type}).decode()
            frame = self._frames[key] = f'{head[:-1]},"payload":{self.payload}}}'
        return frame


def encode(result: ExecutionResult) -> str:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return orjson.dumps(payload).decode()


Sink = Callable[[Event], Coroutine[Any, Any, None]]


class Member:
    """One subscriber of a shared execution.

    With a `sink` (a subscriber with nothing to check per event), the execution
    starts each send itself: writing to a socket with room completes without
    suspending, so 10,000 subscribers cost 10,000 writes, not 10,000 task
    switches. A send that must wait (the client reads slowly) goes on in a task
    of its own, and later events queue behind it, bounded: the execution never
    waits for one subscriber. Without a sink, the subscriber's own task reads
    `events()`; with one, it may instead `detach` and let its task end, to be
    called back once at its end: an idle subscriber then holds no task and no
    coroutine frames at all. Either way a list and a future, not an
    `asyncio.Queue` (four deques and an event): an idle subscriber should cost
    as little as possible.
    """

    __slots__ = ("_backlog", "_items", "_on_end", "_sending", "_waiter", "execution", "sink")

    def __init__(self, execution: SharedExecution, sink: Sink | None) -> None:
        self.execution = execution
        self.sink = sink
        self._items: list[Any] = []  # events (no sink), the end, or an error
        self._waiter: asyncio.Future[None] | None = None
        self._backlog: list[Event] | None = None  # while a send waits (sink)
        self._sending: asyncio.Task[None] | None = None
        self._on_end: Callable[[BaseException | None], None] | None = None

    def detach(self, on_end: Callable[[BaseException | None], None]) -> None:
        """No task will read `events()`: call `on_end` once, with None when the
        shared execution ends, or the error that ended this member early (it fell
        behind, its sink failed). It is called from the execution's own task or
        a send's: it must not wait (start a task for what must)."""
        assert self.sink is not None
        if self._items:  # it ended before it detached
            item = self._items.pop(0)
            self._items.clear()
            on_end(None if item is _END else item)
        else:
            self._on_end = on_end

    def offer(self, item: Any) -> None:
        if self.sink is not None and isinstance(item, Event):
            self._send(item)
        elif len(self._items) >= self.execution.buffer and item is not _END:
            self.execution.drop(self)
        else:
            self._put(item)

    def _send(self, event: Event) -> None:
        backlog = self._backlog
        if backlog is not None:  # a send is waiting: queue behind it
            if len(backlog) >= self.execution.buffer:
                self.execution.drop(self)
            else:
                backlog.append(event)
            return
        assert self.sink is not None
        send = self.sink(event)
        try:
            waiting_on = send.send(None)
        except StopIteration:
            return  # written at once: the usual case
        except Exception as error:
            self.fail(error)
            return
        self._backlog = []
        self._sending = asyncio.ensure_future(self._finish(send, waiting_on))

    async def _finish(self, send: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        """Drive a send that had to wait to its end, then what queued behind it."""
        assert self.sink is not None
        try:
            while True:
                try:
                    if waiting_on is None:
                        await asyncio.sleep(0)
                    else:
                        await asyncio.wait((waiting_on,))
                except asyncio.CancelledError:
                    send.close()
                    raise
                try:
                    waiting_on = send.send(None)
                except StopIteration:
                    break
            while self._backlog:
                await self.sink(self._backlog.pop(0))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.fail(error)
        finally:
            self._backlog = None

    def _put(self, item: Any) -> None:
        on_end = self._on_end
        if on_end is not None:  # detached: only its end comes here
            self._on_end = None
            on_end(None if item is _END else item)
            return
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def fail(self, error: BaseException) -> None:
        """Forget what is waiting; the next read raises `error`."""
        self._items.clear()
        if self._backlog:
            self._backlog.clear()
        self._put(error)

    def close(self) -> None:
        """Stop a send still waiting (the subscriber is leaving): no call back either."""
        self._on_end = None
        if self._sending is not None and not self._sending.done():
            self._sending.cancel()

    async def events(self) -> AsyncIterator[Event]:
        """Its events (none with a sink) until the shared execution ends, or it fell
        behind or its socket failed (raises)."""
        while True:
            if not self._items:
                self._waiter = asyncio.get_running_loop().create_future()
                try:
                    await self._waiter
                finally:
                    self._waiter = None
            item = self._items.pop(0)
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


class SharedExecution:
    """One operation run once for many subscribers: each result goes to all of them."""

    def __init__(
        self,
        key: Hashable,
        start: Callable[[], Awaitable[AsyncIterator[Any]]],
        buffer: int,
        on_idle: Callable[[SharedExecution], None],
    ) -> None:
        self.key = key
        self.members: set[Member] = set()
        self.opened = asyncio.Event()
        self.ended = False
        self._start = start
        self.buffer = buffer
        self._on_idle = on_idle
        # A context of its own: not the first subscriber's operation scope or request id.
        self._task = asyncio.create_task(
            self._run(), name=f"shared-subscription-{id(self):x}", context=contextvars.Context()
        )

    def join(self, sink: Sink | None = None) -> Member:
        member = Member(self, sink)
        self.members.add(member)
        return member

    async def leave(self, member: Member) -> None:
        member.close()
        self.members.discard(member)
        if not self.members:
            await self.stop()

    async def stop(self) -> None:
        self.ended = True
        self._on_idle(self)
        if not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def drop(self, member: Member) -> None:
        """Close a member that fell behind: empty its queue, leave it the error."""
        self.members.discard(member)
        member.fail(
            SubscriberTooSlow(
                f"This subscription fell more than {self.buffer} events behind and was "
                "closed. Subscribe again, and read faster."
            )
        )
        logger.warning("Closed a slow subscriber of a shared subscription")
        if not self.members:
            self.ended = True
            self._on_idle(self)
            self._task.cancel()

    async def _run(self) -> None:
        _opened.set(self.opened)
        metrics.SHARED_EXECUTIONS.inc()
        try:
            results = await self._start()
            async with aclosing(results):
                async for result in results:
                    event = Event(encode(result))
                    for member in list(self.members):
                        member.offer(event)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("A shared subscription failed")
        finally:
            metrics.SHARED_EXECUTIONS.dec()
            self.ended = True
            self._on_idle(self)
            self.opened.set()  # nobody waits for a start that will not come
            for member in list(self.members):
                member.offer(_END)


class Multiplexer:
    """The process's shared executions, by operation, variables and visibility."""

    def __init__(self, buffer: int, open_timeout: float = 30.0) -> None:
        # Longer than a feed takes to fail opening (10 s): its error reaches the members.
        self.executions: dict[Hashable, SharedExecution] = {}
        self._buffer = buffer
        self._open_timeout = open_timeout

    async def join(
        self,
        key: Hashable,
        start: Callable[[], Awaitable[AsyncIterator[Any]]],
        sink: Sink | None = None,
    ) -> Member:
        """A member of the execution for `key` (started if none runs), once it is live."""
        execution = self.executions.get(key)
        if execution is None or execution.ended:
            execution = SharedExecution(key, start, self._buffer, self._forget)
            self.executions[key] = execution
        member = execution.join(sink)
        try:
            await asyncio.wait_for(execution.opened.wait(), self._open_timeout)
        except BaseException:
            await execution.leave(member)
            raise
        return member

    def _forget(self, execution: SharedExecution) -> None:
        if self.executions.get(execution.key) is execution:
            del self.executions[execution.key]


__all__ = [
    "Event",
    "Member",
    "Multiplexer",
    "SharedExecution",
    "admit",
    "admitting",
    "changes",
]
