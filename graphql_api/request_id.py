"""A request id per HTTP request and WebSocket connection, in and out as `X-Request-ID`.

A client (or the proxy in front) may send its own id, so that its logs and ours
meet; it is accepted only if short and plain (it ends up in every log line),
otherwise a fresh one is made. The id lives in a context variable for the
request's task, so every log line of that request carries it.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
# Letters, digits and `-_.:`, up to 128: UUIDs, ULIDs, trace ids and the like.
_VALID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

current: ContextVar[str | None] = ContextVar("request_id", default=None)


def accept_or_make(value: bytes | None) -> str:
    """The client's id when it is acceptable, else a new random one."""
    if value is not None:
        text = value.decode("latin-1")
        if _VALID.fullmatch(text):
            return text
    return _uuid4_hex()


def _uuid4_hex() -> str:
    """`uuid.uuid4().hex`, the same 122 random bits, version and variant, without
    building a UUID object (a few microseconds a request)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw.hex()


class RequestId:
    """ASGI middleware: set the id for the request (or socket) and return it in the header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = accept_or_make(dict(scope["headers"]).get(HEADER.encode()))
        token = current.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current.reset(token)
