"""What an exposed model field becomes in GraphQL: its type, name and conversion.

A model annotation maps to the GraphQL side as follows: `Decimal` (Decimal128
when stored) to the Decimal scalar, an enum to its GraphQL enum, a `dict` to
JSON, an embedded model to that model's GraphQL type (declared first, see
`register`), lists and optionals of those likewise; anything else as it is.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel, EmailStr
from strawberry.utils.str_converters import to_camel_case

from graphql_api.models.exposed import Exposed
from graphql_api.models.money import to_decimal
from graphql_api.schema.scalars import JSON

Convert = Callable[[Any], Any]

_MISSING = object()
_EMBEDDED: dict[type[BaseModel], Any] = {}


def register(model: type[BaseModel], graphql_type: Any) -> None:
    """`graphql_type` shows `model` wherever it is embedded in another model."""
    _EMBEDDED[model] = graphql_type


@dataclass(frozen=True, slots=True)
class StoredField:
    """One exposed field: where it is stored, what clients see, how to convert it."""

    attribute: str
    key: str
    graphql_name: str
    annotation: Any
    description: str | None
    owner_only: bool
    convert: Convert | None
    default: Callable[[], Any]  # for a key the document lacks

    def read(self, document: Mapping[str, Any]) -> Any:
        value = document.get(self.key, _MISSING)
        if value is _MISSING:
            return self.default()
        return value if value is None or self.convert is None else self.convert(value)


def exposed_fields(model: type[BaseModel]) -> Iterable[StoredField]:
    for attribute, info in model.model_fields.items():
        marker = next((item for item in info.metadata if isinstance(item, Exposed)), None)
        if marker is None:
            continue
        annotation, convert = _graphql_type(info.annotation)
        # A key the document lacks reads as null (an unexpected document fails loudly
        # on a non-null field), a list as empty.
        default = list if typing.get_origin(annotation) is list else _none
        yield StoredField(
            attribute=attribute,
            key=info.alias or attribute,
            graphql_name=marker.name or to_camel_case(attribute),
            annotation=annotation,
            description=marker.description,
            owner_only=marker.owner_only,
            convert=convert,
            default=default,
        )


def _none() -> None:
    return None


def _graphql_type(annotation: Any) -> tuple[Any, Convert | None]:
    """The GraphQL-side annotation for a model annotation, and how to convert stored values."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _graphql_type(typing.get_args(annotation)[0])
    if origin in (types.UnionType, typing.Union):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        (inner, convert), optional = (
            _graphql_type(members[0]),
            len(members) < len(typing.get_args(annotation)),
        )
        return (inner | None if optional else inner), convert
    if origin is list:
        inner, convert = _graphql_type(typing.get_args(annotation)[0])
        return list[inner], (None if convert is None else _each(convert))
    if origin is dict or annotation is dict:
        return JSON, None
    if annotation is EmailStr:
        return str, None
    if annotation is Decimal:
        return Decimal, to_decimal
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation, annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        embedded = _EMBEDDED[annotation]  # declare embedded types before their containers
        return embedded, embedded.from_document  # type: ignore[attr-defined]
    return annotation, None


def _each(convert: Convert) -> Convert:
    return lambda values: [convert(value) for value in values]
