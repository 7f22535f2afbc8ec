"""WebSockets with bounds: sockets per client, operations per socket, revocable.

Strawberry's protocol handlers, extended through their public handler hooks:

- at most `MAX_WEBSOCKETS_PER_CLIENT` open sockets per client (per process):
  a socket counts against its address until `connection_init` signs it in,
  then against its user; one more is closed with 4429 `TOO_MANY_CONNECTIONS`;
- at most `MAX_SUBSCRIPTIONS_PER_CONNECTION` operations at once per socket,
  refused with an error coded `TOO_MANY_SUBSCRIPTIONS` (the socket stays open);
- each socket can be ended from outside (the session watcher) with a close
  code: its operations are cancelled first, so nothing more is sent;
- subscriptions are multiplexed (`graphql_api.realtime.multiplex`): each
  subscriber is admitted alone, then receives the frames of the execution it
  shares, its session checked again before each one;
- under `serve`, a graphql-transport-ws socket is parked once accepted
  (`graphql_api.realtime.parked_socket.Parking`): its ASGI call returns,
  and `_Pump` hands its messages to the handler, so that an idle subscriber
  holds no task and no coroutine frames. Its end (`released`) comes with its
  last message instead of the call's.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections import Counter
from json import JSONDecodeError
from typing import Any

import orjson
import pymongo
from graphql import ExecutionResult, GraphQLError
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.execution import PreExecutionError

from graphql_api import metrics
from graphql_api.auth.client_address import client_network
from graphql_api.auth.viewer import Viewer
from graphql_api.errors import APIError, Forbidden, Unauthenticated
from graphql_api.realtime.multiplex import Event, Member, Multiplexer, admit
from graphql_api.realtime.parked_socket import Parking, parking_of
from graphql_api.realtime.visibility import is_public, subscription, visibility

logger = logging.getLogger(__name__)

TOO_MANY_CONNECTIONS = 4429


class ConnectionRefused(Exception):
    """Raised by `on_ws_connect` to close the socket with `close_code`."""

    def __init__(self, close_code: int, reason: str) -> None:
        super().__init__(reason)
        self.close_code = close_code
        self.reason = reason


class ConnectionLimits:
    """Open sockets per client key (`address:…` or `user:…`), in this process."""

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self.open: Counter[str] = Counter()

    def acquire(self, key: str) -> bool:
        if self.open[key] >= self.per_client:
            return False
        self.open[key] += 1
        return True

    def release(self, key: str | None) -> None:
        if key is None:
            return
        self.open[key] -= 1
        if self.open[key] <= 0:
            del self.open[key]

    def refusal(self) -> ConnectionRefused:
        return ConnectionRefused(
            TOO_MANY_CONNECTIONS,
            f"TOO_MANY_CONNECTIONS: at most {self.per_client} WebSockets per client",
        )


def _too_many_operations(limit: int) -> dict[str, Any]:
    return {
        "message": f"At most {limit} operations may run at once on one WebSocket: "
        "complete one first, or open another connection.",
        "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": limit},
    }


class _Bounded:
    """What both protocols' handlers add: the per-client count while the socket is
    open, and an end from outside after which nothing more is sent."""

    ended = False  # nothing more is sent
    closed = False  # the close frame is sent

    async def handle(self) -> None:
        context = self.context
        limits: ConnectionLimits = self.view.connection_limits
        key = f"address:{client_network(context.client_address)}"  # IPv6 by its /64
        if not limits.acquire(key):
            refusal = limits.refusal()
            await self.websocket.close(code=refusal.close_code, reason=refusal.reason)
            return
        context.client_key = key
        context.close_connection = self.end
        parking = self.parking()
        if parking is not None:
            self.on_request_accepted()
            _Pump(self, parking)  # its messages come from the protocol from now on
            return  # and this ASGI call, its task and their frames, end
        try:
            await super().handle()
        finally:
            self.released()

    def parking(self) -> Parking | None:
        return None  # this protocol's handler only runs in its ASGI call

    def released(self) -> None:
        """The socket's end: its count against its client, its session watch."""
        context = self.context
        self.view.connection_limits.release(context.client_key)
        context.client_key = None
        self.view.connection_closed(context)

    async def send_message(self, message: Any) -> None:
        if not self.ended:
            await super().send_message(message)

    async def close_once(self, code: int, reason: str) -> None:
        # Once ended (from outside), nothing more is sent; the close frame goes once.
        self.ended = True
        if not self.closed:
            self.closed = True
            with contextlib.suppress(RuntimeError):  # closed by the client meanwhile
                await self.websocket.close(code=code, reason=reason)


