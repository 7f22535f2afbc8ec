"""The failures clients are meant to see, each with a stable `extensions.code`.

Services, rules and resolvers raise these; `graphql_api.extensions.errors`
gives them to clients as GraphQL errors and masks everything else. Codes are part of the API
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


# --- accounts: last admin, busy password hashing ---------------------------------


class LastAdmin(APIError):
    """The change would leave no active administrator."""

    code = "LAST_ADMIN"


class ServiceBusy(APIError):
    """Too much work queued (password hashing): nothing was done; retry after the hint."""

    code = "SERVICE_BUSY"


# --- durability: unknown outcomes and idempotency keys (issue 12) ---------------
class WriteOutcomeUnknown(APIError):
    """A write was sent but its answer was lost: it may or may not have been applied.

    Unlike DB_UNAVAILABLE (nothing was done), a blind retry may apply it twice;
    retry with the same `idempotencyKey`, or read back first.
    """

    code = "WRITE_OUTCOME_UNKNOWN"


class IdempotencyKeyReused(APIError):
    """This idempotency key was already used for a different request."""

    code = "IDEMPOTENCY_KEY_REUSED"


class IdempotencyKeyInProgress(APIError):
    """Another request with this idempotency key is being applied: retry shortly."""

    code = "IDEMPOTENCY_KEY_IN_PROGRESS"


class QueryTooExpensive(APIError):
    """A scan-shaped field ran out of its bounded server time (`SCAN_MAX_TIME_MS`)."""

    code = "QUERY_TOO_EXPENSIVE"


__all__ = [
    "APIError",
    "BadUserInput",
    "Conflict",
    "DatabaseTimeout",
    "DatabaseUnavailable",
    "Forbidden",
    "IdempotencyKeyInProgress",
    "IdempotencyKeyReused",
    "InsufficientCredits",
    "InvalidStatusTransition",
    "NotFound",
    "OutOfStock",
    "QueryTooExpensive",
    "RateLimited",
    "Unauthenticated",
    "WriteOutcomeUnknown",
]
