"""The status codes of GraphQL over HTTP: refusals before execution, and request errors.

Strawberry refuses in plain text with its own statuses; clients branch on codes,
so each refusal becomes a coded JSON body, and the statuses the spec requires
(405 for a mutation over GET) replace Strawberry's. Under
`application/graphql-response+json`, a request error (no `data`) is a 4xx, or a
5xx when it is not the client's fault.
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from graphql_api.http.errors import BAD_REQUEST, JSON, TransportError, error_response
from graphql_api.http.negotiation import GRAPHQL_RESPONSE_JSON, negotiate

# The status of a request error under application/graphql-response+json, by code:
# refusals that are not the client's fault keep a 5xx, the rest are 400.
REQUEST_ERROR_STATUS = {
    "INTERNAL_SERVER_ERROR": 500,
    "DB_UNAVAILABLE": 503,
    "DB_TIMEOUT": 504,
    "RATE_LIMITED": 429,
}


def request_error_status(errors: list[dict[str, Any]]) -> int:
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    return max((REQUEST_ERROR_STATUS.get(code, 400) for code in codes), default=400)


def transport_error(request: Request, error: HTTPException) -> Response:
    """Strawberry's refusals (plain text by default) as coded JSON."""
    status, code, message = error.status_code, BAD_REQUEST, error.reason
    headers: dict[str, str] = {}
    cause = error.__cause__
    if isinstance(error, TransportError):
        code, headers = error.code, error.headers
    elif status == 405:
        code, headers = "METHOD_NOT_ALLOWED", {"allow": "GET, POST"}
        message = f"{request.method} is not supported: send GET or POST."
    elif status == 404:
        code = "NOT_FOUND"
    elif isinstance(cause, json.JSONDecodeError) and request.method == "GET":
        message = "The `variables` or `extensions` parameter is not valid JSON."
    elif (
        isinstance(cause, InvalidOperationTypeError)
        and cause.operation_type == OperationType.MUTATION
        and request.method == "GET"
    ):
        # GraphQL over HTTP: a mutation over GET MUST be answered 405.
        status, code, headers = 405, "METHOD_NOT_ALLOWED", {"allow": "POST"}
        message = "Mutations are not allowed over GET: send them with POST."
    media_type = negotiate(request.headers.get("accept"))
    response = error_response(
        status,
        message,
        code,
        media_type=GRAPHQL_RESPONSE_JSON if media_type == GRAPHQL_RESPONSE_JSON else JSON,
        headers=headers,
    )
    response.headers.add_vary_header("Accept")
    return response


__all__ = ["REQUEST_ERROR_STATUS", "request_error_status", "transport_error"]
