"""The app factory: Starlette with `/graphql` (HTTP, WebSocket, GraphiQL), the health
checks (`/livez`, `/readyz`, `/health`) and `/metrics`."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import orjson
from pymongo.errors import PyMongoError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from graphql_api import metrics
from graphql_api.auth.live_connections import SESSION_ENDED, LiveConnection
from graphql_api.auth.passwords import Passwords
from graphql_api.auth.tokens import bearer_token
from graphql_api.auth.watcher import SessionWatcher
from graphql_api.database import Database
from graphql_api.embedded import read_state
from graphql_api.explorer import explorer_csp, favicon
from graphql_api.http.compression import compression
from graphql_api.http.cors import ALLOWED_HEADERS, CORS, EXPOSED_HEADERS
from graphql_api.http.csrf import CSRFPrevention
from graphql_api.http.direct import direct_reads
from graphql_api.http.entry import GraphQLApp
from graphql_api.http.view import GraphQLOverHTTP
from graphql_api.limits import RefuseClientsInDebt
from graphql_api.log_config import configure_logging
from graphql_api.middleware import BodySizeLimit, DatabaseDeadline
from graphql_api.persisted import PersistedDocumentsView
from graphql_api.realtime import Hub, Multiplexer
from graphql_api.realtime.connections import (
    ConnectionLimits,
    ConnectionRefused,
    LegacyWSHandler,
    TransportWSHandler,
)
from graphql_api.realtime.feeds import create_hub
from graphql_api.request_id import RequestId
from graphql_api.schema import create_schema
from graphql_api.schema.context import Context
from graphql_api.settings import Settings, get_settings
from graphql_api.shutdown import close_within
from graphql_api.tracing import enable_tracing

STATIC = Path(__file__).parent / "static"
GRAPHIQL_PAGE = (STATIC / "graphiql" / "index.html").read_text(encoding="utf-8")
GRAPHIQL_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # GraphiQL sets style attributes
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


class GraphQLEndpoint(GraphQLOverHTTP, PersistedDocumentsView, GraphQL):
    """Strawberry's ASGI view with our context (settings, database, fresh loaders);
    its HTTP answers follow GraphQL over HTTP (graphql_api.http.view), and it reads
    persisted-document ids (graphql_api.persisted)."""

    # WebSockets: bounded, and ended by the session watcher (graphql_api.realtime.connections).
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(
        self, database: Database, settings: Settings, hub: Hub, watcher: SessionWatcher
    ) -> None:
        super().__init__(
            create_schema(settings),
            graphql_ide="graphiql" if settings.graphiql else None,
            allowed_origins=settings.allowed_origins,  # WebSocket handshakes, as CORS
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        )
        self.database = database
        self.settings = settings
        self.passwords = Passwords(settings)
        self.hub = hub
        self.watcher = watcher
        self.connection_limits = ConnectionLimits(settings.max_websockets_per_client)
        self.multiplexer = (
            Multiplexer(settings.subscription_buffer) if settings.multiplex_subscriptions else None
        )
        self.direct = direct_reads(self.schema, settings)

    def encode_json(self, data: object) -> str:
        # Text, for WebSocket frames; HTTP responses use the bytes directly.
        return orjson.dumps(data).decode()

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our own GraphiQL page: assets served by this app, a strict CSP."""
        policy = explorer_csp(GRAPHIQL_CSP, request)  # + its same-origin WebSocket
        return HTMLResponse(GRAPHIQL_PAGE, headers={"content-security-policy": policy})

    async def on_ws_connect(self, context: Context) -> None:
        """Authenticate a WebSocket by the token in `connection_init`:
        `{"authorization": "Bearer <token>"}` (or `{"token": "<token>"}`); none is anonymous."""
        if getattr(context, "initialised", False):
            # graphql-transport-ws refuses a second init itself; legacy graphql-ws does not,
            # and each would register the socket with the session watcher again.
            raise ConnectionRefused(4429, "Too many initialisation requests")
        context.initialised = True  # type: ignore[attr-defined]
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        token = bearer_token(header) if isinstance(header, str) else params.get("token")
        context.use_token(token if isinstance(token, str) and token else None)
        if context.token is None:
            return
        generation = self.watcher.generation
        try:
            viewer = await context.viewer()
        except PyMongoError:
            raise ConnectionRefused(1011, "DB_UNAVAILABLE: try again shortly") from None
        if viewer is None:
            raise ConnectionRejectionError()
        # Signed in: the socket counts against its user from now on, not its address.
        user_key = f"user:{viewer.user_id}"
        if not self.connection_limits.acquire(user_key):
            raise self.connection_limits.refusal()
        self.connection_limits.release(context.client_key)
        context.client_key = user_key
        if context.close_connection is not None:
            connection = LiveConnection(viewer, context.close_connection)
            self.watcher.register(connection)
            try:
                # A change that arrived between the lookup and now may be this session's end.
                if connection.closing or (
                    self.watcher.generation != generation
                    and not await self.watcher.is_current(viewer)
                ):
                    raise ConnectionRefused(SESSION_ENDED, "UNAUTHENTICATED: session ended")
            except BaseException:
                self.watcher.unregister(connection)
                raise
            context.connection = connection

    def connection_closed(self, context: Context) -> None:
        if context.connection is not None:
            self.watcher.unregister(context.connection)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context.for_connection(
            request,
            response if isinstance(response, Response) else None,
            self.settings,
            self.database,
            self.passwords,
            self.hub,
            self.watcher,
        )


