"""Who is asking: the signed-in user behind a request, if any."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from graphql_api.models import Role


@dataclass(frozen=True)
class Viewer:
    user_id: ObjectId
    roles: frozenset[str]
    session_id: ObjectId
    # The user document as read with the session; None when the session came from
    # the cache (profile fields change without a session change: read them afresh).
    user: dict[str, Any] | None
    # When the session expires and when it was last slid (None: not known here).
    expires_at: datetime | None = None
    touched_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN.value in self.roles

    def is_self_or_admin(self, user_id: ObjectId | None) -> bool:
        return self.is_admin or user_id == self.user_id
