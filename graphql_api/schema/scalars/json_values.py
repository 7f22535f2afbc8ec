"""JSON: any JSON value, bounded in size and depth, with numbers BSON can store."""

from __future__ import annotations

import math
from typing import Any, NewType

import strawberry
from graphql import ValueNode
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

from graphql_api.schema.scalars.bounds import (
    INT64_MAX,
    INT64_MIN,
    JSON_MAX_DEPTH,
    JSON_MAX_NODES,
    bad_input,
)


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
