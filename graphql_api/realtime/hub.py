"""One change stream per watched collection per process, shared by every subscriber.

Events come from MongoDB, not from the process that made the change, so a
write served by any API process reaches subscribers connected to any other.
Each feed keeps its resume token while it has subscribers: after a network
error or a database restart it reopens the stream where it left off, so events
are neither lost nor repeated. When the last subscriber leaves, the token is
dropped with the stream: a later subscriber sees only events after it
subscribed. A token that can no longer be used (it left the oplog) is dropped
and the stream restarts from now, logged as an error. Each subscriber has a
bounded buffer; one that falls behind is closed with an error, and never slows
the others down.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure, PyMongoError

from graphql_api import metrics
from graphql_api.database import IDLE_WAIT
from graphql_api.errors import APIError

logger = logging.getLogger(__name__)

Change = Mapping[str, Any]
_CLOSED = object()


class SubscriberTooSlow(APIError):
    code = "SUBSCRIBER_TOO_SLOW"


class _Subscriber:
    __slots__ = ("matches", "queue", "since")

    def __init__(self, matches: Callable[[Change], bool], buffer: int) -> None:
        self.matches = matches
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=buffer)
        # The cluster time when it subscribed: older events (a resumed stream
        # replaying what happened while it reconnected) are not its business.
        self.since: Any = None


class ChangeFeed:
    """The change stream of one collection, opened while anybody listens."""

    def __init__(
        self,
        name: str,
        collection: Callable[[], AsyncCollection],
        pipeline: Sequence[Mapping[str, Any]],
        *,
        buffer: int = 100,
        retry_delay: float = 0.5,
    ) -> None:
        self.name = name
        self._collection = collection
        self._pipeline = list(pipeline)
        self._buffer = buffer
        self._retry_delay = retry_delay
        self._subscribers: set[_Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self._open = asyncio.Event()
        self.resume_token: Mapping[str, Any] | None = None

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def subscribe(
        self, matches: Callable[[Change], bool], *, open_timeout: float = 10.0
    ) -> AsyncIterator[Change]:
        """The changes that `matches`, as they happen, until the feed closes."""
        subscriber = _Subscriber(matches, self._buffer)
        self._subscribers.add(subscriber)
        if self._task is None or self._task.done():
            self._open.clear()
            # A context of its own: the feed serves the whole process, not the first
            # subscriber (its request id, or a database deadline that would end it).
            self._task = asyncio.create_task(
                self._run(), name=f"change-feed-{self.name}", context=contextvars.Context()
            )
        try:
            # Live from here on: a write acknowledged after this returns is delivered.
            await asyncio.wait_for(self._open.wait(), open_timeout)
            reply = await self._collection().database.command("ping")
            subscriber.since = reply.get("operationTime")
        except BaseException:
            await self._leave(subscriber)
            raise
        return self._events(subscriber)

    async def _events(self, subscriber: _Subscriber) -> AsyncIterator[Change]:
        try:
            while True:
                item = await subscriber.queue.get()
                if item is _CLOSED:
                    return
                if isinstance(item, SubscriberTooSlow):
                    raise item
                at = item.get("clusterTime")
                if subscriber.since is not None and at is not None and at <= subscriber.since:
                    continue  # it happened before this subscriber subscribed
                yield item
        finally:
            await self._leave(subscriber)

    async def _leave(self, subscriber: _Subscriber) -> None:
        self._subscribers.discard(subscriber)
        if not self._subscribers and self._task is not None:
            # Nobody listens: give the server-side cursor back. The resume token
            # goes too: the next subscriber starts from its own "now", not from
            # events published while nobody listened.
            task, self._task = self._task, None
            self.resume_token = None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _publish(self, change: Change) -> None:
        metrics.observe_change_lag(self.name, change)
        for subscriber in list(self._subscribers):
            try:
                if not subscriber.matches(change):
                    continue
            except Exception:  # a broken filter must not stop the feed
                logger.exception("Subscription filter failed on feed %s", self.name)
                continue
            try:
                subscriber.queue.put_nowait(change)
            except asyncio.QueueFull:
                self._drop(subscriber)

    def _drop(self, subscriber: _Subscriber) -> None:
        """Close a subscriber that fell behind: empty its buffer, leave it the error."""
        self._subscribers.discard(subscriber)
        while not subscriber.queue.empty():
            subscriber.queue.get_nowait()
        subscriber.queue.put_nowait(
            SubscriberTooSlow(
                f"This subscription fell more than {self._buffer} events behind and was "
                "closed. Subscribe again, and read faster."
            )
        )
        logger.warning("Closed a slow subscriber of feed %s", self.name)

    async def _run(self) -> None:
        delay = self._retry_delay
        failures = 0
        while True:
            try:
                options: dict[str, Any] = {"full_document": "updateLookup", **IDLE_WAIT}
                if self.resume_token is not None:
                    options["resume_after"] = self.resume_token
                stream = await self._collection().watch(self._pipeline, **options)
                async with stream:
                    self._open.set()
                    delay, failures = self._retry_delay, 0
                    async for change in stream:
                        self.resume_token = stream.resume_token
                        self._publish(change)
            except asyncio.CancelledError:
                raise
            except PyMongoError as error:
                failures += 1
                if self.resume_token is not None and (_not_resumable(error) or failures >= 3):
                    # The token left the oplog (or cannot be used): retrying it would
                    # fail forever. Start again from now; events in between are lost.
                    logger.error(
                        "Change feed %s cannot resume (%s: %s); restarting from now, "
                        "events since the interruption are not delivered",
                        self.name,
                        type(error).__name__,
                        error,
                    )
                    self.resume_token = None
                else:
                    logger.warning(
                        "Change feed %s interrupted (%s); resuming in %.1fs",
                        self.name,
                        type(error).__name__,
                        delay,
                    )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def close(self) -> None:
        """End every subscription cleanly (clients get `complete`) and the stream."""
        for subscriber in list(self._subscribers):
            while not subscriber.queue.empty():  # the end beats undelivered events
                subscriber.queue.get_nowait()
            subscriber.queue.put_nowait(_CLOSED)
        self._subscribers.clear()
        self.resume_token = None
        if self._task is not None:
            task, self._task = self._task, None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class Hub:
    """The process's change feeds, by name."""

    def __init__(self, feeds: Sequence[ChangeFeed], event_deadline_s: float | None = None) -> None:
        self.feeds = {feed.name: feed for feed in feeds}
        #: The database deadline of the work one event causes (a request's, by default).
        self.event_deadline_s = event_deadline_s

    def __getitem__(self, name: str) -> ChangeFeed:
        return self.feeds[name]

    async def close(self) -> None:
        await asyncio.gather(*(feed.close() for feed in self.feeds.values()))


def _not_resumable(error: PyMongoError) -> bool:
    return isinstance(error, OperationFailure) and (
        error.code in (280, 286)  # ChangeStreamFatalError, ChangeStreamHistoryLost
        or error.has_error_label("NonResumableChangeStreamError")
    )
