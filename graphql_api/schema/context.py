"""What every resolver can reach: the request, settings, database, loaders, the viewer."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import strawberry
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.websockets import WebSocket

from graphql_api.auth import sessions
from graphql_api.auth.passwords import Passwords
from graphql_api.auth.tokens import bearer_token
from graphql_api.auth.viewer import Viewer
from graphql_api.database import Database
from graphql_api.dataloaders import Loaders
from graphql_api.pagination import PageRequest
from graphql_api.realtime import Hub
from graphql_api.settings import Settings

_UNSET = object()


@dataclass
class Context:
    request: HTTPConnection | None
    response: Response | None
    settings: Settings
    database: Database
    passwords: Passwords | None = None
    hub: Hub | None = None
    token: str | None = None
    # WebSocket: the `connection_init` payload (Strawberry sets it).
    connection_params: dict | None = None
    loaders: Loaders = field(default_factory=Loaders)
    _viewer: object = field(default=_UNSET, repr=False)
    _checked_at: float = field(default=0.0, repr=False)

    async def viewer(self) -> Viewer | None:
        """The signed-in user, looked up once per request and only if asked for.

        Resolvers running concurrently (50 authors' `email`) share one lookup:
        the first call starts it, the others await the same task.
        """
        if (
            isinstance(self.request, WebSocket)
            and self.token is not None
            and time.monotonic() - self._checked_at >= self.settings.subscription_reauth_interval_s
        ):
            # A WebSocket lives for hours: look the session up again now and then,
            # so that a logout or a deactivation reaches open subscriptions.
            self._viewer = _UNSET
        if self._viewer is _UNSET:
            self._checked_at = time.monotonic()
            self._viewer = (
                asyncio.ensure_future(sessions.authenticate(self.settings, self.token))
                if self.token
                else None
            )
        if isinstance(self._viewer, asyncio.Future):
            return await asyncio.shield(self._viewer)
        return self._viewer  # type: ignore[return-value]

    @property
    def known_viewer(self) -> Viewer | None:
        """The viewer if already looked up (for logging), without a lookup."""
        value = self._viewer
        if isinstance(value, asyncio.Future):
            return value.result() if value.done() and not value.exception() else None
        return value if isinstance(value, Viewer) else None

    def signed_in(self, viewer: Viewer) -> None:
        self._viewer = viewer

    def use_token(self, token: str | None) -> None:
        """Authenticate with `token` from now on (WebSocket `connection_init`)."""
        self.token = token
        self._viewer = _UNSET

    def unauthenticated_reason(self) -> str:
        if self.token is None:
            return "Sign in first: send `Authorization: Bearer <token>` (see the `login` mutation)."
        return "This session is not valid: it expired, was logged out, or its user is deactivated."

    @property
    def client_address(self) -> str | None:
        client = self.request.client if self.request is not None else None
        return client.host if client else None

    @property
    def user_agent(self) -> str | None:
        return self.request.headers.get("user-agent") if self.request is not None else None

    def page_limits(self) -> dict[str, int]:
        return {
            "default_size": self.settings.default_page_size,
            "max_size": self.settings.max_page_size,
        }

    @classmethod
    def for_connection(
        cls,
        connection: HTTPConnection,
        response: Response | None,
        settings: Settings,
        database: Database,
        passwords: Passwords,
        hub: Hub | None = None,
    ) -> Context:
        return cls(
            request=connection,
            response=response,
            settings=settings,
            database=database,
            passwords=passwords,
            hub=hub,
            token=bearer_token(connection.headers.get("authorization")),
        )


Info = strawberry.Info[Context, None]


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    return PageRequest(first=first, after=after, last=last, before=before)
