"""Cache-Control for GET operations, so a CDN may keep what every viewer would see.

Persisted operations are what make GET queries short enough to cache, hence this
lives with them. Public only for an anonymous request's whole, error-free query
result; a signed-in request is `private, no-store`, anything else `no-store`
(errors too: a CDN must not keep a miss).
"""

from __future__ import annotations

from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType


def set_cache_headers(context: ExecutionContext, max_age_s: int) -> None:
    """Sets `cache-control` on the HTTP response of a GET; leaves anything else alone."""
    connection = getattr(context.context, "request", None)
    response = getattr(context.context, "response", None)
    if response is None or connection is None or connection.scope.get("method") != "GET":
        return
    headers = response.headers
    signed_in = getattr(context.context, "token", None) is not None or any(
        name in connection.headers for name in ("authorization", "cookie")
    )
    if signed_in:
        headers["cache-control"] = "private, no-store"
        return
    result = context.result
    try:
        is_query = context.operation_type is OperationType.QUERY
    except RuntimeError:
        is_query = False
    # Only a whole, error-free result: an incremental (@defer/@stream) one has no
    # `errors` yet, and its multipart answer carries no `Vary: Accept` either.
    whole = result is not None and hasattr(result, "errors")
    if max_age_s > 0 and is_query and whole and not result.errors:
        headers["cache-control"] = f"public, max-age={max_age_s}"
        response.headers.add_vary_header("Authorization")
    else:
        headers["cache-control"] = "no-store"


__all__ = ["set_cache_headers"]
