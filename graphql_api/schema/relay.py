"""Relay's object identification: the `Node` interface and global ids.

A global id is base64 of "TypeName:ObjectId", opaque to clients and unique
across types, so `node(id)` can find anything. Arguments that take an id also
accept the bare ObjectId (`databaseId`), for clients that store those.
"""

import base64
import binascii
from functools import lru_cache
from typing import Any

import strawberry

from graphql_api.errors import BadUserInput
from graphql_api.models.ids import parse_object_id

#: An ObjectId; the schema passes ids along without knowing the driver's types.
DatabaseId = Any


@strawberry.interface(description="An object with a globally unique id, fetchable by `node(id)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique, opaque id.")


# Ids repeat from request to request (the same user, the same page of posts), and
# encoding or decoding one costs a microsecond or two of base64 and ObjectId checks;
# a bounded cache of each direction keeps the last few thousand. ObjectIds and the
# strings are immutable, so a cached answer is the answer.
_CACHED = 4096
_CACHED_LENGTH = 64  # a global id of an ObjectId is 40 characters; longer ones are not kept


@lru_cache(maxsize=_CACHED)
def to_global_id(type_name: str, object_id: DatabaseId) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{object_id}".encode()).decode())


def split_global_id(value: str) -> tuple[str, DatabaseId] | None:
    """(type name, ObjectId) of a global id, or None if `value` is not one."""
    if type(value) is str and len(value) <= _CACHED_LENGTH:
        return _split_cached(value)
    return _split(value)


def _split(value: str) -> tuple[str, DatabaseId] | None:
    try:
        type_name, _, raw = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError):
        return None
    object_id = parse_object_id(raw)
    return None if object_id is None else (type_name, object_id)


_split_cached = lru_cache(maxsize=_CACHED)(_split)


def parse_id(value: str, type_name: str, argument: str = "id") -> DatabaseId:
    """The ObjectId behind a global id of `type_name` (or a bare ObjectId)."""
    if (object_id := parse_object_id(value)) is not None:
        return object_id
    parsed = split_global_id(value)
    if parsed is None:
        raise BadUserInput(f"`{argument}` is not a valid id: {value!r}.", argument=argument)
    if parsed[0] != type_name:
        raise BadUserInput(
            f"`{argument}` must be the id of a {type_name}, not of a {parsed[0]}.",
            argument=argument,
        )
    return parsed[1]


def parse_optional_id(value: str | None, type_name: str, argument: str) -> DatabaseId | None:
    return None if value is None else parse_id(value, type_name, argument)
