"""`schema.graphql` is what clients generate code from: it must be what we serve."""

from pathlib import Path

from graphql_api.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_is_the_served_schema():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "schema.graphql is stale: run `make schema` (graphql-api export-schema) and commit it."
    )
