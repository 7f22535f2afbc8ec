"""The realtime side as metrics: open WebSockets, and how late change events reach subscribers.

The lag is measured from MongoDB's own commit time, so it includes the change
stream's delay and the hub's, which is what a subscriber actually waits.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.metrics.definitions import HUB_LAG, WEBSOCKETS
from graphql_api.realtime.parked_socket import parking_of


def observe_change_lag(feed: str, change: object) -> None:
    """How long ago MongoDB committed `change` (its `wallTime`, else its `clusterTime`)."""
    get = getattr(change, "get", None)
    if get is None:
        return
    wall = get("wallTime")
    if wall is not None and hasattr(wall, "timestamp"):
        committed = wall.timestamp()
    elif (cluster := get("clusterTime")) is not None and hasattr(cluster, "time"):
        committed = float(cluster.time)  # whole seconds only
    else:
        return
    HUB_LAG.labels(feed).observe(max(0.0, time.time() - committed))


class CountWebSockets:
    """ASGI middleware: the number of open WebSocket connections."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        WEBSOCKETS.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            parking = parking_of(scope)
            if parking is not None and parking.parked:  # still open: counted until its end
                parking.when_done(WEBSOCKETS.dec)
            else:
                WEBSOCKETS.dec()


__all__ = ["CountWebSockets", "observe_change_lag"]