def http_middleware(settings: Settings) -> list[Middleware]:
    """Compression and CORS, outermost: they apply to every answer, refusals included."""
    middleware = []
    if settings.compression_min_bytes:
        middleware.append(compression(settings.compression_min_bytes))
    middleware.append(
        Middleware(
            CORS,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=ALLOWED_HEADERS,
            allow_credentials=settings.cors_allow_credentials,
            expose_headers=EXPOSED_HEADERS,
            max_age=settings.cors_max_age_s,
        )
    )
    return middleware


def create_app(
    settings: Settings | None = None,
    *,
    mongodb_url: str | None = None,
    event_listeners: Sequence[Any] = (),
) -> Starlette:
    """Build the ASGI app. `uvicorn --factory graphql_api.app:create_app` serves it.

    `event_listeners` are PyMongo monitoring listeners (tests count commands).
    """
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    if settings.otel_enabled:
        enable_tracing()
    database = Database(settings, mongodb_url, [*metrics.listeners(), *event_listeners])
    hub = create_hub(settings.subscription_buffer, settings.request_timeout_s)
    watcher = SessionWatcher(settings)
    graphql = GraphQLEndpoint(database, settings, hub, watcher)

    async def health(request: Request) -> JSONResponse:
        """Readiness: the database is initialised and answers (`/readyz`, `/health`)."""
        up = database.ready.is_set() and await database.ping()
        body: dict[str, Any] = {
            "status": "ok" if up else "unavailable",
            "database": "up" if up else "down",
        }
        if settings.embedded_state_file is not None:  # `serve`'s supervised embedded server
            body["embedded"] = read_state(settings.embedded_state_file)
        return JSONResponse(body, status_code=200 if up else 503)

    async def livez(request: Request) -> JSONResponse:
        """Liveness: the process serves requests; the database is not asked."""
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await database.connect()
        watcher.start(database.ready)
        # What exists now (schema, plans' types, settings, modules) lives as long as
        # the process: out of the cyclic collector, whose full passes would otherwise
        # walk it all again every few hundred requests (about a tenth of a read's CPU).
        # Garbage is collected first, so none is kept forever. The youngest generation
        # is collected every GC_YOUNG_THRESHOLD allocations, not CPython's 700: a page
        # decodes thousands of objects, and each collection walks every request in flight.
        gc.collect()
        gc.freeze()
        gc.set_threshold(settings.gc_young_threshold, *gc.get_threshold()[1:])
        try:
            async with metrics.flushing():
                yield
        finally:
            await close_within(
                [
                    ("subscriptions", hub.close),  # subscribers get `complete`
                    ("session watcher", watcher.close),
                    ("database client", database.close),
                ],
                settings.shutdown_timeout_s,
            )
            metrics.flush()  # what the closing itself sampled

    routes = [
        Route("/graphql", graphql),  # any method: the view answers 405 in JSON
        WebSocketRoute("/graphql", graphql),
        Route("/health", health, methods=["GET"]),
        Route("/readyz", health, methods=["GET"]),
        Route("/livez", livez, methods=["GET"]),
    ]
    if settings.metrics:
        token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
        routes.append(Route("/metrics", metrics.metrics_endpoint(token), methods=["GET"]))
    if settings.graphiql:
        routes.append(
            Mount("/graphiql", StaticFiles(directory=STATIC / "graphiql"), name="graphiql")
        )
        routes.append(Route("/favicon.ico", favicon, methods=["GET"]))
    app = GraphQLApp(  # /graphql's POSTs of JSON and WebSockets: entries past the layers
        middleware=[
            Middleware(RequestId),
            Middleware(metrics.CountWebSockets),
            *http_middleware(settings),
            Middleware(RefuseClientsInDebt, settings=settings),  # before the body is read
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
            *([Middleware(CSRFPrevention)] if settings.csrf_prevention else []),
            Middleware(DatabaseDeadline, seconds=settings.request_timeout_s),
        ],
        routes=routes,
        lifespan=lifespan,
    )
    app.entry_compression = settings.compression_min_bytes
    app.graphql_websocket = RequestId(metrics.CountWebSockets(graphql))
    app.state.database = database
    app.state.hub = hub
    app.state.watcher = watcher
    app.state.settings = settings
    return app
