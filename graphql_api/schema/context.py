"""What every resolver can reach: the request, settings, database, loaders, the viewer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

import strawberry
from starlette.requests import HTTPConnection
from starlette.responses import Response

from graphql_api.auth import sessions
from graphql_api.auth.client_address import client_address
from graphql_api.auth.live_connections import LiveConnection
from graphql_api.auth.passwords import Passwords
from graphql_api.auth.tokens import bearer_token
from graphql_api.auth.viewer import Viewer
from graphql_api.auth.watcher import SessionWatcher
from graphql_api.database import Database
from graphql_api.dataloaders import Loaders
from graphql_api.realtime import Hub
from graphql_api.settings import Settings

_UNSET = object()


@dataclass(eq=False)
class _Scope:
    """What lives for one operation (one subscription event): loaders and the viewer."""

    owner: Context
    loaders: Loaders = field(default_factory=Loaders)
    viewer: object = _UNSET


# Set by `OperationScope` in the task that runs an operation. A WebSocket runs
# each operation in its own task with one shared Context: the scope keeps their
# loaders and viewers apart.
_current_scope: ContextVar[_Scope | None] = ContextVar("operation_scope", default=None)


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
    watcher: SessionWatcher | None = None
    # WebSocket: the signed-in connection, as the session watcher knows it.
    connection: LiveConnection | None = None
    # WebSocket: what it counts against (`address:…`/`user:…`) and how to end it.
    client_key: str | None = None
    close_connection: Callable[[int, str], Awaitable[None]] | None = None
    # A shared subscription execution (`graphql_api.realtime.multiplex`): it acts
    # with this fixed viewer, for all its subscribers, and charges nobody.
    shared: bool = False
    shared_viewer: Viewer | None = None
    _default_scope: _Scope | None = field(default=None, repr=False)
    _client_address: object = field(default=_UNSET, repr=False)  # worked out once

    def _scope(self) -> _Scope:
        scope = _current_scope.get()
        if scope is not None and scope.owner is self:
            return scope
        if self._default_scope is None:
            self._default_scope = _Scope(self)
        return self._default_scope

    def begin_operation(self) -> None:
        """Fresh loaders and a fresh session check for the operation starting in this task."""
        _current_scope.set(_Scope(self))

    def begin_event(self) -> None:
        """A subscription event: read the session's current state and data afresh."""
        scope = self._scope()
        scope.loaders = Loaders()
        scope.viewer = _UNSET

    @property
    def loaders(self) -> Loaders:
        return self._scope().loaders

    @property
    def ended(self) -> bool:
        """A WebSocket whose session ended (it is being closed): nothing runs as it."""
        return self.connection is not None and self.connection.closing

    async def viewer(self) -> Viewer | None:
        """The signed-in user, looked up once per operation and only if asked for.

        Resolvers running concurrently (50 authors' `email`) share one lookup:
        the first call starts it, the others await the same task. The lookup
        reflects the session's current state (see `graphql_api.auth.watcher`).
        """
        if self.ended:
            return None
        if self.shared:
            return self.shared_viewer
        scope = self._scope()
        if scope.viewer is _UNSET:
            if not self.token:
                scope.viewer = None
                return None
            # The common case, a fresh cached session, needs no task (nor a loop turn).
            known = self.watcher.known(self.token) if self.watcher is not None else None
            scope.viewer = known if known is not None else asyncio.ensure_future(self._lookup())
        if isinstance(scope.viewer, asyncio.Future):
            lookup = scope.viewer
            viewer = await asyncio.shield(lookup)
            if scope.viewer is lookup:
                # The task's context holds this scope: keeping the task would make a
                # cycle, and the whole operation (its documents too) garbage that only
                # the cyclic collector could free.
                scope.viewer = viewer
            return viewer
        return scope.viewer  # type: ignore[return-value]

    async def session_viewer(self) -> Viewer | None:
        """The session's current viewer, looked up now, outside any operation's scope
        (from the session cache: no round trip, no suspension while it is fresh)."""
        if self.ended or self.token is None:
            return None
        return await self._lookup()

    async def _lookup(self) -> Viewer | None:
        assert self.token is not None
        if self.watcher is not None:
            return await self.watcher.authenticate(self.token)
        return await sessions.authenticate(self.settings, self.token)

    @property
    def known_viewer(self) -> Viewer | None:
        """The viewer if already looked up (for logging), without a lookup."""
        if self.shared:
            return self.shared_viewer
        value = self._scope().viewer
        if isinstance(value, asyncio.Future):
            return value.result() if value.done() and not value.exception() else None
        return value if isinstance(value, Viewer) else None

    def shared_for(self, viewer: Viewer | None) -> Context:
        """A context for a shared execution on behalf of everyone who sees what
        `viewer` sees: no token, no connection of its own, nobody charged."""
        return replace(
            self,
            token=None,
            connection_params=None,
            connection=None,
            client_key=None,
            close_connection=None,
            shared=True,
            shared_viewer=viewer,
            _default_scope=None,
        )

    def signed_in(self, viewer: Viewer) -> None:
        self._scope().viewer = viewer

    def use_token(self, token: str | None) -> None:
        """Authenticate with `token` from now on (WebSocket `connection_init`)."""
        self.token = token
        self._scope().viewer = _UNSET

    def unauthenticated_reason(self) -> str:
        if self.ended:
            return "This connection's session ended: sign in again and reconnect."
        if self.token is None:
            return "Sign in first: send `Authorization: Bearer <token>` (see the `login` mutation)."
        return "This session is not valid: it expired, was logged out, or its user is deactivated."

    @property
    def client_address(self) -> str | None:
        """The peer, or the client behind a trusted proxy (see auth/client_address.py)."""
        if self._client_address is _UNSET:
            request = self.request
            if request is None:
                return None
            client = request.client
            self._client_address = client_address(
                client.host if client else None, request.headers, self.settings.trusted_proxies
            )
        return self._client_address  # type: ignore[return-value]

    @property
    def user_agent(self) -> str | None:
        return self.request.headers.get("user-agent") if self.request is not None else None

    @classmethod
    def for_connection(
        cls,
        connection: HTTPConnection,
        response: Response | None,
        settings: Settings,
        database: Database,
        passwords: Passwords,
        hub: Hub | None = None,
        watcher: SessionWatcher | None = None,
    ) -> Context:
        return cls(
            request=connection,
            response=response,
            settings=settings,
            database=database,
            passwords=passwords,
            hub=hub,
            watcher=watcher,
            token=bearer_token(connection.headers.get("authorization")),
        )


Info = strawberry.Info[Context, None]
