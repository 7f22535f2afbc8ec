"""One structured log line per GraphQL operation, for operators.

It says which operation ran, how long it took and how it ended (with the
error codes), and who asked; never variables or tokens, which may hold secrets.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import orjson
from strawberry.extensions import SchemaExtension

logger = logging.getLogger("graphql_api.requests")


class RequestLog(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        if not logger.isEnabledFor(logging.INFO):
            return
        context = self.execution_context
        result = context.result
        errors = getattr(result, "errors", None) or context.pre_execution_errors or []
        codes = sorted({(error.extensions or {}).get("code", "?") for error in errors})
        viewer = getattr(context.context, "known_viewer", None)
        try:
            kind = context.operation_type.value
        except RuntimeError:
            kind = None  # the document did not parse
        record = {
            "operation": context.operation_name or "anonymous",
            "type": kind,
            "duration_ms": round(1000 * (time.perf_counter() - started), 2),
            "outcome": "error" if codes else "ok",
            "error_codes": codes,
            "user": str(viewer.user_id) if getattr(viewer, "user_id", None) else None,
        }
        logger.info(orjson.dumps(record).decode())
