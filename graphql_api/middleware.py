"""ASGI middleware: request body size limit and a database deadline per request."""

from __future__ import annotations

import orjson
import pymongo
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _error_body(message: str, code: str) -> bytes:

    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


class BodySizeLimit:
    """Answer 413 to request bodies over `max_bytes`, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        # Read the body here (bounded) and hand it on, so a body without a
        # declared length cannot stream past the limit either.
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = _error_body(
            f"The request body is larger than {self.max_bytes} bytes.", "PAYLOAD_TOO_LARGE"
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class DatabaseDeadline:
    """Every MongoDB operation of an HTTP request shares one deadline (PyMongo `timeoutMS`).

    A slow or stuck database then fails the request with DB_TIMEOUT instead of
    hanging it; retries inside the driver stop at the deadline too.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with pymongo.timeout(self.seconds):
            await self.app(scope, receive, send)


__all__ = ["BodySizeLimit", "DatabaseDeadline"]
