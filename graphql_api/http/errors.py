"""Transport-level failures as GraphQL-shaped JSON bodies with an `extensions.code`.

Clients branch on codes, never on text: every refusal at the HTTP layer (bad JSON,
wrong content type, a batch, a wrong method, CSRF) answers like a GraphQL error.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from cross_web import HTTPException
from starlette.responses import Response
from starlette.types import Send

JSON = "application/json"
BAD_REQUEST = "BAD_REQUEST"  # the code of a malformed request, when no other fits


class TransportError(HTTPException):
    """A request refused before execution, with the code clients see."""

    def __init__(
        self, status: int, message: str, code: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status, message)
        self.code = code
        self.headers = dict(headers or {})


def error_body(message: str, code: str) -> bytes:
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


def error_response(
    status: int,
    message: str,
    code: str,
    *,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        error_body(message, code), status_code=status, media_type=media_type, headers=headers
    )


async def send_error(
    send: Send, status: int, message: str, code: str, headers: Mapping[str, str] | None = None
) -> None:
    """The same answer, from plain ASGI middleware (no Starlette response at hand)."""
    body = error_body(message, code)
    raw = [
        (b"content-type", JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


__all__ = ["BAD_REQUEST", "JSON", "TransportError", "error_body", "error_response", "send_error"]
