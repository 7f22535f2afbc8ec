"""Turning client input into trusted values, or a BAD_USER_INPUT error that says why."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, TypeVar

import orjson
from pydantic import BaseModel, TypeAdapter, ValidationError

from graphql_api.errors import BadUserInput

ModelT = TypeVar("ModelT", bound=BaseModel)


def describe(error: ValidationError) -> tuple[str, list[dict[str, str]]]:
    """A readable message and a machine-readable list of field problems."""
    fields = [
        {"field": ".".join(str(part) for part in item["loc"]) or "input", "message": item["msg"]}
        for item in error.errors(include_url=False)
    ]
    message = "; ".join(f"{item['field']}: {item['message'].rstrip('.')}" for item in fields)
    return f"Invalid input: {message}.", fields


def build(model: type[ModelT], **data: Any) -> ModelT:
    """Validate `data` into `model`, reporting problems as BAD_USER_INPUT."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        message, fields = describe(error)
        raise BadUserInput(message, fields=fields) from None


def validate_fields(model: type[BaseModel], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate some fields of `model` on their own, for partial updates ($set)."""
    validated: dict[str, Any] = {}
    problems: list[dict[str, str]] = []
    for field, value in changes.items():
        try:
            validated[field] = _field_adapter(model, field).validate_python(value)
        except ValidationError as error:
            problems += [
                {"field": field, "message": item["msg"]} for item in error.errors(include_url=False)
            ]
    if problems:
        message = "; ".join(f"{item['field']}: {item['message']}" for item in problems)
        raise BadUserInput(f"Invalid input: {message}.", fields=problems)
    return validated


@cache
def _field_adapter(model: type[BaseModel], field: str) -> TypeAdapter[Any]:
    info = model.model_fields[field]
    if not info.metadata:
        return TypeAdapter(info.annotation)
    return TypeAdapter(Annotated[(info.annotation, *info.metadata)])


# --- request bodies ------------------------------------------------------------


def decode_json(data: str | bytes) -> object:
    """A request body (or WebSocket message) as JSON, refusing what Python's `json`
    would let through or crash on: nesting that exhausts the stack (RecursionError),
    integers past its 4,300-digit limit, the non-JSON `NaN`/`Infinity`, and strings
    that are not Unicode text (lone surrogates, which nothing downstream can encode).

    Each is raised as a JSONDecodeError: the view answers it as a malformed body.
    Values that are JSON but out of range (`1e400`, 2^70) go on to the schema's
    scalars, which refuse them with BAD_USER_INPUT where they do not fit.

    orjson reads a body in an eighth of the time and refuses all of the above
    itself; what it refuses, or reads otherwise than `json` (integers past 64
    bits), takes the exact path, so that the answer is the same either way.
    """
    try:
        value = orjson.loads(data)  # strict JSON, UTF-8 text, at most 1,024 levels deep
    except (orjson.JSONDecodeError, TypeError):
        pass  # refused, or another encoding: the exact path below says why
    else:
        if _same_as_json(value):
            return value
    text = data if isinstance(data, str) else ""
    try:
        value = _loads(data)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("JSON nested too deeply", text, 0) from None
    except ValueError as error:  # invalid UTF-8, an integer of thousands of digits
        raise json.JSONDecodeError(f"Unreadable JSON: {error}", text, 0) from None
    _check_text(value, text)
    return value


def _same_as_json(value: object) -> bool:
    """Whether `json` would have read the same: orjson reads an integer past 64 bits
    as a float (2^70 as 1.1805916207174113e+21), `json` as the exact integer."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float) and not -_INT64 < item < _INT64:
            return False
    return True


_INT64 = 2.0**63


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


# `json.loads` with a keyword builds a decoder (and its scanner) on every call.
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _loads(data: str | bytes) -> object:
    """`json.loads(data, parse_constant=_no_constant)`, with one decoder for all."""
    if isinstance(data, bytes | bytearray):
        # An object whose second byte is not NUL is UTF-8 (json.detect_encoding's rule).
        utf8 = data[:1] == b"{" and data[1:2] not in (b"", b"\x00")
        data = data.decode("utf-8" if utf8 else json.detect_encoding(data), "surrogatepass")
    elif not isinstance(data, str):
        kind = type(data).__name__
        raise TypeError(f"the JSON object must be str, bytes or bytearray, not {kind}")
    elif data.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", data, 0)
    return _DECODER.decode(data)


def _check_text(value: object, text: str) -> None:
    """Every string and key encodes as UTF-8 (iterative: any depth json.loads made)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings: list[str] = [item]
        elif isinstance(item, dict):
            strings = list(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            strings = []
            stack.extend(item)
        else:
            continue
        for string in strings:
            if not string.isascii():
                try:
                    string.encode("utf-8")
                except UnicodeEncodeError:
                    raise json.JSONDecodeError(
                        "JSON strings must be Unicode text (a lone surrogate is not)", text, 0
                    ) from None
