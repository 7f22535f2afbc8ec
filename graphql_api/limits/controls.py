"""One set of cost controls per app and process, found from its database.

The budgets, sizes and gate are state the schema's extensions, resolvers and
the ASGI middleware must share; they all hold the app's database, so the
controls hang off it (weakly: a closed app's controls go with it).
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Any

from graphql_api.limits.buckets import Buckets
from graphql_api.limits.collection_sizes import CollectionSizes
from graphql_api.limits.scan_gate import ScanGate
from graphql_api.settings import Settings

#: Field metadata of a resolver that takes a scan slot itself: such work must run
#: once per operation, so the planned executor leaves these fields to graphql-core
#: (a plan that fell back would scan twice, the second time refused by the gate).
SCAN_SHAPED = "graphql_api.scan_shaped"


class CostControls:
    """One process's budgets, collection sizes and scan gate."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.buckets = Buckets(
            settings.cost_budget_capacity,
            settings.cost_budget_restore_per_s,
            settings.cost_budget_max_clients,
        )
        self.sizes = CollectionSizes(settings.cost_collection_size_refresh_s)
        self.gate = ScanGate(
            slots=settings.max_concurrent_scans,
            max_time_s=settings.scan_max_time_ms / 1000,
            share=settings.scan_time_share,
        )


_controls: weakref.WeakKeyDictionary[Any, CostControls] = weakref.WeakKeyDictionary()


def cost_controls(database: Any, settings: Settings) -> CostControls:
    """The controls of the app that owns `database` (one per process and app)."""
    controls = _controls.get(database)
    if controls is None:
        controls = _controls[database] = CostControls(settings)
    return controls


def existing_controls(database: Any) -> CostControls | None:
    """The controls of `database` if an operation has made them, else None (never
    makes them: before any operation, no client can be in debt)."""
    return _controls.get(database)


def scan_slot(info: Any) -> contextlib.AbstractAsyncContextManager[None]:
    """`async with scan_slot(info):` around a resolver's scan-shaped database work."""
    context = info.context
    return cost_controls(context.database, context.settings).gate.slot()
