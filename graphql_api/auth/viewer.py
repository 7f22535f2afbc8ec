"""Who is asking: the signed-in user behind a request, if any."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from graphql_api.models import Role


@dataclass(frozen=True)
class Viewer:
    user_id: ObjectId
    roles: frozenset[str]
    session_id: ObjectId
    user: dict[str, Any]

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN.value in self.roles

    def is_self_or_admin(self, user_id: ObjectId | None) -> bool:
        return self.is_admin or user_id == self.user_id
