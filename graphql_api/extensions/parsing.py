"""Parsing once per distinct document, without letting a syntax error escape."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import ParserCache


class CachedParsing(ParserCache):
    """Strawberry's parser cache, minus one flaw: a syntax error raised in the cache
    escapes the operation (and so error formatting). On failure, leave parsing to
    Strawberry, which reports it as a normal GraphQL error."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield
