"""One ASGI entry for the common request: a POST of JSON to `/graphql`.

Every request used to pass a dozen layers before the endpoint saw it (Starlette's
error and exception middleware and router, and ours: request id, WebSocket count,
compression, CORS, clients in debt, body size, CSRF, the database deadline), each
a coroutine of its own, most parsing the headers again; for a planned read that
was a tenth of its CPU. Here a POST of `application/json` to `/graphql` gets what
those layers do to it, in one function, with their code and in their order:

- Starlette's 500 for an exception before the response started (then re-raised);
- the request id (`graphql_api.request_id`): taken or made, in the context
  variable and the response's `X-Request-ID`;
- compression by `Accept-Encoding` (the same `CompressMiddleware`, around the rest);
- CORS headers (the stack's own CORS middleware's `send`);
- an anonymous client in debt refused before the body is read (the stack's own
  `RefuseClientsInDebt`: the same tarpit and its count of held refusals);
- the body size limit (the stack's own `BodySizeLimit`: declared, then streamed);
- CSRF: a POST of `application/json` always has a non-simple content type, which
  `needs_no_preflight` never refuses, so there is nothing to check;
- the database deadline (`pymongo.timeout`, the stack's own seconds);
- Starlette's answer to its `HTTPException`, as its exception middleware gives it;
- then the endpoint, as the router would call it (the scope gets the same keys,
  and ours: `graphql_api.entry`, the watched headers found, and `graphql_api.body`,
  the body read, for the direct answer of graphql_api.http.direct).

Anything else (another path, method or content type, a root path, a watched
header given twice, so that no question of which copy counts arises) goes the
full stack, unchanged. So does everything if the stack is not the one this was
written for (`_Plan.of` checks it layer by layer on the first request): added
middleware or exception handlers turn the entry off. tests/test_entry.py sends
the same requests both ways and compares status, headers and body.
"""

from __future__ import annotations

from typing import Any

import pymongo
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException, WebSocketException
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.routing import Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_compress import CompressMiddleware
from strawberry.http.parse_content_type import parse_content_type

from graphql_api import request_id
from graphql_api.http.cors import CORS
from graphql_api.http.csrf import CSRFPrevention
from graphql_api.http.errors import JSON
from graphql_api.limits.debtors import RefuseClientsInDebt
from graphql_api.metrics.realtime import CountWebSockets
from graphql_api.middleware import BodySizeLimit, DatabaseDeadline
from graphql_api.request_id import RequestId

PATH = "/graphql"
# The request headers some layer (or the direct answer) reads. Each may come once: with
# two, the layers disagree on which counts (some take the first, some the last), the
# full stack decides.
_WATCHED = frozenset(
    {
        b"accept",
        b"content-type",
        b"content-length",
        b"x-request-id",
        b"accept-encoding",
        b"origin",
        b"authorization",
        b"cookie",
        b"apollo-require-preflight",
        b"x-apollo-operation-name",
        b"x-forwarded-for",
    }
)
_JSON = JSON.encode()


def _is_json(content_type: bytes) -> bool:
    if content_type == _JSON:
        return True
    try:
        text = content_type.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover (latin-1 decodes every byte)
        return False
    return parse_content_type(text)[0] == JSON


def _vary_origin(message: Message) -> None:
    """What CORSMiddleware.send does to an answer to a request without `Origin`:
    `Vary` becomes one header, its values joined, with `Origin` last."""
    raw = message["headers"] = list(message.get("headers", ()))
    at = [index for index, (name, _) in enumerate(raw) if name == b"vary"]
    if not at:
        raw.append((b"vary", b"Origin"))
        return
    value = b", ".join([*(raw[index][1] for index in at), b"Origin"])
    for index in reversed(at[1:]):
        del raw[index]
    raw[at[0]] = (b"vary", value)


