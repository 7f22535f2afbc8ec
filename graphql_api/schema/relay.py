"""Relay's object identification: the `Node` interface and global ids.

A global id is base64 of "TypeName:ObjectId", opaque to clients and unique
across types, so `node(id)` can find anything. Arguments that take an id also
accept the bare ObjectId (`databaseId`), for clients that store those.
"""

import base64
import binascii

import strawberry
from bson import ObjectId
from bson.errors import InvalidId

from graphql_api.errors import BadUserInput


@strawberry.interface(description="An object with a globally unique id, fetchable by `node(id)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique, opaque id.")


def to_global_id(type_name: str, object_id: ObjectId) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{object_id}".encode()).decode())


def split_global_id(value: str) -> tuple[str, ObjectId] | None:
    try:
        type_name, _, raw = base64.b64decode(value, validate=True).decode().partition(":")
        return type_name, ObjectId(raw)
    except (binascii.Error, UnicodeDecodeError, InvalidId, TypeError, ValueError):
        return None


def parse_id(value: str, type_name: str, argument: str = "id") -> ObjectId:
    """The ObjectId behind a global id of `type_name` (or a bare ObjectId)."""
    if ObjectId.is_valid(value) and len(value) == 24:
        return ObjectId(value)
    parsed = split_global_id(value)
    if parsed is None:
        raise BadUserInput(f"`{argument}` is not a valid id: {value!r}.", argument=argument)
    if parsed[0] != type_name:
        raise BadUserInput(
            f"`{argument}` must be the id of a {type_name}, not of a {parsed[0]}.",
            argument=argument,
        )
    return parsed[1]


def parse_optional_id(value: str | None, type_name: str, argument: str) -> ObjectId | None:
    return None if value is None else parse_id(value, type_name, argument)
