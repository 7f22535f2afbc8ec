"""OpenTelemetry tracing, off unless `OTEL_ENABLED=true` (needs the `otel` extra).

A span per GraphQL operation and its phases and resolvers (Strawberry's
extension), with MongoDB commands as child spans (PyMongo's instrumentation).
Argument values and query texts are never recorded (they may hold
passwords), nor MongoDB statements (only command names). The exporter is OTLP
over HTTP, configured by the standard `OTEL_EXPORTER_OTLP_*` and
`OTEL_SERVICE_NAME` variables; a process that set a tracer provider of its own
(tests, a platform's agent) keeps it.

Nothing here is imported unless tracing is on: the packages are optional.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

logger = logging.getLogger(__name__)

MISSING = (
    'OTEL_ENABLED=true needs the OpenTelemetry packages: pip install "graphql-api[otel]" '
    '(from a checkout: pip install -e ".[otel]").'
)


def _no_arguments(arguments: dict[str, Any], info: Any) -> dict[str, Any]:
    return {}


def enable_tracing() -> None:
    """Set up the tracer provider (unless one exists) and PyMongo's instrumentation,
    before the MongoDB client is made (the driver's listeners are fixed then)."""
    try:
        from opentelemetry import trace
        from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
    except ImportError as error:
        raise SystemExit(MISSING) from error

    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        # Nobody set one yet: ours, exporting OTLP as the OTEL_* variables say.
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        os.environ.setdefault("OTEL_SERVICE_NAME", "graphql_api")
        provider = TracerProvider(resource=Resource.create())
        if os.environ.get("OTEL_TRACES_EXPORTER", "otlp") != "none":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        logger.info("OpenTelemetry tracing on, exporting OTLP over HTTP")
    PymongoInstrumentor().instrument()  # idempotent; statements are not captured


def tracing_extension() -> type:
    """Strawberry's OpenTelemetry extension, for the schema."""
    try:
        from strawberry.extensions.tracing import OpenTelemetryExtension
    except ImportError as error:
        raise SystemExit(MISSING) from error

    class Tracing(OpenTelemetryExtension):
        """Strawberry's extension, recording neither argument values nor the query text
        (a client may inline a password in it): the operation's name says which it was."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(arg_filter=_no_arguments, **kwargs)

        def on_operation(self) -> Iterator[None]:
            context = self.execution_context
            query, context.query = context.query, None  # hidden while the span starts
            hooks = super().on_operation()
            try:
                next(hooks)
            finally:
                context.query = query
            yield
            next(hooks, None)

    return Tracing
