"""What every bounded scalar shares: its limits and how it refuses a value."""

from __future__ import annotations

from graphql import GraphQLError

#: Digits before and after the point of a Decimal; 15 + 10 fit Decimal128's 34 exactly.
DECIMAL_INTEGER_DIGITS = 15
DECIMAL_PLACES = 10
#: Longest text accepted for a Decimal or a DateTime (well past any valid one).
MAX_SCALAR_TEXT = 64
#: JSON values: nesting, and numbers as BSON stores them (int64, finite double).
JSON_MAX_DEPTH = 32
JSON_MAX_NODES = 10_000
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def bad_input(message: str) -> GraphQLError:
    """A refusal that reaches the client as BAD_USER_INPUT, as a literal or a variable."""
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def shorten(text: str) -> str:
    """A refused value as quoted back to the client: never the whole of a huge one."""
    return text if len(text) <= 40 else text[:37] + "..."
