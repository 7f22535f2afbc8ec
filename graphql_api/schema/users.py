"""Users: sign-up, profile, deactivation, the active-user directory."""

from datetime import datetime
from typing import Any

import strawberry

from graphql_api import models
from graphql_api.schema.connections import Connection, connection
from graphql_api.schema.context import Info, page_request
from graphql_api.schema.scalars import to_id
from graphql_api.services import users as service

Role = strawberry.enum(models.Role, description="What a user may do beyond the basics.")


@strawberry.type(description="A person with an account.")
class User:
    id: strawberry.ID
    username: str
    email: str
    roles: list[Role]
    is_active: bool = strawberry.field(description="False once the account is deactivated.")
    credits: int
    created_at: datetime
    updated_at: datetime
    deactivated_at: datetime | None

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "User":
        return cls(
            id=to_id(doc["_id"]),
            username=doc["username"],
            email=doc["email"],
            roles=[models.Role(role) for role in doc.get("roles", ())],
            is_active=doc["is_active"],
            credits=doc["credits"],
            created_at=doc["created_at"],
            updated_at=doc["updated_at"],
            deactivated_at=doc.get("deactivated_at"),
        )


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
    async def user(self, id: strawberry.ID) -> User | None:
        doc = await service.get_user(id)
        return User.from_document(doc) if doc else None

    @strawberry.field(description="Active users, newest first.")
    async def users(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[User]:
        page = await service.list_active_users(
            page_request(first, after, last, before), **info.context.page_limits()
        )
        return connection(page, User.from_document)


@strawberry.type
class UserMutations:
    @strawberry.mutation(description="Create an account. Username and email must be unused.")
    async def sign_up(self, input: SignUpInput) -> User:
        return User.from_document(await service.sign_up(username=input.username, email=input.email))

    @strawberry.mutation(description="Change username and/or email.")
    async def update_profile(self, id: strawberry.ID, input: UpdateProfileInput) -> User:
        return User.from_document(await service.update_profile(id, given(input)))

    @strawberry.mutation(
        description="Deactivate an account. The user and their data are kept; "
        "calling it again changes nothing."
    )
    async def deactivate_user(self, id: strawberry.ID) -> User:
        return User.from_document(await service.deactivate_user(id))
