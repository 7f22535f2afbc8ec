"""Sign-in sessions as their owner sees them, and data kept on the current session."""

from datetime import datetime
from typing import Any

import orjson
import strawberry
from bson import ObjectId
from pymongo import ReturnDocument
from strawberry.scalars import JSON

from graphql_api.auth import sessions as auth_sessions
from graphql_api.auth.rules import IsAuthenticated, require_viewer
from graphql_api.errors import BadUserInput, Unauthenticated
from graphql_api.models import Session as SessionDocument
from graphql_api.models import utcnow
from graphql_api.schema.context import Info
from graphql_api.validation import validate_fields

MAX_DATA_BYTES = 16 * 1024
MAX_DATA_DEPTH = 20


def _check_shape(value: Any, depth: int = 0) -> None:
    """Bounded nesting, and keys MongoDB stores as they are ($ would be an operator)."""
    if depth > MAX_DATA_DEPTH:
        raise BadUserInput(
            f"Session data nests deeper than {MAX_DATA_DEPTH} levels.", argument="data"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("$") or "\x00" in key:
                raise BadUserInput(f"Key {key!r} is not allowed in session data.", argument="data")
            _check_shape(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_shape(item, depth + 1)


@strawberry.type(description="A sign-in session. Its token is never shown again after login.")
class Session:
    id: strawberry.ID
    current: bool = strawberry.field(description="True for the session making this request.")
    data: JSON = strawberry.field(description="What the client keeps on this session.")
    user_agent: str | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime

    @classmethod
    def from_document(cls, doc: dict[str, Any], current: ObjectId | None) -> "Session":
        return cls(
            id=strawberry.ID(str(doc["_id"])),
            current=doc["_id"] == current,
            data=doc.get("data", {}),
            user_agent=doc.get("user_agent"),
            created_at=doc["created_at"],
            updated_at=doc["updated_at"],
            expires_at=doc["expires_at"],
        )


async def sessions_of(info: Info, user_id: ObjectId) -> list[Session]:
    viewer = await info.context.viewer()
    current = viewer.session_id if viewer else None
    return [Session.from_document(doc, current) for doc in await auth_sessions.of_user(user_id)]


@strawberry.type
class SessionMutations:
    @strawberry.mutation(
        description="Replace the data kept on the current session and slide its expiry "
        "(at most 16 KiB of JSON object).",
        permission_classes=[IsAuthenticated],
    )
    async def set_session_data(self, info: Info, data: JSON) -> Session:
        viewer = await require_viewer(info)
        values = validate_fields(SessionDocument, {"data": data})
        _check_shape(values["data"])
        if len(orjson.dumps(values["data"])) > MAX_DATA_BYTES:
            raise BadUserInput("Session data is limited to 16 KiB.", argument="data")
        now = utcnow()
        ttl = info.context.settings.session_ttl_seconds
        doc = await auth_sessions.collection().find_one_and_update(
            {"_id": viewer.session_id},
            {
                "$set": {
                    "data": values["data"],
                    "updated_at": now,
                    "expires_at": datetime.fromtimestamp(now.timestamp() + ttl, now.tzinfo),
                }
            },
            projection={"token_hash": 0},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:  # logged out meanwhile
            raise Unauthenticated("This session has ended.")
        return Session.from_document(doc, viewer.session_id)
