"""Fixtures: a real MongoDB-wire server (embedded, or MONGODB_URL), the app, an HTTP client.

Nothing is mocked: every test talks HTTP to the app, which talks to a real server.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.embedded import EmbeddedMongo
from graphql_api.models import DOCUMENT_MODELS
from graphql_api.monitoring import CommandCounter
from graphql_api.settings import Settings


@pytest.fixture(scope="session")
def mongodb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("MONGODB_URL"):
        yield url
        return
    with EmbeddedMongo(tmp_path_factory.mktemp("mongodb")) as server:
        yield server.url


def make_settings(mongodb_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "mongodb_url": mongodb_url,
        "mongodb_database": f"graphql_api_test_{uuid.uuid4().hex[:8]}",
        "log_level": "DEBUG",
        # Cheap hashing: the tests sign up hundreds of users.
        "argon2_time_cost": 1,
        "argon2_memory_cost_kib": 1024,
        "login_max_failures_per_address": 12,
        # Tests edit sessions and users straight in the database and expect the next
        # request to see it; the session cache (tests/test_session_cache.py) would see
        # such out-of-band edits within a second, not at once.
        "session_cache_seconds": 0,
        # One app and one client address serve the whole suite: no budget runs out.
        "cost_budget_capacity": 10**9,
        # CI machines are small and shared: a monitor heartbeat that times out under load
        # clears the connection pool and cancels whatever the test had in flight.
        "mongodb_connect_timeout_ms": 30_000,
    }
    return Settings(_env_file=None, **{**values, **overrides})


@pytest.fixture(scope="session")
def settings(mongodb_url: str) -> Settings:
    return make_settings(mongodb_url)


@pytest.fixture(scope="session")
def commands() -> CommandCounter:
    """Every command the test app sends to MongoDB; `reset()` it before measuring."""
    return CommandCounter()


@pytest.fixture(scope="session")
async def app(settings: Settings, commands: CommandCounter) -> AsyncIterator[Starlette]:
    app = create_app(settings, event_listeners=[commands])
    async with app.router.lifespan_context(app):
        await app.state.database.wait_ready(60)
        yield app
        await app.state.database.client.drop_database(settings.mongodb_database)


@pytest.fixture
async def db(app: Starlette) -> AsyncDatabase:
    """The test database, emptied before each test (indexes kept)."""
    database: AsyncDatabase = app.state.database.db
    for model in DOCUMENT_MODELS:
        for attempt in range(5):
            try:
                await database[model.get_collection_name()].delete_many({})
                break
            except AutoReconnect:  # a heartbeat lost under load; the pool reconnects
                if attempt == 4:
                    raise
                await asyncio.sleep(1)
    return database


class GraphQLClient:
    """Posts GraphQL operations over HTTP and unpacks the answer."""

    def __init__(self, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.http = http
        self.token = token

    def as_user(self, user_or_token: dict | str | None) -> GraphQLClient:
        """The same client, sending `user["token"]` (or a token) as its bearer token."""
        token = user_or_token["token"] if isinstance(user_or_token, dict) else user_or_token
        return GraphQLClient(self.http, token)

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict:
        body = await self.execute(query, variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def error(
        self, query: str, variables: dict[str, Any] | None = None, *, code: str
    ) -> dict:
        body = await self.execute(query, variables)
        assert body.get("errors"), f"expected a {code} error, got {body}"
        error = body["errors"][0]
        assert error["extensions"]["code"] == code, error
        return error


@pytest.fixture
async def http(app: Starlette, db: AsyncDatabase) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
async def admin(gql: GraphQLClient, db: AsyncDatabase) -> GraphQLClient:
    """A client signed in as a fresh administrator (`admin.user` is the user)."""
    from tests.factories import make_admin, sign_up

    user = await make_admin(db, await sign_up(gql, "admin"))
    client = gql.as_user(user)
    client.user = user  # type: ignore[attr-defined]
    return client
