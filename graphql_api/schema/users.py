"""Users: sign-up, profile, deactivation, the user directory, a user's posts and orders."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from bson import ObjectId

from graphql_api import models
from graphql_api.auth import sessions as auth_sessions
from graphql_api.auth.rules import (
    IsAdmin,
    IsAuthenticated,
    ensure_can_act_on_user,
    may_see_private_fields,
    private_value,
    require_viewer,
)
from graphql_api.auth.viewer import Viewer
from graphql_api.schema.connections import Connection, connection
from graphql_api.schema.context import Info, page_request
from graphql_api.schema.relay import Node, parse_id, to_global_id
from graphql_api.schema.selection import projection
from graphql_api.services import accounts
from graphql_api.services import users as service
from graphql_api.services.orders import OrderSort as _OrderSort
from graphql_api.services.posts import PostSort as _PostSort
from graphql_api.services.users import UserSort as _UserSort

if TYPE_CHECKING:
    from graphql_api.schema.orders import Order, OrderSort
    from graphql_api.schema.posts import Post, PostSort
    from graphql_api.schema.sessions import Session

Role = strawberry.enum(models.Role, description="What a user may do beyond the basics.")
UserSort = strawberry.enum(_UserSort, name="UserSort", description="Orders of the user list.")

PostRef = Annotated["Post", strawberry.lazy("graphql_api.schema.posts")]
PostSortRef = Annotated["PostSort", strawberry.lazy("graphql_api.schema.posts")]
OrderRef = Annotated["Order", strawberry.lazy("graphql_api.schema.orders")]
OrderSortRef = Annotated["OrderSort", strawberry.lazy("graphql_api.schema.orders")]
SessionRef = Annotated["Session", strawberry.lazy("graphql_api.schema.sessions")]

FIELDS = {
    "id": (),
    "databaseId": (),
    "username": ("username",),
    "email": ("email",),
    "roles": ("roles",),
    "isActive": ("is_active",),
    "credits": ("credits",),
    "createdAt": ("created_at",),
    "updatedAt": ("updated_at",),
    "deactivatedAt": ("deactivated_at",),
    "posts": (),
    "orders": (),
    "sessions": (),
}


@strawberry.type(
    description="A person with an account. `email`, `credits`, `orders` and `sessions` are "
    "visible to the user themselves and to administrators, and null for everybody else."
)
class User(Node):
    database_id: str = strawberry.field(description="The MongoDB ObjectId, as hex.")
    username: str
    roles: list[Role]
    is_active: bool = strawberry.field(description="False once the account is deactivated.")
    created_at: datetime
    updated_at: datetime
    deactivated_at: datetime | None
    _email: strawberry.Private[str | None]
    _credits: strawberry.Private[int | None]

    @strawberry.field
    def email(self, info: Info) -> str | None:
        return private_value(info, ObjectId(self.database_id), self._email)

    @strawberry.field
    def credits(self, info: Info) -> int | None:
        return private_value(info, ObjectId(self.database_id), self._credits)

    @strawberry.field(description="This user's sign-in sessions, most recently used first.")
    async def sessions(self, info: Info) -> list[SessionRef] | None:
        from graphql_api.schema.sessions import sessions_of  # noqa: PLC0415 (cycle)

        user_id = ObjectId(self.database_id)
        if not await may_see_private_fields(info, user_id):
            return None
        return await sessions_of(info, user_id)

    @strawberry.field(description="This user's published posts.")
    async def posts(
        self,
        info: Info,
        sort: PostSortRef = _PostSort.NEWEST_FIRST,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PostRef]:
        from graphql_api.schema.posts import posts_of_author  # noqa: PLC0415 (cycle)

        return await posts_of_author(info, self, sort, page_request(first, after, last, before))

    @strawberry.field(description="This user's orders.")
    async def orders(
        self,
        info: Info,
        sort: OrderSortRef = _OrderSort.NEWEST_FIRST,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[OrderRef] | None:
        from graphql_api.schema.orders import orders_of_user  # noqa: PLC0415 (cycle)

        if not await may_see_private_fields(info, ObjectId(self.database_id)):
            return None
        return await orders_of_user(info, self, sort, page_request(first, after, last, before))

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "User":
        get = doc.get
        return cls(
            id=to_global_id("User", doc["_id"]),
            database_id=str(doc["_id"]),
            username=get("username"),
            _email=get("email"),
            roles=[models.Role(role) for role in get("roles", ())],
            is_active=get("is_active"),
            _credits=get("credits"),
            created_at=get("created_at"),
            updated_at=get("updated_at"),
            deactivated_at=get("deactivated_at"),
        )


@strawberry.input(description="Which users to list. All conditions must hold.")
class UserFilter:
    is_active: bool = strawberry.field(
        default=True, description="Deactivated users are listed with `false`."
    )
    role: Role | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@strawberry.input
class SignUpInput:
    username: str = strawberry.field(description="3-50 letters, digits, '_', '.' or '-'.")
    email: str = strawberry.field(description="Stored lower-case; unique.")
    password: str = strawberry.field(description="8-256 characters; stored as an Argon2 hash.")


@strawberry.input
class LoginInput:
    username: str = strawberry.field(description="The username, or the email address.")
    password: str


@strawberry.type(description="A new session. Send the token as `Authorization: Bearer <token>`.")
class AuthPayload:
    token: str = strawberry.field(description="Shown once; only its hash is stored.")
    expires_at: datetime = strawberry.field(description="Slides forward while the session is used.")
    user: User


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input(description="Only the fields given are changed.")
class UpdateProfileInput:
    username: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET


def given(input: object) -> dict[str, Any]:
    """The fields of a partial-update input that the client actually sent."""
    return {
        name: value
        for name, value in vars(input).items()
        if value is not strawberry.UNSET and value is not None
    }


async def _sign_in(info: Info, username: str, password: str) -> AuthPayload:
    context = info.context
    token, session, user = await accounts.login(
        context.settings,
        context.passwords,
        username=username,
        password=password,
        address=context.client_address,
        user_agent=context.user_agent,
    )
    # The rest of this operation runs as the new session's user (their email shows).
    context.signed_in(
        Viewer(
            user_id=user["_id"],
            roles=frozenset(user.get("roles", ())),
            session_id=session["_id"],
            user=user,
        )
    )
    return AuthPayload(token=token, expires_at=session["expires_at"], user=User.from_document(user))


@strawberry.type
class UserQueries:
    @strawberry.field(description="The signed-in user, or null without a valid session.")
    async def me(self, info: Info) -> User | None:
        viewer = await info.context.viewer()
        return User.from_document(viewer.user) if viewer else None

    @strawberry.field(description="A user's public profile by id, or null if there is none.")
    async def user(self, info: Info, id: strawberry.ID) -> User | None:
        doc = await info.context.loaders.user_by_id.load(parse_id(id, "User"))
        return User.from_document(doc) if doc else None

    @strawberry.field(
        description="All users, newest first unless `sort` says otherwise. Administrators only.",
        permission_classes=[IsAdmin],
    )
    async def users(
        self,
        info: Info,
        filter: UserFilter | None = None,
        sort: UserSort = _UserSort.NEWEST_FIRST,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[User]:
        filter = filter or UserFilter()
        query = service.users_query(
            is_active=filter.is_active,
            role=filter.role,
            created_after=filter.created_after,
            created_before=filter.created_before,
            sort=sort,
        )
        return await connection(
            info,
            service.collection(),
            query,
            page_request(first, after, last, before),
            User.from_document,
            projection(info, FIELDS),
        )


@strawberry.type
class UserMutations:
    @strawberry.mutation(
        description="Create an account and sign in. Username and email must be unused."
    )
    async def sign_up(self, info: Info, input: SignUpInput) -> AuthPayload:
        context = info.context
        await accounts.sign_up(
            context.passwords, username=input.username, email=input.email, password=input.password
        )
        return await _sign_in(info, input.username, input.password)

    @strawberry.mutation(
        description="Start a session. Failed attempts are limited per account and per address "
        "(RATE_LIMITED); a refusal never says whether the username exists."
    )
    async def login(self, info: Info, input: LoginInput) -> AuthPayload:
        return await _sign_in(info, input.username, input.password)

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
        description="Change the password; every other session ends. Returns how many ended.",
        permission_classes=[IsAuthenticated],
    )
    async def change_password(self, info: Info, input: ChangePasswordInput) -> int:
        return await accounts.change_password(
            info.context.passwords,
            await require_viewer(info),
            current_password=input.current_password,
            new_password=input.new_password,
        )

    @strawberry.mutation(
        description="Change your own username and/or email.", permission_classes=[IsAuthenticated]
    )
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> User:
        viewer = await require_viewer(info)
        return User.from_document(await service.update_profile(viewer.user_id, given(input)))

    @strawberry.mutation(
        description="Deactivate an account (yours; administrators: anyone's). The user and their "
        "data are kept, their sessions end; calling it again changes nothing.",
        permission_classes=[IsAuthenticated],
    )
    async def deactivate_user(self, info: Info, id: strawberry.ID) -> User:
        user_id = parse_id(id, "User")
        ensure_can_act_on_user(await require_viewer(info), user_id)
        return User.from_document(await service.deactivate_user(user_id))
