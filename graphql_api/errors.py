"""The failures clients are meant to see, each with a stable `extensions.code`.

Resolvers and services raise these; `graphql_api.schema.error_handling` turns
them into GraphQL errors and masks everything else. Codes are part of the API
contract: clients branch on them, so never rename one.
"""

from __future__ import annotations

from typing import Any, ClassVar


class APIError(Exception):
    """An expected failure, shown to the client as it is."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.details}


class BadUserInput(APIError):
    code = "BAD_USER_INPUT"


class NotFound(APIError):
    code = "NOT_FOUND"


class Conflict(APIError):
    """A uniqueness rule was broken (username, email, sku...)."""

    code = "CONFLICT"


class InsufficientCredits(APIError):
    code = "INSUFFICIENT_CREDITS"


class OutOfStock(APIError):
    code = "OUT_OF_STOCK"


class InvalidStatusTransition(APIError):
    code = "INVALID_STATUS_TRANSITION"


class Unauthenticated(APIError):
    """No valid session: not signed in, expired, logged out, or deactivated."""

    code = "UNAUTHENTICATED"


class Forbidden(APIError):
    """Signed in, but this is not yours to see or change."""

    code = "FORBIDDEN"


class RateLimited(APIError):
    code = "RATE_LIMITED"


class DatabaseUnavailable(APIError):
    code = "DB_UNAVAILABLE"


class DatabaseTimeout(APIError):
    code = "DB_TIMEOUT"


__all__ = [
    "APIError",
    "BadUserInput",
    "Conflict",
    "DatabaseTimeout",
    "DatabaseUnavailable",
    "Forbidden",
    "InsufficientCredits",
    "InvalidStatusTransition",
    "NotFound",
    "OutOfStock",
    "RateLimited",
    "Unauthenticated",
]