class _Plan:
    """The full stack's layers this entry stands for, found in the built stack itself."""

    def __init__(self, app: Starlette, errors: ServerErrorMiddleware, cors: CORS) -> None:
        self.app = app
        self.errors = errors
        self.cors = cors
        self.debtors: RefuseClientsInDebt | None = None
        self.body_limit: BodySizeLimit | None = None
        self.deadline: DatabaseDeadline | None = None
        self.exceptions: ExceptionMiddleware | None = None
        self.router: Router | None = None
        self.endpoint: ASGIApp | None = None
        self.route: Route | None = None
        self.route_endpoint: Any = None
        self.compress: CompressMiddleware | None = None

    @classmethod
    def of(cls, app: Starlette, compression_min_bytes: int) -> _Plan | None:
        """The plan, if the stack is exactly the one `create_app` builds, else None."""
        if app.middleware_stack is None:
            app.middleware_stack = app.build_middleware_stack()  # as Starlette.__call__ does
        layers: list[Any] = []
        layer: Any = app.middleware_stack
        while not isinstance(layer, Router):
            layers.append(layer)
            layer = getattr(layer, "app", None)
            if layer is None or len(layers) > 20:
                return None
        router = layer
        kinds = [type(layer) for layer in layers]
        expected = [ServerErrorMiddleware, RequestId, CountWebSockets]
        if compression_min_bytes:
            expected.append(CompressMiddleware)
        expected += [CORS, RefuseClientsInDebt, BodySizeLimit]
        if CSRFPrevention in kinds:
            expected.append(CSRFPrevention)
        expected += [DatabaseDeadline, ExceptionMiddleware]
        if kinds != expected:
            return None
        errors, cors = layers[0], layers[kinds.index(CORS)]
        exceptions = layers[-1]
        if (
            errors.handler is not None
            or errors.debug
            or exceptions._status_handlers
            or set(exceptions._exception_handlers) != {HTTPException, WebSocketException}
        ):
            return None
        csrf = layers[kinds.index(CSRFPrevention)] if CSRFPrevention in kinds else None
        if csrf is not None and csrf.path != PATH:
            return None
        route = router.routes[0] if router.routes else None
        if not (
            isinstance(route, Route)
            and route.path == PATH
            and route.methods is None
            and route.app is route.endpoint  # an ASGI app, called as is
            and route.path_regex.match(PATH)
            and router.middleware_stack == router.app  # no middleware of the router's own
        ):
            return None
        plan = cls(app, errors, cors)
        plan.debtors = layers[kinds.index(RefuseClientsInDebt)]
        plan.body_limit = layers[kinds.index(BodySizeLimit)]
        plan.deadline = layers[kinds.index(DatabaseDeadline)]
        plan.exceptions = exceptions
        plan.router = router
        plan.endpoint = route.app
        plan.route = route
        plan.route_endpoint = route.endpoint
        if compression_min_bytes:
            plan.compress = CompressMiddleware(plan.checked, minimum_size=compression_min_bytes)
        return plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send, found: dict) -> None:
        # ServerErrorMiddleware
        started = False

        async def outer_send(message: Message) -> None:
            nonlocal started
            kind = message["type"]
            if kind == "http.response.start":
                started = True
                request_id.put_header(message, rid)  # RequestId
            await send(message)

        try:
            # RequestId, inside: its id is reset before the 500 goes out.
            rid = request_id.accept_or_make(found.get(b"x-request-id"))
            token = request_id.current.set(rid)
            scope["graphql_api.entry"] = found
            try:
                if self.compress is not None:
                    await self.compress(scope, receive, outer_send)
                else:
                    await self.checked(scope, receive, outer_send)
            finally:
                request_id.current.reset(token)
        except Exception as exc:
            if not started:
                response = self.errors.error_response(Request(scope), exc)
                await response(scope, receive, send)  # no request id: as the stack answers
            raise exc

    async def checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Past compression: CORS, debt, body size, (CSRF), deadline, the endpoint."""
        found = scope["graphql_api.entry"]
        # CORS: its `send` on every answer (an `Origin` or not: `Vary: Origin` at least);
        # and whether the answer has started, for ExceptionMiddleware below.
        inner = send
        started = False
        if b"origin" in found:
            cors, request_headers = self.cors, Headers(scope=scope)

            async def cors_send(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                await cors.send(message, inner, request_headers)

        else:

            async def cors_send(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                    _vary_origin(message)
                await inner(message)

        send = cors_send
        debtors = self.debtors
        assert debtors is not None
        if debtors.settings.cost_budget_capacity:
            refusal = debtors.refusal_for(
                self.app.state, scope, authorized=b"authorization" in found
            )
            if refusal is not None:
                await debtors.refuse(send, *refusal)
                return
        body = await self._body(found, receive, send)
        if body is None:
            return
        scope["graphql_api.body"] = body
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        # CSRF: nothing to refuse for application/json (see the module docstring).
        assert self.deadline is not None and self.exceptions is not None
        scope["starlette.exception_handlers"] = (
            self.exceptions._exception_handlers,
            self.exceptions._status_handlers,
        )
        if "router" not in scope:  # the router's own keys, and the route's
            scope["router"] = self.router
        scope["route"] = self.route
        scope["endpoint"] = self.route_endpoint
        scope["path_params"] = dict(scope.get("path_params", {}))
        with pymongo.timeout(self.deadline.seconds):
            try:
                await self.endpoint(scope, replay, send)  # type: ignore[misc]
            except HTTPException as exc:  # ExceptionMiddleware, its default handler
                if started:
                    raise RuntimeError(
                        "Caught handled exception, but response already started."
                    ) from exc
                response = await self.exceptions.http_exception(Request(scope, replay), exc)
                await response(scope, replay, send)
                exc.__traceback__ = None

    async def _body(self, found: dict, receive: Receive, send: Send) -> bytes | None:
        """BodySizeLimit: the body, or None when it refused it (or the client left)."""
        limit = self.body_limit
        assert limit is not None
        declared = found.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit.max_bytes):
            await limit._refuse(send)  # the same answer
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit.max_bytes:
                await limit._refuse(send)
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class GraphQLApp(Starlette):
    """Starlette, with the one entry above for POSTs of JSON to `/graphql`, and one for
    its WebSockets: straight to the endpoint with their request id and count, past the
    HTTP-only middleware, the router and the exception handlers, whose coroutine
    frames every idle socket would otherwise hold for its whole life."""

    #: The settings' `compression_min_bytes` (0: no compression layer); None: no entry.
    entry_compression: int | None = None
    #: The endpoint a WebSocket to `/graphql` goes to; None: the full stack.
    graphql_websocket: ASGIApp | None = None
    _plan: _Plan | bool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "websocket"
            and self.graphql_websocket is not None
            and scope["path"][len(scope.get("root_path", "")) :] == PATH
        ):
            scope["app"] = self
            await self.graphql_websocket(scope, receive, send)
            return
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == PATH
            and not scope.get("root_path")
            and self.entry_compression is not None
        ):
            plan = self._plan
            if plan is None:
                plan = self._plan = _Plan.of(self, self.entry_compression) or False
            if plan:
                found: dict[bytes, bytes] = {}
                for name, value in scope["headers"]:
                    if name in _WATCHED:
                        if name in found:
                            break
                        found[name] = value
                else:
                    content_type = found.get(b"content-type")
                    if content_type is not None and _is_json(content_type):
                        scope["app"] = self
                        await plan(scope, receive, send, found)  # type: ignore[operator]
                        return
        await super().__call__(scope, receive, send)


__all__ = ["PATH", "GraphQLApp"]
