"""Turning client input into trusted values, or a BAD_USER_INPUT error that says why."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, TypeVar

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
