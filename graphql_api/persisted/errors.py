"""The codes a persisted-operation request is refused with.

Apollo clients branch on them: PERSISTED_QUERY_NOT_FOUND (message
"PersistedQueryNotFound") makes them resend the hash with its query, once.
"""

from __future__ import annotations

from graphql_api.errors import APIError


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


__all__ = [
    "PersistedQueryHashMismatch",
    "PersistedQueryNotFound",
    "PersistedQueryNotInList",
    "PersistedQueryNotSupported",
]
