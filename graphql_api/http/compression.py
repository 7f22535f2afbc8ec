"""Response compression: zstd, br or gzip by `Accept-Encoding`, above a size.

starlette-compress picks the best encoding the client accepts and leaves small
bodies alone. Streams are never compressed: a multipart (`@defer`) or event
stream must reach the client part by part, and a compressor would hold parts
back. WebSockets pass through untouched (HTTP scope only).
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette_compress import CompressMiddleware, add_compress_type, remove_compress_type

from graphql_api.http.negotiation import GRAPHQL_RESPONSE_JSON

add_compress_type(GRAPHQL_RESPONSE_JSON)
remove_compress_type("multipart/mixed")
remove_compress_type("text/event-stream")


def compression(minimum_size: int) -> Middleware:
    return Middleware(CompressMiddleware, minimum_size=minimum_size)


__all__ = ["compression"]
