"""Which stored fields clients see: the one declaration behind every GraphQL type.

A model field annotated with `Exposed(...)` is a field of the model's GraphQL
type, with this description and privacy rule. `graphql_api.schema.stored`
derives the GraphQL field, the projection a selection needs and the conversion
of a document from these markers, so exposing a stored field is one edit here.
Fields without a marker (password hashes, token hashes, foreign keys) are never
shown.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Exposed:
    """Show this stored field in the GraphQL type of its model."""

    description: str | None = None
    #: Visible to the document's owner and to administrators; null for everybody else.
    owner_only: bool = False
    #: The GraphQL name, when not the camelCase of the attribute.
    name: str | None = None
