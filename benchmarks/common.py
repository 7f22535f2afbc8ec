"""What the benchmark servers share: the command counter route and settings."""

from __future__ import annotations

import gc
import os

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graphql_api.monitoring import CommandCounter

COUNTER = CommandCounter()
MONGODB_URL = os.environ["MONGODB_URL"]
DATABASE = os.environ.get("MONGODB_DATABASE", "graphql_api_bench")


async def commands(request: Request) -> JSONResponse:
    """GET: commands sent since the last reset; DELETE: reset."""
    if request.method == "DELETE":
        COUNTER.reset()
    return JSONResponse({"total": COUNTER.total, "by_name": dict(COUNTER.commands)})


async def collect(request: Request) -> JSONResponse:
    """POST: a full garbage collection, so that memory is read after it settles."""
    return JSONResponse({"collected": gc.collect()})


COMMANDS_ROUTE = Route("/_bench/commands", commands, methods=["GET", "DELETE"])
GC_ROUTE = Route("/_bench/gc", collect, methods=["POST"])
