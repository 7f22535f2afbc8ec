"""What every resolver can reach: the request, settings, database, loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graphql_api.database import Database
from graphql_api.dataloaders import Loaders
from graphql_api.pagination import PageRequest
from graphql_api.settings import Settings


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | None
    settings: Settings
    database: Database
    loaders: Loaders = field(default_factory=Loaders)

    def page_limits(self) -> dict[str, int]:
        return {
            "default_size": self.settings.default_page_size,
            "max_size": self.settings.max_page_size,
        }


Info = strawberry.Info[Context, None]


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    return PageRequest(first=first, after=after, last=last, before=before)
