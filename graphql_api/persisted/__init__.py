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

The modules: `request` (how a request names a document), `manifest` (trusted documents),
`registry` (APQ's LRU), `extension` (resolving or refusing, before parsing), `caching`
(Cache-Control of GET operations), `view` (the HTTP view's `documentId`), `errors`.
"""

from graphql_api.persisted.caching import set_cache_headers
from graphql_api.persisted.errors import (
    PersistedQueryHashMismatch,
    PersistedQueryNotFound,
    PersistedQueryNotInList,
    PersistedQueryNotSupported,
)
from graphql_api.persisted.extension import NAME, PersistedOperations, persisted_operations
from graphql_api.persisted.manifest import document_hash, load_manifest, load_trusted_documents
from graphql_api.persisted.registry import QueryRegistry
from graphql_api.persisted.request import DOCUMENT_ID, SHA256, requested_hash
from graphql_api.persisted.view import PersistedDocumentsView

__all__ = [
    "DOCUMENT_ID",
    "NAME",
    "SHA256",
    "PersistedDocumentsView",
    "PersistedOperations",
    "PersistedQueryHashMismatch",
    "PersistedQueryNotFound",
    "PersistedQueryNotInList",
    "PersistedQueryNotSupported",
    "QueryRegistry",
    "document_hash",
    "load_manifest",
    "load_trusted_documents",
    "persisted_operations",
    "requested_hash",
    "set_cache_headers",
]
