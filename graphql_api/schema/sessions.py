"""Session data stored under a key, expiring unless used."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from graphql_api.schema.relay import parse_optional_id, to_global_id
from graphql_api.services import sessions as service


@strawberry.type(description="Data kept for a client between requests; gone after `expiresAt`.")
class Session:
    key: str
    user_id: strawberry.ID | None
    data: JSON
    created_at: datetime
    updated_at: datetime
    expires_at: datetime

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "Session":
        return cls(
            key=doc["key"],
            user_id=to_global_id("User", doc["user_id"]) if doc.get("user_id") else None,
            data=doc.get("data", {}),
            created_at=doc["created_at"],
            updated_at=doc["updated_at"],
            expires_at=doc["expires_at"],
        )


@strawberry.input
class UpsertSessionInput:
    key: str
    data: JSON = strawberry.field(description="A JSON object; replaces the stored data.")
    ttl_seconds: int = strawberry.field(
        default=1800, description="Expire this long after the last write (sliding)."
    )
    user_id: strawberry.ID | None = None


@strawberry.type
class SessionQueries:
    @strawberry.field(description="A live session by key, or null if absent or expired.")
    async def session(self, key: str) -> Session | None:
        doc = await service.get_session(key)
        return Session.from_document(doc) if doc else None


@strawberry.type
class SessionMutations:
    @strawberry.mutation(description="Create or replace a session's data and extend its expiry.")
    async def upsert_session(self, input: UpsertSessionInput) -> Session:
        return Session.from_document(
            await service.upsert_session(
                key=input.key,
                data=input.data,
                ttl_seconds=input.ttl_seconds,
                user_id=parse_optional_id(input.user_id, "User", "userId"),
            )
        )
