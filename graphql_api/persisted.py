"""Persisted operations: Apollo's Automatic Persisted Queries and trusted documents.

APQ: a client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the
query; the server answers from its registry, or with PERSISTED_QUERY_NOT_FOUND (message
"PersistedQueryNotFound", which Apollo clients recognise) so the client resends hash and
query once, which registers it. Queries then fit in a GET URL a CDN can cache.

The registry is a bounded LRU per process, as Apollo Server's default: a miss costs one
extra round trip per worker and query, while a shared MongoDB registry would cost a
database round trip on every request and let any anonymous client write to the database.

Trusted documents: `TRUSTED_DOCUMENTS` names manifests (`{"<sha256>": "<document>"}`, as
GraphQL Code Generator's `persistedDocuments` writes them, or Apollo's persisted query
manifest) whose documents clients may call by hash (`documentId` or the APQ hash). With
`TRUSTED_DOCUMENTS_ONLY=true` nothing else runs: a document not in a manifest is refused
with PERSISTED_QUERY_NOT_IN_LIST, and APQ cannot register new ones.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLRequestData
from strawberry.types.graphql import OperationType

from graphql_api.errors import APIError, BadUserInput
from graphql_api.settings import Settings

SHA256 = re.compile(r"[0-9a-f]{64}")
NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
DOCUMENT_ID = "documentId"  # GraphQL-over-HTTP's persisted documents parameter


class PersistedQueryNotFound(APIError):
    """Unknown hash: Apollo clients retry with the full query on exactly this."""

    code = "PERSISTED_QUERY_NOT_FOUND"


class PersistedQueryNotSupported(APIError):
    code = "PERSISTED_QUERY_NOT_SUPPORTED"


class PersistedQueryHashMismatch(APIError):
    code = "PERSISTED_QUERY_HASH_MISMATCH"


class PersistedQueryNotInList(APIError):
    """Trusted-documents mode: this document is not one the clients were built with."""

    code = "PERSISTED_QUERY_NOT_IN_LIST"


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class QueryRegistry:
    """APQ's registered queries: least recently used go first, bounded in count and size."""

    def __init__(self, max_entries: int, max_chars: int) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self.chars = 0
        self._queries: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._queries)

    def get(self, key: str) -> str | None:
        query = self._queries.get(key)
        if query is not None:
            self._queries.move_to_end(key)
        return query

    def put(self, key: str, query: str) -> None:
        if key in self._queries or len(query) > self.max_chars or self.max_entries == 0:
            return
        self._queries[key] = query
        self.chars += len(query)
        while len(self._queries) > self.max_entries or self.chars > self.max_chars:
            _, dropped = self._queries.popitem(last=False)
            self.chars -= len(dropped)


def load_manifest(path: Path) -> dict[str, str]:
    """Hash -> document, from either manifest format; every hash is checked."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise ValueError(f"TRUSTED_DOCUMENTS: cannot read {path}: {error}") from error
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        pairs = [(op.get("id"), op.get("body")) for op in data["operations"]]  # Apollo's
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise ValueError(f"TRUSTED_DOCUMENTS: {path} is not a manifest")
    documents = {}
    for entry, document in pairs:
        if not isinstance(entry, str) or not isinstance(document, str):
            raise ValueError(f"TRUSTED_DOCUMENTS: {path} has a malformed entry")
        key = entry.removeprefix("sha256:")
        if document_hash(document) != key:
            raise ValueError(f"TRUSTED_DOCUMENTS: {path}: {key} is not the SHA-256 of its document")
        documents[key] = document
    return documents


def load_trusted_documents(paths: str | None) -> dict[str, str]:
    documents: dict[str, str] = {}
    for path in filter(None, (part.strip() for part in (paths or "").split(","))):
        documents.update(load_manifest(Path(path)))
    return documents


def _requested_hash(extensions: Mapping[str, Any]) -> tuple[str | None, bool]:
    """(hash, is_apq) asked for by the request's extensions, validated."""
    persisted = extensions.get("persistedQuery")
    if persisted is not None:
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise PersistedQueryNotSupported("Unsupported persisted query version")
        key = persisted.get("sha256Hash")
        if not isinstance(key, str) or not SHA256.fullmatch(key):
            raise BadUserInput("persistedQuery.sha256Hash must be a lowercase hex SHA-256")
        return key, True
    document_id = extensions.get(DOCUMENT_ID)
    if document_id is not None:
        key = document_id.removeprefix("sha256:") if isinstance(document_id, str) else ""
        if not SHA256.fullmatch(key):
            raise BadUserInput("documentId must be 'sha256:<hex>' or a hex SHA-256")
        return key, False
    return None, False


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
            self._cache_headers()  # errors too: a CDN must not keep a miss

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
        key, apq = _requested_hash(context.operation_extensions or {})
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

    def _cache_headers(self) -> None:
        context = self.execution_context
        connection = getattr(context.context, "request", None)
        response = getattr(context.context, "response", None)
        if response is None or connection is None or connection.scope.get("method") != "GET":
            return
        headers = response.headers
        signed_in = getattr(context.context, "token", None) is not None or any(
            name in connection.headers for name in ("authorization", "cookie")
        )
        if signed_in:
            headers["cache-control"] = "private, no-store"
            return
        result = context.result
        try:
            is_query = context.operation_type is OperationType.QUERY
        except RuntimeError:
            is_query = False
        # Only a whole, error-free result: an incremental (@defer/@stream) one has no
        # `errors` yet, and its multipart answer carries no `Vary: Accept` either.
        whole = result is not None and hasattr(result, "errors")
        if self.max_age_s > 0 and is_query and whole and not result.errors:
            headers["cache-control"] = f"public, max-age={self.max_age_s}"
            response.headers.add_vary_header("Authorization")
        else:
            headers["cache-control"] = "no-store"


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


class PersistedDocumentsView:
    """Mixin for the HTTP view: Strawberry keeps only query/variables/operationName/
    extensions, so a top-level `documentId` is moved into the extensions here."""

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)  # type: ignore[misc]
        if not isinstance(data, GraphQLRequestData):
            return data
        if request.method == "GET":
            document_id = request.query_params.get(DOCUMENT_ID)
        else:
            raw = await request.get_body()  # read once by Strawberry, cached
            try:
                body = orjson.loads(raw) if DOCUMENT_ID.encode() in raw else None
            except orjson.JSONDecodeError:  # multipart
                body = None
            document_id = body.get(DOCUMENT_ID) if isinstance(body, dict) else None
        if document_id is not None:
            data.extensions = {**(data.extensions or {}), DOCUMENT_ID: document_id}
        return data

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET by hash has no `query` parameter, but it is an operation, not a page.
        params = request.query_params
        if params.get("extensions") is not None or params.get(DOCUMENT_ID) is not None:
            return False
        return super().should_render_graphql_ide(request)  # type: ignore[misc]
