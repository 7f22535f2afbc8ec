"""How failures reach clients and operators.

Clients get a message and an `extensions.code` for every error: expected
failures (`graphql_api.errors`) as raised, database outages as DB_UNAVAILABLE
or DB_TIMEOUT (nothing was done), a write whose answer was lost as
WRITE_OUTCOME_UNKNOWN (see `graphql_api.outcomes`), and anything else masked
as INTERNAL_SERVER_ERROR, so driver messages and stack traces never leave the
server. Operators get the masked errors in the log, with their traceback.
"""

import logging
from collections.abc import Iterator

from beanie.exceptions import CollectionWasNotInitialized
from graphql import GraphQLError
from pymongo.errors import ConnectionFailure, PyMongoError, ServerSelectionTimeoutError
from strawberry.extensions import MaskErrors
from strawberry.types.graphql import OperationType

from graphql_api import outcomes
from graphql_api.errors import APIError, DatabaseTimeout, DatabaseUnavailable, WriteOutcomeUnknown
from graphql_api.extensions.cost_limit import limit_code

logger = logging.getLogger("graphql_api.errors")

INTERNAL_MESSAGE = "Internal server error. It has been logged; please try again later."


def expected_error(error: GraphQLError) -> APIError | None:
    """The client-facing failure behind `error`, or None if it must be masked."""
    original = error.original_error
    if isinstance(original, APIError):
        return original
    if isinstance(original, PyMongoError) and outcomes.outcome_unknown(
        original, outcomes.current()
    ):
        return WriteOutcomeUnknown(
            "The database failed after this change was sent: it may or may not have been "
            "applied. Retry with the same idempotencyKey, or read it back first."
        )
    # No server to talk to (selection timed out included): unavailable. A read cut
    # by the deadline is a `NetworkTimeout`, also a `ConnectionFailure`, but the
    # server is there, only slow: that is a timeout.
    if isinstance(original, (ServerSelectionTimeoutError, CollectionWasNotInitialized)) or (
        isinstance(original, ConnectionFailure) and not original.timeout
    ):
        return DatabaseUnavailable("The database is unavailable. Try again shortly.")
    if isinstance(original, PyMongoError) and original.timeout:
        return DatabaseTimeout("The database did not answer in time. Try again.")
    return None


def _request_error_code(error: GraphQLError) -> str:
    """Errors before execution (no path) come from parsing, validation or variables."""
    if code := limit_code(error.message):
        return code
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$"):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def _with(error: GraphQLError, message: str, extensions: dict) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def client_error(error: GraphQLError) -> GraphQLError:
    expected = expected_error(error)
    if expected is not None:
        return _with(error, expected.message, expected.extensions)
    if error.path is None and not isinstance(error.original_error, Exception):
        code = (error.extensions or {}).get("code") or _request_error_code(error)
        return _with(error, error.message, {**(error.extensions or {}), "code": code})
    if error.path is None and error.message.startswith("Variable '$"):
        # Variable coercion wraps the scalar's own exception; its message is safe.
        return _with(error, error.message, {"code": "BAD_USER_INPUT"})
    return _with(error, INTERNAL_MESSAGE, {"code": "INTERNAL_SERVER_ERROR"})


class ClientErrors(MaskErrors):
    """Strawberry's MaskErrors, taught our codes instead of masking all or nothing.

    MaskErrors passes every error (its default `should_mask_error`) through its
    public `anonymise_error` hook, which gives each its client-facing form.
    """

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return client_error(error)

    def on_execute(self) -> Iterator[None]:
        # Track the write commands a mutation sends: if the database fails after
        # one was sent, its outcome is unknown (WRITE_OUTCOME_UNKNOWN).
        if self.execution_context.operation_type is OperationType.MUTATION:
            outcomes.begin()
        else:
            outcomes.clear()
        yield


def log_errors(errors: list[GraphQLError]) -> None:
    for error in errors:
        expected = expected_error(error)
        if expected is None and isinstance(error.original_error, Exception):
            if error.path is None and error.message.startswith("Variable '$"):
                logger.debug("Bad variables: %s", error.message)
                continue
            logger.error(
                "Unexpected error at %s: %s",
                ".".join(map(str, error.path or [])) or "(operation)",
                error.original_error,
                exc_info=error.original_error,
            )
        elif isinstance(expected, (DatabaseUnavailable, DatabaseTimeout, WriteOutcomeUnknown)):
            logger.warning("%s: %r", expected.code, error.original_error)
        else:
            logger.debug("Client error: %s", error.message)
