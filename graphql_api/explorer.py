"""What the GraphiQL page needs beyond its static files: a Content-Security-Policy that
lets it open its WebSocket, and a favicon (browsers ask for /favicon.ico regardless).

CSP Level 3 makes 'self' match ws:/wss: of the page's own host (Chromium 150 does: the
browser test passes without the explicit URLs), but CSP2-only browsers (older Safari) do
not, so the same-origin WebSocket URLs are listed too, computed from the request's Host
(checked first, so a forged Host cannot add directives).
"""

from __future__ import annotations

import re
from pathlib import Path

from starlette.requests import HTTPConnection, Request
from starlette.responses import FileResponse, Response

FAVICON = Path(__file__).parent / "static" / "graphiql" / "favicon.ico"
_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def websocket_sources(connection: HTTPConnection) -> str:
    host = connection.headers.get("host", "")
    if not _HOST.fullmatch(host):
        return ""
    return f" ws://{host} wss://{host}"


def explorer_csp(policy: str, connection: HTTPConnection) -> str:
    """`policy` with the page's own WebSocket URLs added to connect-src."""
    return policy.replace(
        "connect-src 'self'", "connect-src 'self'" + websocket_sources(connection)
    )


async def favicon(request: Request) -> Response:
    return FileResponse(
        FAVICON, media_type="image/x-icon", headers={"cache-control": "max-age=86400"}
    )
