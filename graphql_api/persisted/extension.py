"""The schema extension that turns a hash into the document to run, or refuses it.

It runs before parsing, for every transport (HTTP, WebSockets): APQ lookups and
registrations, trusted documents, and with `TRUSTED_DOCUMENTS_ONLY` the refusal
of anything else. A refusal becomes the operation's validation error rather than
an exception, which Strawberry's streaming path would not report.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphql_api.errors import APIError, BadUserInput
from graphql_api.persisted.caching import set_cache_headers
from graphql_api.persisted.errors import (
    PersistedQueryHashMismatch,
    PersistedQueryNotFound,
    PersistedQueryNotInList,
    PersistedQueryNotSupported,
)
from graphql_api.persisted.manifest import document_hash, load_trusted_documents
from graphql_api.persisted.registry import QueryRegistry
from graphql_api.persisted.request import requested_hash
from graphql_api.settings import Settings

NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


class PersistedOperations(SchemaExtension):
    """Resolves hashes to documents before parsing; enforces trusted documents; sets
    Cache-Control on GET queries (public only for anonymous, successful queries)."""

    def __init__(
        self,
        registry: QueryRegistry | None,
        trusted: Mapping[str, str],
        trusted_only: bool,
        max_age_s: int,
    ) -> None:
        self.registry = registry
        self.trusted = trusted
        self.trusted_only = trusted_only
        self.max_age_s = max_age_s
        self._register: tuple[str, str] | None = None
        self._refusal: GraphQLError | None = None

    def on_operation(self) -> Iterator[None]:
        try:
            try:
                self._resolve()
            except APIError as error:
                # Raising here would escape Strawberry's streaming path (WebSockets), so
                # the refusal becomes the operation's validation result, for every transport.
                self._refusal = GraphQLError(error.message, extensions=error.extensions)
                self.execution_context.query = self._placeholder()
            yield
        finally:
            # errors too: a CDN must not keep a miss
            set_cache_headers(self.execution_context, self.max_age_s)

    def _placeholder(self) -> str:
        """A document of an allowed type and the requested name, never validated or run."""
        context = self.execution_context
        kind = next(
            (kind.value for kind in OperationType if kind in context.allowed_operations), "query"
        )
        name = context.operation_name  # as the client named it (no document yet)
        name = name if isinstance(name, str) and NAME.fullmatch(name) else ""
        return f"{kind} {name} {{ __typename }}"

    def on_validate(self) -> Iterator[None]:
        if self._refusal is not None:  # this extension comes after ValidationCache
            self.execution_context.pre_execution_errors = [self._refusal]
        yield
        # Registered only once valid: garbage does not push good queries out.
        context = self.execution_context
        if self._register and self.registry is not None and not context.pre_execution_errors:
            self.registry.put(*self._register)

    def _resolve(self) -> None:
        context = self.execution_context
        query = context.query
        key, apq = requested_hash(context.operation_extensions or {})
        if key is None:
            if self.trusted_only and query:
                context.query = self._trusted_text(query)
            return
        if query:
            if not apq:
                raise BadUserInput("Send either `documentId` or `query`, not both.")
            if document_hash(query) != key:
                raise PersistedQueryHashMismatch("provided sha does not match query")
            if key in self.trusted:
                return
            if self.trusted_only:
                raise PersistedQueryNotInList("This operation is not in the trusted documents.")
            if self.registry is None:
                raise PersistedQueryNotSupported("PersistedQueryNotSupported")
            self._register = (key, query)
            return
        document = self.trusted.get(key)
        if document is None and apq and not self.trusted_only:
            if self.registry is None:
                raise PersistedQueryNotSupported("PersistedQueryNotSupported")
            document = self.registry.get(key)
        if document is None:
            raise PersistedQueryNotFound("PersistedQueryNotFound")
        context.query = document

    def _trusted_text(self, query: str) -> str:
        """The manifest's document for a text query, its indentation aside (a client's
        string literal is indented; GraphQL ignores that). Only manifest text runs."""
        for text in (query, textwrap.dedent(query).strip()):
            document = self.trusted.get(document_hash(text))
            if document is not None:
                return document
        raise PersistedQueryNotInList("This operation is not in the trusted documents.")


def persisted_operations(settings: Settings) -> Any:
    """The extension factory for `create_schema`: one registry per schema (process)."""
    registry = (
        QueryRegistry(settings.apq_cache_size, settings.apq_cache_max_chars)
        if settings.apq
        else None
    )
    trusted = load_trusted_documents(settings.trusted_documents)
    if settings.trusted_documents_only and not trusted:
        raise ValueError("TRUSTED_DOCUMENTS_ONLY=true needs TRUSTED_DOCUMENTS (manifest paths)")

    def factory() -> PersistedOperations:
        return PersistedOperations(
            registry, trusted, settings.trusted_documents_only, settings.get_cache_max_age_s
        )

    return factory


__all__ = ["NAME", "PersistedOperations", "persisted_operations"]
