"""OpenTelemetry tracing (the optional `otel` extra): off by default, and when on, one
trace per operation with MongoDB commands inside it and no argument values."""

from __future__ import annotations

import subprocess
import sys
import uuid

import orjson
import pytest

from tests.servers import clean_env

pytest.importorskip("opentelemetry.sdk", reason="the otel extra is not installed")
pytest.importorskip("opentelemetry.instrumentation.pymongo")

# tests/tracing_probe.py runs in a subprocess: a tracer provider and PyMongo's
# instrumentation are process-wide.


def test_operations_and_their_mongodb_commands_are_traced(mongodb_url):
    database = f"trace_{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [sys.executable, "-m", "tests.tracing_probe", mongodb_url, database],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    spans = orjson.loads(result.stdout.strip().splitlines()[-1])
    names = [s["name"] for s in spans]
    assert "GraphQL Query: Catalogue" in names
    catalogue = next(s for s in spans if s["name"] == "GraphQL Query: Catalogue")
    in_trace = [s for s in spans if s["trace"] == catalogue["trace"]]
    assert any(s["attributes"].get("db.system") == "mongodb" for s in in_trace), in_trace
    assert any(s["name"] == "GraphQL Parsing" for s in in_trace)
    # Argument values and query texts (a password here) are never recorded, and MongoDB
    # statements are command names only.
    assert "GraphQL Query: SignUp" in names
    assert b"hunter2" not in orjson.dumps(spans)
    statements = [
        s["attributes"]["db.statement"] for s in spans if "db.statement" in s["attributes"]
    ]
    assert statements and all(" " not in statement for statement in statements)


def test_tracing_is_off_by_default_and_not_even_imported(mongodb_url):
    probe = (
        "import sys; from graphql_api.app import create_app; create_app(); "
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('opentelemetry')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=clean_env(MONGODB_URL=mongodb_url),
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"
    enabled = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=clean_env(MONGODB_URL=mongodb_url, OTEL_ENABLED="true", OTEL_TRACES_EXPORTER="none"),
        timeout=60,
        check=True,
    )
    assert enabled.stdout.strip() == "['opentelemetry']"
