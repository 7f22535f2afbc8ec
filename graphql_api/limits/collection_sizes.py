"""Collection sizes for pricing scans, kept out of the request's way.

A scan-shaped field costs the documents it may examine (see `cost.SCANS`), so
pricing needs the size of what it scans; reading it for every operation would
put a database round trip in front of every refusal.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

from pymongo.errors import PyMongoError

logger = logging.getLogger(__name__)

# Collections whose size prices a scan of them (see `cost.SCANS`).
SCANNED_COLLECTIONS = ("posts", "products")


class CollectionSizes:
    """Estimated document counts, read once and then refreshed in the background.

    Costs are computed for every operation: they must not wait for the database,
    except the very first time (one `count` per collection, per process).
    """

    def __init__(self, refresh_s: float) -> None:
        self.refresh_s = refresh_s
        self.sizes: dict[str, int] = {}
        self._read_at = -math.inf
        self._task: asyncio.Task[None] | None = None

    async def current(self, database: Any) -> dict[str, int]:
        if not self.sizes:
            await self._read(database)
        elif time.monotonic() - self._read_at > self.refresh_s and (
            self._task is None or self._task.done()
        ):
            self._task = asyncio.create_task(self._read(database))
        return self.sizes

    async def _read(self, database: Any) -> None:
        self._read_at = time.monotonic()
        try:
            for name in SCANNED_COLLECTIONS:
                self.sizes[name] = await database.db[name].estimated_document_count()
        except PyMongoError as exc:  # keep what we had; the next operation tries again
            logger.warning("Could not read collection sizes for costs: %r", exc)
            self._read_at = -math.inf
