"""The sub-response resolvers may set a status, headers or cookies on.

Strawberry's own (`Response()`, then its status and `content-length` taken away)
renders an empty body and builds headers only to delete them, on every request.
This is the same object without that work: no status yet, no headers.
"""

from __future__ import annotations

from starlette.responses import Response


class SubResponse(Response):
    def __init__(self, media_type: str | None = None) -> None:  # no super(): nothing to render
        self.status_code = None  # type: ignore[assignment]  # unset: the view decides
        self.media_type = media_type
        self.background = None
        self.body = b""
        self.raw_headers = []


__all__ = ["SubResponse"]
