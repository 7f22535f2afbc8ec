"""The frames of a multipart (@defer/@stream) answer, with unexpected errors masked.

Strawberry hands the later frames over as graphql-core made them, past the
schema extensions that mask errors (ClientErrors masks the first frame only), so
an error without a code would reach the client with its internal message.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from graphql_api.extensions.errors import INTERNAL_MESSAGE

logger = logging.getLogger("graphql_api.errors")


def client_error(error: dict[str, Any]) -> dict[str, Any]:
    if (error.get("extensions") or {}).get("code"):
        return error  # an expected failure (graphql_api.errors): it carries its code
    logger.error("Masked an error of a deferred/streamed payload: %r", error)
    return {**error, "message": INTERNAL_MESSAGE, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}


def encode_frame(data: object) -> str:
    """One frame as JSON text, its uncoded errors masked and a null `extensions` left out."""
    if isinstance(data, dict):
        for key in ("incremental", "completed"):
            for entry in data.get(key) or ():
                if entry.get("errors"):
                    entry["errors"] = [client_error(error) for error in entry["errors"]]
        if data.get("extensions", ...) is None:
            del data["extensions"]
    return orjson.dumps(data).decode()


__all__ = ["client_error", "encode_frame"]
