"""Decimal: money and other exact numbers, bounded so every value fits Decimal128."""

from __future__ import annotations

import decimal
import math
from typing import Any

import strawberry
from graphql import ValueNode
from graphql.language import FloatValueNode, IntValueNode, StringValueNode

from graphql_api.schema.scalars.bounds import (
    DECIMAL_INTEGER_DIGITS,
    DECIMAL_PLACES,
    MAX_SCALAR_TEXT,
    bad_input,
)
from graphql_api.schema.scalars.bounds import shorten as _shorten

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
