"""How a request names a persisted document, validated before anything is looked up.

Two spellings: Apollo's `extensions.persistedQuery = {version: 1, sha256Hash}` (APQ,
which may also register the query) and GraphQL-over-HTTP's `documentId`
(`sha256:<hex>`, trusted documents only). A malformed one is a coded error, never
a silent fall-back to the query text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphql_api.errors import BadUserInput
from graphql_api.persisted.errors import PersistedQueryNotSupported

SHA256 = re.compile(r"[0-9a-f]{64}")
DOCUMENT_ID = "documentId"  # GraphQL-over-HTTP's persisted documents parameter


def requested_hash(extensions: Mapping[str, Any]) -> tuple[str | None, bool]:
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


__all__ = ["DOCUMENT_ID", "SHA256", "requested_hash"]
