"""A request id per HTTP request and WebSocket connection, in and out as `X-Request-ID`.

A client (or the proxy in front) may send its own id, so that its logs and ours
meet; it is accepted only if short and plain (it ends up in every log line),
otherwise a fresh one is made. The id lives in a context variable for the
request's task, so every log line of that request carries it.
"""

from __future__ import annotations

import random
import re
from contextvars import ContextVar

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
    """`uuid.uuid4().hex`'s form (122 random bits, version 4, RFC 4122 variant), from
    `random` rather than `os.urandom`: an id to find log lines by, not a secret, so
    no system call per request (random reseeds itself in a forked child)."""
    return "%032x" % (_bits(128) & _UUID4_MASK | _UUID4_MARKS)


def put_header(message: Message, value: str) -> None:
    """`MutableHeaders(scope=message)[HEADER] = value` (the first such header replaced,
    the others dropped, else added to a copy of the list), without building the
    `MutableHeaders` and its lower-casing (1.6 → 0.5 µs an answer)."""
    raw = message["headers"] = list(message.get("headers", ()))
    found = [index for index, (name, _) in enumerate(raw) if name == _HEADER]
    for index in reversed(found[1:]):
        del raw[index]
    if found:
        raw[found[0]] = (_HEADER, value.encode("latin-1"))
    else:
        raw.append((_HEADER, value.encode("latin-1")))


_HEADER = HEADER.encode()
_bits = random.getrandbits
_UUID4_MASK = 0xFFFFFFFF_FFFF_0FFF_3FFF_FFFFFFFFFFFF
_UUID4_MARKS = 0x00000000_0000_4000_8000_000000000000


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
                put_header(message, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current.reset(token)
