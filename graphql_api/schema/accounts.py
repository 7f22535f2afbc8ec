"""Accounts: sign-up, sign-in and sign-out, password changes (see `services/accounts.py`)."""

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry

from graphql_api.auth import sessions as auth_sessions
from graphql_api.auth.rules import IsAuthenticated, require_viewer
from graphql_api.auth.viewer import Viewer
from graphql_api.schema.context import Info
from graphql_api.schema.users import User
from graphql_api.services import accounts


@strawberry.input
class SignUpInput:
    username: str = strawberry.field(
        description="3-50 letters, digits, '_', '.' or '-'. Unique ignoring case and Unicode "
        "look-alikes (NFKC): `Admin` or a fullwidth `admin` are taken once `admin` is."
    )
    email: str = strawberry.field(description="Stored lower-case; unique.")
    password: str = strawberry.field(description="8-256 characters; stored as an Argon2 hash.")


@strawberry.input
class LoginInput:
    username: str = strawberry.field(
        description="The username (in any case or look-alike spelling), or the email address."
    )
    password: str


@strawberry.type(description="A new session. Send the token as `Authorization: Bearer <token>`.")
class AuthPayload:
    token: str = strawberry.field(description="Shown once; only its hash is stored.")
    expires_at: datetime = strawberry.field(description="Slides forward while the session is used.")
    user: User | None = strawberry.field(
        description="Null only when a field selected inside it failed (see `errors`): the "
        "session was started all the same, so the token is never lost to such an error."
    )


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


async def _start_session(
    info: Info, start: Callable[..., Awaitable[accounts.SignedIn]], **credentials: str
) -> AuthPayload:
    """Sign up or log in, from this request's address and user agent."""
    context = info.context
    token, session, user = await start(
        context.settings,
        context.passwords,
        address=context.client_address,
        user_agent=context.user_agent,
        **credentials,
    )
    # The rest of this operation runs as the new session's user (their email shows).
    info.context.signed_in(
        Viewer(
            user_id=user["_id"],
            roles=frozenset(user.get("roles", ())),
            session_id=session["_id"],
            user=user,
        )
    )
    return AuthPayload(token=token, expires_at=session["expires_at"], user=User.from_document(user))


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Create an account and sign in: both, or neither. Username and email must "
        "be unused (CONFLICT)."
    )
    async def sign_up(self, info: Info, input: SignUpInput) -> AuthPayload:
        return await _start_session(info, accounts.sign_up, **vars(input))

    @strawberry.mutation(
        description="Start a session. Failed attempts are limited per account and per address "
        "(RATE_LIMITED); a refusal never says whether the username exists. SERVICE_BUSY: "
        "too many passwords are being checked; nothing was counted, retry."
    )
    async def login(self, info: Info, input: LoginInput) -> AuthPayload:
        return await _start_session(info, accounts.login, **vars(input))

    @strawberry.mutation(description="End this session.", permission_classes=[IsAuthenticated])
    async def logout(self, info: Info) -> bool:
        viewer = await require_viewer(info)
        await auth_sessions.end(viewer.session_id)
        return True

    @strawberry.mutation(
        description="End every session of the signed-in user, this one included. "
        "Returns how many ended.",
        permission_classes=[IsAuthenticated],
    )
    async def logout_everywhere(self, info: Info) -> int:
        viewer = await require_viewer(info)
        return await auth_sessions.end_all(viewer.user_id)

    @strawberry.mutation(
        description="Change the password; every other session ends. Returns how many ended. "
        "Wrong current passwords count against the same limit as failed logins.",
        permission_classes=[IsAuthenticated],
    )
    async def change_password(self, info: Info, input: ChangePasswordInput) -> int:
        context = info.context
        return await accounts.change_password(
            context.settings,
            context.passwords,
            await require_viewer(info),
            current_password=input.current_password,
            new_password=input.new_password,
            address=context.client_address,
        )
