"""CORS for browsers on other origins, by the `ALLOWED_ORIGINS` setting.

Starlette's CORSMiddleware does the work; this only makes its refusals speak
JSON with a code like every other refusal. With no allowed origins (the default)
only same-origin pages can use the API from a browser: they need no CORS.
`*` allows every origin but never together with credentials (the settings refuse
that pair), so no origin ever gets credentialed access by wildcard.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from graphql_api.http.errors import error_response

ALLOWED_HEADERS = (
    "authorization",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "x-request-id",
)
EXPOSED_HEADERS = ("x-request-id",)
CODE = "CORS_NOT_ALLOWED"


class CORS(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-type", "content-length")
        }
        reason = response.body.decode(errors="replace")  # "Disallowed CORS origin, ..."
        return error_response(400, f"{reason}.", CODE, headers=headers)


__all__ = ["ALLOWED_HEADERS", "CODE", "CORS", "EXPOSED_HEADERS"]
