"""Sign-in sessions as their owner sees them, and data kept on the current session."""

import strawberry

from graphql_api import models
from graphql_api.auth.rules import IsAuthenticated, require_viewer
from graphql_api.schema.context import Info
from graphql_api.schema.scalars import JSON
from graphql_api.schema.stored import reads, stored_type
from graphql_api.services import sessions as service


async def _is_current(root: "Session", info: Info) -> bool:
    viewer = await info.context.viewer()
    return viewer is not None and viewer.session_id == root._document["_id"]


@stored_type(
    models.Session,
    description="A sign-in session. Its token is never shown again after login.",
    identity="plain",
)
class Session:
    current: bool = strawberry.field(
        resolver=_is_current,
        description="True for the session making this request.",
        metadata=reads(),
    )


async def sessions_of(user_id: object) -> list[Session]:
    return [Session.from_document(doc) for doc in await service.sessions_of(user_id)]


@strawberry.type
class SessionMutations:
    @strawberry.mutation(
        description="Replace the data kept on the current session and slide its expiry "
        "(at most 16 KiB of JSON object).",
        permission_classes=[IsAuthenticated],
    )
    async def set_session_data(self, info: Info, data: JSON) -> Session:
        viewer = await require_viewer(info)
        ttl = info.context.settings.session_ttl_seconds
        return Session.from_document(await service.set_data(viewer.session_id, data, ttl))
