"""The app factory: Starlette with `/graphql` (HTTP, WebSocket, GraphiQL) and `/health`."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graphql_api.database import Database
from graphql_api.schema import schema
from graphql_api.schema.context import Context
from graphql_api.settings import Settings, get_settings

logger = logging.getLogger(__name__)


class GraphQLEndpoint(GraphQL):
    """Strawberry's ASGI view with our context (settings, database, fresh loaders)."""

    def __init__(self, database: Database, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.database = database
        self.settings = settings

    def encode_json(self, data: object) -> bytes:
        # orjson: several times faster than json.dumps on large results.
        return orjson.dumps(data)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            settings=self.settings,
            database=self.database,
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
    graphql = GraphQLEndpoint(database, settings)

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
            await database.close()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/health", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.database = database
    app.state.settings = settings
    return app