class _Pump:
    """A parked socket's messages, handed to its handler one at a time as
    Strawberry's own loop (`handle`) would, in a task only while there are some:
    an idle subscriber's socket holds no task and no coroutine frames."""

    __slots__ = ("_context", "_ended", "_handler", "_items", "_parking", "_running")

    def __init__(self, handler: TransportWSHandler, parking: Parking) -> None:
        self._handler = handler
        self._parking = parking
        self._items: list[Any] = []
        self._running = False
        self._ended = False
        self._context = contextvars.copy_context()  # the socket's request id, for logs
        parking.park(handler.websocket.ws, self.put)

    def put(self, message: Any) -> None:
        if self._ended:
            return  # the conversation is over (a disconnect, or a message that closed it)
        self._items.append(message)
        if not self._running:
            self._running = True
            loop = asyncio.get_running_loop()
            self._parking.track(loop.create_task(self._run(), context=self._context))

    async def _run(self) -> None:
        over = True  # unless all were handled and the socket goes on (or if cancelled)
        try:
            over = await self._handle_queued()
        except WebSocketDisconnected:
            pass
        except Exception:
            logger.exception("A WebSocket message failed")
        finally:
            if over:
                await self._end()

    async def _handle_queued(self) -> bool:
        """Handle what is queued, in order: whether the conversation is over."""
        handler = self._handler
        websocket = handler.websocket.ws
        while self._items:
            if websocket.application_state is WebSocketState.DISCONNECTED:
                return True  # the server closed it: Strawberry's loop stops reading too
            message = self._items.pop(0)
            if not self._items:
                self._parking.read()  # taken, as `receive` takes it
            if message["type"] == "websocket.disconnect":
                return True
            text = message.get("text")
            if text is None:
                await handler.handle_invalid_message("WebSocket message type must be text")
                return True
            try:
                decoded = handler.view.decode_json(text)
            except JSONDecodeError:
                await handler.handle_invalid_message("WebSocket message must be valid JSON")
                return True
            await handler.handle_message(decoded)
        self._running = False  # all handled: the next message starts a task
        return False

    async def _end(self) -> None:
        """What follows Strawberry's loop, and the ASGI call's return."""
        self._ended = True
        self._items.clear()
        try:
            await self._handler.shutdown()
        finally:
            self._handler.released()
            self._parking.done()


