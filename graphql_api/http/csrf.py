"""CSRF prevention for `/graphql`, as Apollo Server does it by default.

A browser sends some requests cross-site without asking the server first (no CORS
preflight): GETs, and POSTs with a "simple" content type (`text/plain`, form
encodings). The page can't read the answer, but the operation runs, with whatever
the browser attaches. So an operation request is executed only if a browser could
not have sent it without a preflight: it has a non-simple `Content-Type` (such as
`application/json`), or a non-empty `Apollo-Require-Preflight` /
`X-Apollo-Operation-Name` header, or a bearer `Authorization` header (no browser
adds one on its own; cached Basic credentials it does, so those don't count).

A GET is refused only when it carries ambient credentials, the ones a browser
attaches by itself (a `Cookie`, or an `Authorization` that is not a bearer token).
This API signs in with bearer tokens alone, so a cross-site GET without them runs
as an anonymous query (GET never runs a mutation): it learns nothing a script
could not fetch directly, and plain GraphQL-over-HTTP clients (and the spec's
conformance audit) need no extra header. A GET without a query string (the
GraphiQL page) executes nothing and passes. Simple POSTs (form encodings,
`text/plain`) are always refused. Other methods are not operations (the view
answers 405), OPTIONS is for CORS.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.http.errors import send_error

SIMPLE_CONTENT_TYPES = frozenset(
    {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
)
PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name")
CODE = "PREFLIGHT_REQUIRED"
MESSAGE = (
    "This request has been blocked as a potential Cross-Site Request Forgery (CSRF). "
    "Send it with a Content-Type other than text/plain, application/x-www-form-urlencoded "
    "or multipart/form-data (e.g. application/json), or with a non-empty "
    "'Apollo-Require-Preflight' or 'X-Apollo-Operation-Name' header."
)


def needs_no_preflight(method: str, query_string: bytes, headers: Headers) -> bool:
    """True if a browser could have sent this operation cross-site without a preflight."""
    if method == "GET" and not query_string:
        return False  # the explorer page: nothing is executed
    if any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS):
        return False
    authorization = headers.get("authorization", "").strip()
    if authorization.lower().startswith("bearer "):
        return False
    content_type = headers.get("content-type")
    if content_type is not None:
        media = content_type.split(";", 1)[0].strip().lower()
        if media and media not in SIMPLE_CONTENT_TYPES:
            return False
    if method == "GET":
        # Without credentials a browser adds by itself it runs as anyone could.
        return bool(headers.get("cookie", "").strip() or authorization)
    return True


def _route_path(scope: Scope) -> str:
    """The path the router matches: under `--root-path /api`, `/api/graphql` is `/graphql`."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class CSRFPrevention:
    """Refuse, with 400 `PREFLIGHT_REQUIRED`, GET/POST operations to `path` a browser
    could send cross-site without a preflight (see the module docstring)."""

    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and _route_path(scope) == self.path
            and scope["method"] in ("GET", "POST")
            and needs_no_preflight(
                scope["method"], scope.get("query_string", b""), Headers(scope=scope)
            )
        ):
            await send_error(send, 400, MESSAGE, CODE)
            return
        await self.app(scope, receive, send)


__all__ = ["CODE", "CSRFPrevention", "needs_no_preflight"]
