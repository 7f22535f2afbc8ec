"""The schema's custom scalars, bounded at the edge, and conversions from stored BSON values.

Strawberry's own `Decimal`, `DateTime` and `JSON` accept anything Python can parse:
`"1e6145"` (past Decimal128), `"NaN"`, a datetime that overflows when converted to UTC,
integers past BSON's int64, `1e400` (infinity, stored as null). Each of those then failed
deep inside a resolver as INTERNAL_SERVER_ERROR, or was stored wrong. The scalars here
refuse them when the value arrives, as a variable or as a literal, with BAD_USER_INPUT,
so every value a resolver sees can be stored and compared as it is.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterator
from typing import Any, NewType

import strawberry
from graphql import GraphQLError, ValueNode
from graphql.language import (
    BooleanValueNode,
    EnumValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    StringValueNode,
    VariableNode,
)
from graphql.validation import ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension
from strawberry.types.scalar import ScalarDefinition

# --- bounds ------------------------------------------------------------------

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


# --- Decimal -------------------------------------------------------------------

_ASCII_NUMBER = frozenset("0123456789+-.eE")


def parse_decimal(value: object) -> decimal.Decimal:
    """A finite decimal within DECIMAL_INTEGER_DIGITS/DECIMAL_PLACES, as a Decimal."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise bad_input(f'Decimal must be a string such as "19.99", got {type(value).__name__}.')
    if isinstance(value, float) and not math.isfinite(value):
        raise bad_input("Decimal must be a finite number.")
    if isinstance(value, int) and abs(value) >= 10**DECIMAL_INTEGER_DIGITS:  # before repr()
        raise bad_input(f"Decimal must be less than 10^{DECIMAL_INTEGER_DIGITS} in absolute value.")
    text = value if isinstance(value, str) else repr(value)
    if not text or len(text) > MAX_SCALAR_TEXT or not _ASCII_NUMBER.issuperset(text):
        raise bad_input(f"Not a decimal number: {_shorten(text)!r}.")
    try:
        number = decimal.Decimal(text)
    except decimal.DecimalException:
        raise bad_input(f"Not a decimal number: {_shorten(text)!r}.") from None
    if not number.is_finite():
        raise bad_input("Decimal must be a finite number.")
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    significant = list(digits)
    while len(significant) > 1 and significant[-1] == 0:  # 1.500 has one decimal place
        significant.pop()
        exponent += 1
    if not any(significant):  # zero, -0 included: one spelling, within the bounds
        return decimal.Decimal((0, (0,), min(0, max(exponent, -DECIMAL_PLACES))))
    if len(significant) + exponent > DECIMAL_INTEGER_DIGITS:
        raise bad_input(f"Decimal must be less than 10^{DECIMAL_INTEGER_DIGITS} in absolute value.")
    if -exponent > DECIMAL_PLACES:
        raise bad_input(f"Decimal takes at most {DECIMAL_PLACES} decimal places.")
    if len(digits) > 34:  # trailing zeros past Decimal128's precision
        return decimal.Decimal((sign, tuple(significant), exponent))
    return number


def _decimal_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> decimal.Decimal:
    if isinstance(node, (StringValueNode, IntValueNode, FloatValueNode)):
        return parse_decimal(node.value)
    raise bad_input('Decimal must be a string such as "19.99".')


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description=(
        'A decimal number as a string ("19.99"), exact: finite, less than 10^15 in '
        "absolute value, at most 10 decimal places (money is stored with 2)."
    ),
    serialize=str,
    parse_value=parse_decimal,
    parse_literal=_decimal_literal,
)


# --- DateTime ----------------------------------------------------------------------


def parse_datetime(value: object) -> dt.datetime:
    """An ISO-8601 datetime with an offset, as an aware datetime in UTC."""
    if not isinstance(value, str):
        raise bad_input(f"DateTime must be an ISO-8601 string, got {type(value).__name__}.")
    if not value or len(value) > MAX_SCALAR_TEXT or not value.isascii():
        raise bad_input(f"Not an ISO-8601 datetime: {_shorten(value)!r}.")
    try:
        parsed = dt.datetime.fromisoformat(value.upper())  # RFC 3339 allows "t" and "z"
    except ValueError:
        raise bad_input(f"Not an ISO-8601 datetime: {_shorten(value)!r}.") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise bad_input(
            f"DateTime needs a time zone offset, e.g. 2026-01-31T00:00:00Z, got {value!r}."
        )
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise bad_input(
            f"DateTime {value!r} is outside years 1-9999 once converted to UTC."
        ) from None


def _datetime_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> dt.datetime:
    if isinstance(node, StringValueNode):
        return parse_datetime(node.value)
    raise bad_input("DateTime must be an ISO-8601 string.")


DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description=(
        "An ISO-8601 datetime with an offset (2026-11-23T15:31:52+00:00); answers are in "
        "UTC. Inputs must name an offset and stay within years 1-9999 in UTC."
    ),
    serialize=dt.datetime.isoformat,
    parse_value=parse_datetime,
    parse_literal=_datetime_literal,
)


