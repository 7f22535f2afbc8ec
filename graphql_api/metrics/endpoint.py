"""`GET /metrics`: the exposition, for this process or for all workers, behind an optional token.

Several processes (`--workers`, gunicorn): with `PROMETHEUS_MULTIPROC_DIR` set, the
workers write their samples to that shared folder and any worker's answer adds
them all up (prometheus-client's multiprocess mode). Without it, each process
answers for itself. The token is compared in constant time.
"""

from __future__ import annotations

import os
import secrets

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

from graphql_api.metrics import tally


def exposition() -> bytes:
    tally.flush()  # this process's samples are exact; other workers' within a second
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def metrics_endpoint(token: str | None):
    """`GET /metrics`; with a token, only for `Authorization: Bearer <token>`."""

    async def endpoint(request: Request) -> Response:
        if token is not None:
            sent = request.headers.get("authorization", "")
            if not secrets.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                return Response(
                    "Unauthorized\n",
                    status_code=401,
                    headers={"www-authenticate": 'Bearer realm="metrics"'},
                    media_type="text/plain",
                )
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return endpoint


__all__ = ["exposition", "metrics_endpoint"]