class _Multiplexed:
    """What both protocols' handlers add for subscriptions: admission alone, then
    the frames of a shared execution (`graphql_api.realtime.multiplex`)."""

    def multiplexer_for(self, query: str, operation_name: str | None) -> Multiplexer | None:
        multiplexer: Multiplexer | None = getattr(self.view, "multiplexer", None)
        if multiplexer is None or subscription(query, operation_name) is None:
            return None  # not a subscription (or not valid): Strawberry runs it alone
        return multiplexer

    def deadline(
        self, query: str, operation_name: str | None
    ) -> contextlib.AbstractContextManager[None]:
        """A query or mutation over the socket gets the deadline a POST gets (the
        `DatabaseDeadline` layer sees HTTP only); a subscription lives on."""
        if subscription(query, operation_name) is not None:
            return contextlib.nullcontext()
        return pymongo.timeout(self.view.settings.request_timeout_s)

    async def join(
        self,
        multiplexer: Multiplexer,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        kind: str,
        operation_id: str,
    ) -> tuple[Any, Member | None, Viewer | None]:
        """(the refusal, None, None), or (None, a member, the viewer it was admitted as).

        The execution sends each member its frames itself (`Member.sink`), a
        signed-in member's session checked before each: from the session cache,
        that neither suspends nor reads the database."""

        def run(context: Any) -> Any:
            return self.schema.stream(
                query,
                variable_values=variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation_name,
            )

        refusal = await admit(lambda: run(self.context))
        if refusal is not None:
            return refusal, None, None
        viewer = await self.context.viewer()  # known since admission: no second lookup
        public = is_public(self.schema._schema, query, operation_name)
        key = (
            query,
            operation_name,
            orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS),
            visibility(public, viewer),
        )
        shared = self.context.shared_for(viewer)

        async def sink(event: Event) -> None:
            if viewer is not None and (refusal := await self.refusal(viewer)):
                raise refusal
            await self.send_frame(event.frame(kind, operation_id))

        return None, await multiplexer.join(key, lambda: run(shared), sink), viewer

    async def deliver(
        self, member: Member, admitted: Viewer | None, kind: str, operation_id: str
    ) -> APIError | None:
        """Send the member's frames until its execution ends; the error that ended it
        early (it fell behind, or its session no longer allows it), if any."""
        metrics.SUBSCRIPTIONS.inc()
        try:
            async for event in member.events():
                if admitted is not None and (refusal := await self.refusal(admitted)):
                    return refusal
                await self.send_frame(event.frame(kind, operation_id))
        except APIError as error:
            return error
        finally:
            metrics.SUBSCRIPTIONS.dec()
            await member.execution.leave(member)
        return None

    async def refusal(self, admitted: Viewer) -> APIError | None:
        """A signed-in subscriber's session, checked again before each event."""
        context = self.context
        viewer = await context.session_viewer()
        if viewer is None:
            return Unauthenticated(context.unauthenticated_reason())
        if admitted.is_admin and not viewer.is_admin:
            return Forbidden("Only administrators may do this.")
        return None

    async def send_frame(self, frame: str) -> None:
        if self.ended:
            return
        try:
            await self.websocket.ws.send_text(frame)
        except WebSocketDisconnect as disconnected:
            raise WebSocketDisconnected from disconnected


_finishing: set[asyncio.Task[None]] = set()


def _background(work: Any) -> None:
    """Run `work` in a task of its own, kept until it ends."""
    task = asyncio.ensure_future(work)
    _finishing.add(task)
    task.add_done_callback(_finishing.discard)


def _error_result(error: APIError) -> ExecutionResult:
    return ExecutionResult(
        data=None, errors=[GraphQLError(str(error), extensions=error.extensions)]
    )