# --- JSON ------------------------------------------------------------------------


def check_json(value: object) -> object:
    """`value` if MongoDB stores it as it is: bounded nesting and size, int64
    integers, finite floats, string keys, valid Unicode (no lone surrogates).

    Iterative, so a deep value cannot exhaust the stack."""
    stack: list[tuple[object, int]] = [(value, 0)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > JSON_MAX_NODES:
            raise bad_input(f"JSON values hold at most {JSON_MAX_NODES} values.")
        if not isinstance(item, (dict, list)):
            _check_leaf(item)
            continue
        if depth >= JSON_MAX_DEPTH:
            raise bad_input(f"JSON values nest at most {JSON_MAX_DEPTH} levels deep.")
        if isinstance(item, dict):
            for key in item:
                if not isinstance(key, str):
                    raise bad_input("JSON object keys must be strings.")
                _check_text(key)
            stack.extend((child, depth + 1) for child in item.values())
        else:
            stack.extend((child, depth + 1) for child in item)
    return value


def _check_leaf(item: object) -> None:
    if isinstance(item, bool) or item is None:
        return
    if isinstance(item, int):
        if not INT64_MIN <= item <= INT64_MAX:
            raise bad_input("JSON integers must fit in 64 bits (-2^63 to 2^63-1).")
    elif isinstance(item, float):
        if not math.isfinite(item):
            raise bad_input("JSON numbers must be finite (no NaN or Infinity).")
    elif isinstance(item, str):
        _check_text(item)
    else:
        raise bad_input(f"Not a JSON value: {type(item).__name__}.")


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_input("JSON strings must be valid Unicode (no lone surrogates).") from None


def _json_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> object:
    return check_json(_literal_value(node, variables or {}, 0))


def _literal_value(node: ValueNode, variables: dict[str, Any], depth: int) -> object:
    """graphql-core's `value_from_ast_untyped`, bounded in depth and number size."""
    if depth > JSON_MAX_DEPTH:
        raise bad_input(f"JSON values nest at most {JSON_MAX_DEPTH} levels deep.")
    if isinstance(node, NullValueNode):
        return None
    if isinstance(node, BooleanValueNode):
        return node.value
    if isinstance(node, (StringValueNode, EnumValueNode)):
        return node.value
    if isinstance(node, (IntValueNode, FloatValueNode)):
        if len(node.value) > 400:
            raise bad_input("JSON numbers must fit in 64 bits or a finite double.")
        return int(node.value) if isinstance(node, IntValueNode) else float(node.value)
    if isinstance(node, ListValueNode):
        return [_literal_value(item, variables, depth + 1) for item in node.values]
    if isinstance(node, ObjectValueNode):
        return {
            field.name.value: _literal_value(field.value, variables, depth + 1)
            for field in node.fields
        }
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    raise bad_input("Not a JSON value.")


#: Annotate JSON fields and arguments with this; SCALAR_MAP makes it the bounded scalar.
JSON = NewType("JSON", object)

JSONScalar = strawberry.scalar(
    name="JSON",
    description=(
        "A JSON value (ECMA-404): at most 32 levels deep and 10,000 values; integers fit "
        "in 64 bits, numbers are finite."
    ),
    specified_by_url=(
        "https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf"
    ),
    serialize=lambda value: value,
    parse_value=check_json,
    parse_literal=_json_literal,
)

#: Every Decimal, datetime and JSON of the schema, inputs included, goes through these
#: (`StrawberryConfig.scalar_map`).
SCALAR_MAP: dict[object, ScalarDefinition] = {
    decimal.Decimal: DecimalScalar,
    dt.datetime: DateTimeScalar,
    JSON: JSONScalar,
}


def _shorten(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


# --- literal errors are the client's input errors ----------------------------------


class _CodedValuesOfCorrectType(ValuesOfCorrectTypeRule):
    """A literal the argument's type refuses (`limit: 1e10`, `price: "NaN"`) is the
    same mistake as the same value sent as a variable: BAD_USER_INPUT, not a
    malformed document."""

    def report_error(self, error: GraphQLError) -> None:
        # The exception a scalar raised (ValueError for an Int literal of 5,000 digits)
        # is dropped: its message is already in the error's, and an error that carries
        # an exception would be masked as an internal one.
        super().report_error(
            GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                extensions={"code": "BAD_USER_INPUT", **(error.extensions or {})},
            )
        )


class CodedInputErrors(SchemaExtension):
    """Swap graphql-core's literal check for the coded one (before validation runs)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            _CodedValuesOfCorrectType if rule is ValuesOfCorrectTypeRule else rule
            for rule in context.validation_rules
        )
        yield


# --- stored values ---------------------------------------------------------------------


def to_id(value: Any) -> strawberry.ID:
    return strawberry.ID(str(value))
