"""POST bodies, checked before Strawberry reads them, and decoded only once.

Strawberry answers some malformed bodies in plain text and fails on others with
a 500; here each is refused with its status and an `extensions.code`. The JSON
this check decodes is kept for the request's task, so Strawberry's own parse of
the same bytes reuses it instead of decoding the body a second time.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from strawberry.http.parse_content_type import parse_content_type

from graphql_api.http.errors import BAD_REQUEST, JSON, TransportError
from graphql_api.validation import decode_json

# The body this request's check decoded, so that Strawberry's parse (same task,
# same bytes object) reuses it instead of decoding the JSON a second time.
_checked_body: ContextVar[tuple[bytes, object] | None] = ContextVar("checked_body", default=None)

_EXPECTED = {"query": str, "operationName": str, "variables": dict, "extensions": dict}


async def check_post_body(request: Any) -> None:
    """Refuse, with a code, what Strawberry would refuse in text or fail on with a 500."""
    media_type, _ = parse_content_type(request.content_type or "")
    if media_type != JSON:
        raise TransportError(
            415,
            f"Send the operation as {JSON} (got {media_type or 'no content type'}).",
            "UNSUPPORTED_MEDIA_TYPE",
        )
    body = await request.get_body()
    if not body.strip():
        raise TransportError(400, "The request body is empty.", BAD_REQUEST)
    try:
        data = decoded_body(body)
    except json.JSONDecodeError as error:
        raise TransportError(
            400, f"The request body is not valid JSON in UTF-8: {error}", BAD_REQUEST
        ) from error
    if isinstance(data, list):
        raise TransportError(
            400,
            "Batched operations are not supported: send one per request.",
            "BATCH_NOT_SUPPORTED",
        )
    if not isinstance(data, dict):
        raise TransportError(400, "The request body must be a JSON object.", BAD_REQUEST)
    for name, kind in _EXPECTED.items():
        value = data.get(name)
        if value is not None and not isinstance(value, kind):
            what = "a string" if kind is str else "an object"
            raise TransportError(400, f"`{name}` must be {what} or null, if given.", BAD_REQUEST)


def decoded_body(body: bytes) -> object:
    """The POST body as JSON, decoded once per request (the direct answer of
    graphql_api.http.direct, the check above and Strawberry's parse all need it).

    The view's own decoder (graphql_api.validation): values that are JSON but out
    of range (1e400, 2^70) reach the scalars, which refuse them by argument."""
    checked = _checked_body.get()
    if checked is not None and checked[0] is body:
        return checked[1]
    data = decode_json(body)
    _checked_body.set((body, data))
    return data


def decode_request_json(data: str | bytes) -> object:
    """Request JSON through graphql_api.validation's decoder; a body already
    checked by `check_post_body` (the same bytes object) is not decoded again."""
    checked = _checked_body.get()
    if checked is not None and checked[0] is data:
        _checked_body.set(None)
        return checked[1]
    return decode_json(data)


__all__ = ["check_post_body", "decode_request_json", "decoded_body"]
