"""The app factory: Starlette with `/graphql` (HTTP, WebSocket, GraphiQL) and `/health`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from graphql_api.auth.passwords import Passwords
from graphql_api.auth.tokens import bearer_token
from graphql_api.database import Database
from graphql_api.middleware import BodySizeLimit, DatabaseDeadline
from graphql_api.realtime import Hub
from graphql_api.realtime.feeds import create_hub
from graphql_api.schema import create_schema
from graphql_api.schema.context import Context
from graphql_api.settings import Settings, get_settings

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


class GraphQLEndpoint(GraphQL):
    """Strawberry's ASGI view with our context (settings, database, fresh loaders)."""

    def __init__(self, database: Database, settings: Settings, hub: Hub) -> None:
        super().__init__(
            create_schema(settings), graphql_ide="graphiql" if settings.graphiql else None
        )
        self.database = database
        self.settings = settings
        self.passwords = Passwords(settings)
        self.hub = hub

    def encode_json(self, data: object) -> str:
        # Text, for WebSocket frames; HTTP responses use the bytes directly.
        return orjson.dumps(data).decode()

    def create_response(self, response_data: object, sub_response: Response) -> Response:
        # orjson: several times faster than json.dumps on large results.
        response = Response(
            orjson.dumps(response_data),
            status_code=sub_response.status_code or 200,
            media_type="application/json",
        )
        response.headers.raw.extend(sub_response.headers.raw)
        response.background = sub_response.background
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our own GraphiQL page: assets served by this app, a strict CSP."""
        return HTMLResponse(GRAPHIQL_PAGE, headers={"content-security-policy": GRAPHIQL_CSP})

    async def on_ws_connect(self, context: Context) -> None:
        """Authenticate a WebSocket by the token in `connection_init`:
        `{"authorization": "Bearer <token>"}` (or `{"token": "<token>"}`); none is anonymous."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        token = bearer_token(header) if isinstance(header, str) else params.get("token")
        context.use_token(token if isinstance(token, str) and token else None)
        if context.token is not None and await context.viewer() is None:
            raise ConnectionRejectionError()

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
        )


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
    database = Database(settings, mongodb_url, event_listeners)
    hub = create_hub(settings.subscription_buffer)
    graphql = GraphQLEndpoint(database, settings, hub)

    async def health(request: Request) -> JSONResponse:
        if database.ready.is_set() and await database.ping():
            return JSONResponse({"status": "ok", "database": "up"})
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await database.connect()
        try:
            yield
        finally:
            await hub.close()  # subscribers get `complete`, change streams end
            await database.close()

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/health", health, methods=["GET"]),
    ]
    if settings.graphiql:
        routes.append(
            Mount("/graphiql", StaticFiles(directory=STATIC / "graphiql"), name="graphiql")
        )
    app = Starlette(
        middleware=[
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
            Middleware(DatabaseDeadline, seconds=settings.request_timeout_s),
        ],
        routes=routes,
        lifespan=lifespan,
    )
    app.state.database = database
    app.state.hub = hub
    app.state.settings = settings
    return app