class TransportWSHandler(_Bounded, _Multiplexed, BaseGraphQLTransportWSHandler):
    """`graphql-transport-ws`, the protocol of today's clients."""

    members: dict[str, Member] | None = None  # by operation id, once detached

    def parking(self) -> Parking | None:
        return parking_of(self.websocket.ws.scope)

    async def handle_message(self, message: Any) -> None:
        # Strawberry's answers a JSON message that is not an object with a TypeError.
        if not isinstance(message, dict):
            await self.handle_invalid_message("WebSocket message must be a JSON object")
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        except ConnectionRefused as refused:
            await self.close_once(refused.close_code, refused.reason)
        # Cancelled by now: not kept (a cancelled task holds its exception and frames).
        self.connection_init_timeout_task = None

    async def handle_subscribe(self, message: Any) -> None:
        limit = self.max_subscriptions_per_connection
        if (
            limit is not None
            and self.connection_acknowledged
            and message.get("id") not in self.operations
            and len(self.operations) >= limit
        ):
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [_too_many_operations(limit)]}
            )
            return
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Any) -> None:
        multiplexer = self.multiplexer_for(operation.query, operation.operation_name)
        if multiplexer is None:
            with self.deadline(operation.query, operation.operation_name):
                await super().run_operation(operation)
            return
        try:
            refusal, member, _admitted = await self.join(
                multiplexer,
                operation.query,
                operation.variables,
                operation.operation_name,
                "next",
                operation.id,
            )
            if isinstance(refusal, PreExecutionError):
                await operation.send_initial_errors(refusal.errors)
                return
            if refusal is not None:
                await operation.send_next(refusal)
            elif member is not None:
                if self.operations.get(operation.id) is not operation:
                    # Completed (or the socket closed) while it was being admitted.
                    await member.execution.leave(member)
                    return
                # From now on the shared execution writes this member's frames: this
                # task ends, and an idle subscriber holds no task or frames of its own.
                metrics.SUBSCRIPTIONS.inc()
                if self.members is None:
                    self.members = {}
                self.members[operation.id] = member
                member.detach(lambda error: self._member_ended(operation, member, error))
                operation.task = None  # ending: not kept (a done task keeps its coroutine)
                return
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except WebSocketDisconnected:
            self.operations.pop(operation.id, None)

    def _member_ended(self, operation: Any, member: Member, error: BaseException | None) -> None:
        if self.members is None or self.members.get(operation.id) is not member:
            return  # completed by the client, or the socket closed, meanwhile
        del self.members[operation.id]
        metrics.SUBSCRIPTIONS.dec()
        _background(self._finish_member(operation, member, error))

    async def _finish_member(
        self, operation: Any, member: Member, error: BaseException | None
    ) -> None:
        """The end of a member's execution, as the unshared operation would send it:
        the error that ended it early (if any), then `complete`."""
        await member.execution.leave(member)
        if self.operations.get(operation.id) is not operation:
            return  # the socket closed meanwhile
        try:
            if isinstance(error, APIError):
                await operation.send_next(_error_result(error))
            elif error is not None:  # its socket failed: nothing more can be sent
                self.operations.pop(operation.id, None)
                return
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except (WebSocketDisconnected, RuntimeError, KeyError):  # closed meanwhile
            self.operations.pop(operation.id, None)

    async def cleanup_operation(self, operation_id: str) -> None:
        # A member left by its client (`complete`), by the socket's end, or from outside.
        member = self.members.pop(operation_id, None) if self.members else None
        operation = self.operations.get(operation_id)
        if member is None and (operation is None or operation.task is not None):
            await super().cleanup_operation(operation_id)
            return
        self.operations.pop(operation_id, None)  # its task has ended
        if member is not None:
            metrics.SUBSCRIPTIONS.dec()
            await member.execution.leave(member)

    async def end(self, code: int, reason: str) -> None:
        self.ended = True  # cancelled operations must not write to a client that may not read
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        await self.close_once(code, reason)


class LegacyWSHandler(_Bounded, _Multiplexed, BaseGraphQLWSHandler):
    """The legacy `graphql-ws` protocol (subscriptions-transport-ws)."""

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        except ConnectionRefused as refused:
            await self.send_message(
                {"type": "connection_error", "payload": {"message": refused.reason}}
            )
            await self.close_once(refused.close_code, refused.reason)

    async def handle_start(self, message: Any) -> None:
        limit = self.max_subscriptions_per_connection
        if limit is not None and message.get("id") not in self.tasks and len(self.tasks) >= limit:
            await self.send_message(
                {"type": "error", "id": message["id"], "payload": _too_many_operations(limit)}
            )
            return
        await super().handle_start(message)

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        multiplexer = self.multiplexer_for(query, operation_name)
        if multiplexer is None:
            with self.deadline(query, operation_name):
                await super().handle_async_results(operation_id, query, operation_name, variables)
            return
        try:
            refusal, member, admitted = await self.join(
                multiplexer, query, variables, operation_name, "data", operation_id
            )
            if isinstance(refusal, PreExecutionError):
                await self.send_message(
                    {"type": "error", "id": operation_id, "payload": refusal.errors[0].formatted}
                )
                return
            if refusal is not None:
                await self.send_data_message(refusal, operation_id)
            elif member is not None and (
                error := await self.deliver(member, admitted, "data", operation_id)
            ):
                await self.send_data_message(_error_result(error), operation_id)
            await self.send_message({"type": "complete", "id": operation_id})
        except asyncio.CancelledError:  # stopped: as Strawberry's own handler says it
            await self.send_message({"type": "complete", "id": operation_id})
        except WebSocketDisconnected:
            pass
        finally:
            self.tasks.pop(operation_id, None)

    async def end(self, code: int, reason: str) -> None:
        self.ended = True  # cancelled operations must not write to a client that may not read
        await self.cleanup()
        await self.close_once(code, reason)
