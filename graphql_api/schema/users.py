"""Users: sign-up, profile, deactivation, the user directory, a user's posts and orders."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from graphql_api import models
from graphql_api.auth.rules import (
    IsAdmin,
    IsAuthenticated,
    ensure_can_act_on_user,
    may_see_private_fields,
    require_viewer,
)
from graphql_api.schema.connections import connection_field, relation_field
from graphql_api.schema.context import Info
from graphql_api.schema.inputs import given
from graphql_api.schema.relay import Node, parse_id
from graphql_api.schema.stored import lookup, reads, stored_type
from graphql_api.services import orders as orders_service
from graphql_api.services import posts as posts_service
from graphql_api.services import users as service
from graphql_api.services.lists import PageSource
from graphql_api.services.orders import OrderSort as _OrderSort
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


@stored_type(
    models.User,
    description="A person with an account. `email`, `credits`, `orders` and `sessions` are "
    "visible to the user themselves and to administrators, and null for everybody else.",
)
class User(Node):
    @strawberry.field(
        description="This user's sign-in sessions, most recently used first.", metadata=reads()
    )
    async def sessions(self, info: Info) -> list[SessionRef] | None:
        from graphql_api.schema.sessions import sessions_of  # noqa: PLC0415 (cycle)

        user_id = self._document["_id"]
        if not await may_see_private_fields(info, user_id):
            return None
        return await sessions_of(user_id)

    posts = relation_field(
        PostRef,
        posts_service.PUBLISHED_POSTS_OF_AUTHOR,
        sort=PostSortRef,
        description="This user's published posts.",
    )

    @connection_field(OrderRef, description="This user's orders.", nullable=True)
    async def orders(
        self, info: Info, sort: OrderSortRef = _OrderSort.NEWEST_FIRST
    ) -> PageSource | None:
        user_id = self._document["_id"]
        if not await may_see_private_fields(info, user_id):
            return None
        return orders_service.ORDERS_OF_USER.of(user_id, sort)


@strawberry.input(description="Which users to list. All conditions must hold.")
class UserFilter:
    is_active: bool = strawberry.field(
        default=True, description="Deactivated users are listed with `false`."
    )
    role: Role | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@strawberry.input(description="Only the fields given are changed.")
class UpdateProfileInput:
    username: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET


@strawberry.type
class UserQueries:
    @strawberry.field(
        description="The signed-in user; null without a token (a token that is not valid "
        "is UNAUTHENTICATED)."
    )
    async def me(self, info: Info) -> User | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        # A cached session carries no profile (it would go stale): read the user now.
        doc = viewer.user or await info.context.loaders.user_by_id.load(viewer.user_id)
        return User.from_document(doc) if doc else None

    @strawberry.field(
        description="A user's public profile by id, or null if there is none.",
        metadata=lookup("user_by_id", "User"),
    )
    async def user(self, info: Info, id: strawberry.ID) -> User | None:
        doc = await info.context.loaders.user_by_id.load(parse_id(id, "User"))
        return User.from_document(doc) if doc else None

    @connection_field(
        User,
        description="All users, newest first unless `sort` says otherwise. Administrators only.",
        permission_classes=[IsAdmin],
    )
    async def users(
        self, info: Info, filter: UserFilter | None = None, sort: UserSort = _UserSort.NEWEST_FIRST
    ) -> PageSource | None:
        return service.list_users(**vars(filter or UserFilter()), sort=sort)


@strawberry.type
class UserMutations:
    @strawberry.mutation(
        description="Change your own username and/or email.", permission_classes=[IsAuthenticated]
    )
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> User:
        viewer = await require_viewer(info)
        return User.from_document(await service.update_profile(viewer.user_id, given(input)))

    @strawberry.mutation(
        description="Deactivate an account (yours; administrators: anyone's). The user and their "
        "data are kept, their sessions end; calling it again changes nothing. The last active "
        "administrator can't be deactivated (LAST_ADMIN).",
        permission_classes=[IsAuthenticated],
    )
    async def deactivate_user(self, info: Info, id: strawberry.ID) -> User:
        user_id = parse_id(id, "User")
        ensure_can_act_on_user(await require_viewer(info), user_id)
        return User.from_document(await service.deactivate_user(user_id))
