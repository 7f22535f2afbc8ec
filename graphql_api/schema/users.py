"""Users: sign-up, profile, deactivation, the user directory, a user's posts and orders."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graphql_api import models
from graphql_api.schema.connections import Connection, connection
from graphql_api.schema.context import Info, page_request
from graphql_api.schema.relay import Node, parse_id, to_global_id
from graphql_api.schema.selection import projection
from graphql_api.services import users as service
from graphql_api.services.orders import OrderSort as _OrderSort
from graphql_api.services.posts import PostSort as _PostSort
from graphql_api.services.users import UserSort as _UserSort

if TYPE_CHECKING:
    from graphql_api.schema.orders import Order, OrderSort
    from graphql_api.schema.posts import Post, PostSort

Role = strawberry.enum(models.Role, description="What a user may do beyond the basics.")
UserSort = strawberry.enum(_UserSort, name="UserSort", description="Orders of the user list.")

PostRef = Annotated["Post", strawberry.lazy("graphql_api.schema.posts")]
PostSortRef = Annotated["PostSort", strawberry.lazy("graphql_api.schema.posts")]
OrderRef = Annotated["Order", strawberry.lazy("graphql_api.schema.orders")]
OrderSortRef = Annotated["OrderSort", strawberry.lazy("graphql_api.schema.orders")]

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
}


@strawberry.type(description="A person with an account.")
class User(Node):
    database_id: str = strawberry.field(description="The MongoDB ObjectId, as hex.")
    username: str
    email: str
    roles: list[Role]
    is_active: bool = strawberry.field(description="False once the account is deactivated.")
    credits: int
    created_at: datetime
    updated_at: datetime
    deactivated_at: datetime | None

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
    ) -> Connection[OrderRef]:
        from graphql_api.schema.orders import orders_of_user  # noqa: PLC0415 (cycle)

        return await orders_of_user(info, self, sort, page_request(first, after, last, before))

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "User":
        get = doc.get
        return cls(
            id=to_global_id("User", doc["_id"]),
            database_id=str(doc["_id"]),
            username=get("username"),
            email=get("email"),
            roles=[models.Role(role) for role in get("roles", ())],
            is_active=get("is_active"),
            credits=get("credits"),
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


@strawberry.type
class UserQueries:
    @strawberry.field(description="A user by id, or null if there is none.")
    async def user(self, info: Info, id: strawberry.ID) -> User | None:
        doc = await info.context.loaders.user_by_id.load(parse_id(id, "User"))
        return User.from_document(doc) if doc else None

    @strawberry.field(description="Users, newest first unless `sort` says otherwise.")
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
    @strawberry.mutation(description="Create an account. Username and email must be unused.")
    async def sign_up(self, input: SignUpInput) -> User:
        return User.from_document(await service.sign_up(username=input.username, email=input.email))

    @strawberry.mutation(description="Change username and/or email.")
    async def update_profile(self, id: strawberry.ID, input: UpdateProfileInput) -> User:
        return User.from_document(await service.update_profile(parse_id(id, "User"), given(input)))

    @strawberry.mutation(
        description="Deactivate an account. The user and their data are kept; "
        "calling it again changes nothing."
    )
    async def deactivate_user(self, id: strawberry.ID) -> User:
        return User.from_document(await service.deactivate_user(parse_id(id, "User")))
