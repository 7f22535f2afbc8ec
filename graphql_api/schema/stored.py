"""GraphQL types derived from the models' `Exposed` fields (see `graphql_api.models.exposed`).

`@stored_type(models.Post, ...)` turns a class holding only the hand-written
fields (relations, computed values) into the Strawberry type of that model: each
exposed stored field becomes a GraphQL field with its description and privacy
rule, and the type learns two things derived from the same declaration:

- `projection(names)`: the stored keys a selection reads, so that a list fetches
  only those (hand-written fields say what they read with `reads(...)`; a field
  that does not say so is refused when the module is imported);
- `from_document(doc)`: the GraphQL object for a stored document.

Field order in the schema: the id, then the fields the class annotates itself,
then the exposed fields in model order, then the class's resolver methods.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import strawberry
from pydantic import BaseModel
from strawberry.utils.str_converters import to_camel_case

from graphql_api.auth.rules import private_value
from graphql_api.schema.relay import to_global_id
from graphql_api.schema.stored_fields import StoredField, exposed_fields, register

Document = dict[str, Any]

READS = "graphql_api.reads"
RELATION = "graphql_api.relation"
LOOKUP = "graphql_api.lookup"


def reads(*keys: str) -> dict[str, tuple[str, ...]]:
    """`strawberry.field(metadata=reads("author_id"))`: the stored keys a hand-written
    field needs from its parent's document (`_id` is always there)."""
    return {READS: keys}


def relation(loader: str, key: str) -> dict[str, Any]:
    """`strawberry.field(metadata=relation("user_by_id", "author_id"))`: the field is
    the document `loaders.<loader>` loads for the parent's stored `key`, as a stored
    type (null if there is none). The resolver says the same in code; the planner
    reads this declaration and loads the documents of a whole list in one batch,
    without calling the resolver per item (tests/test_planned_execution.py holds
    both to the same answers)."""
    return {READS: (key,), RELATION: (loader, key)}


def lookup(loader: str, type_name: str, argument: str = "id") -> dict[str, Any]:
    """`strawberry.field(metadata=lookup("user_by_id", "User"))`: the field is the
    document `loaders.<loader>` loads for its `argument`, an id of `type_name`
    (`parse_id`), as a stored type (null if there is none), and nothing else: no
    rule of its own. As with `relation`, the resolver says the same in code; the
    planner reads this and fetches the document itself, with only the stored keys
    the selection reads (tests/test_planned_execution.py holds both to the same
    answers, invalid ids included)."""
    return {LOOKUP: (loader, type_name, argument)}


@dataclass(frozen=True)
class StoredType:
    """What the schema knows of a stored type, all derived from its model."""

    name: str
    model: type[BaseModel]
    fields: tuple[StoredField, ...]
    #: GraphQL field name -> the stored keys it reads (None: unknown, read everything).
    reads: Mapping[str, tuple[str, ...]]
    #: How `id` is shown: "node" (global id and `databaseId`), "plain" (hex) or None.
    identity: str | None = None
    #: The stored key holding the id of whoever may see `owner_only` fields.
    owner: str = "_id"

    def projection(self, names: Iterable[str]) -> dict[str, int] | None:
        """The MongoDB projection for the selected field names, or None for whole documents."""
        keys: dict[str, int] = {"_id": 1}
        for name in names:
            needed = self.reads.get(name)
            if needed is None:
                return None
            keys.update(dict.fromkeys(needed, 1))
        return keys


def stored_type(
    model: type[BaseModel],
    *,
    description: str,
    identity: Literal["node", "plain"] | None = "node",
    owner: str = "_id",
    name: str | None = None,
) -> Callable[[type], type]:
    """Make `cls` the GraphQL type of `model`.

    identity: "node" gives `id` (global, from the `Node` base) and `databaseId`;
    "plain" an `id` that is the ObjectId as hex; None (embedded values) neither.
    owner: the stored key holding the id of whoever may see `owner_only` fields.
    """

    def decorate(cls: type) -> type:
        type_name = name or cls.__name__
        fields = tuple(exposed_fields(model))
        annotations: dict[str, Any] = {}
        if identity == "node":
            annotations["database_id"] = str
            cls.database_id = strawberry.field(description="The MongoDB ObjectId, as hex.")  # type: ignore[attr-defined]
        elif identity == "plain":
            annotations["id"] = strawberry.ID
        annotations.update(inspect.get_annotations(cls))
        for field in fields:
            if field.owner_only:
                annotations[field.attribute] = field.annotation | None
                resolver = _owner_only(field, owner)
            else:
                annotations[field.attribute] = field.annotation
                resolver = None
            setattr(
                cls,
                field.attribute,
                strawberry.field(
                    resolver=resolver, description=field.description, name=field.graphql_name
                ),
            )
        annotations["_document"] = strawberry.Private[Document]
        cls.__annotations__ = annotations
        graphql_type = strawberry.type(cls, name=name, description=description)

        stored = StoredType(
            type_name, model, fields, _reads(graphql_type, fields, owner), identity, owner
        )
        graphql_type.stored = stored  # type: ignore[attr-defined]
        graphql_type.from_document = staticmethod(  # type: ignore[attr-defined]
            _converter(graphql_type, type_name, identity, fields)
        )
        register(model, graphql_type)
        return graphql_type

    return decorate


def _owner_only(field: StoredField, owner: str) -> Callable[..., Any]:
    def resolve(root: Any, info: strawberry.Info) -> Any:
        document = root._document
        return private_value(info, document.get(owner), field.read(document))

    resolve.__name__ = field.attribute
    resolve.__annotations__ = {"info": strawberry.Info, "return": field.annotation | None}
    return resolve


def _reads(
    graphql_type: type, fields: tuple[StoredField, ...], owner: str
) -> dict[str, tuple[str, ...]]:
    """GraphQL name -> stored keys, for every field of the type; refuses a hand-written
    field that does not say what it reads."""
    derived = {
        field.graphql_name: (field.key, owner) if field.owner_only else (field.key,)
        for field in fields
    }
    found: dict[str, tuple[str, ...]] = {"id": (), "databaseId": (), "__typename": ()}
    for definition in graphql_type.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        graphql_name = definition.graphql_name or to_camel_case(definition.python_name)
        if graphql_name in derived:
            found[graphql_name] = derived[graphql_name]
        elif READS in (definition.metadata or {}):
            found[graphql_name] = definition.metadata[READS]
        elif graphql_name not in found:
            raise TypeError(
                f"{graphql_type.__name__}.{definition.python_name}: say which stored keys "
                "it reads with `strawberry.field(metadata=reads(...))`."
            )
    return found


def _converter(
    graphql_type: type,
    type_name: str,
    identity: str | None,
    fields: tuple[StoredField, ...],
) -> Callable[[Document], Any]:
    public = tuple(field for field in fields if not field.owner_only)

    def from_document(document: Document) -> Any:
        values = {field.attribute: field.read(document) for field in public}
        if identity == "node":
            values["id"] = to_global_id(type_name, document["_id"])
            values["database_id"] = str(document["_id"])
        elif identity == "plain":
            values["id"] = strawberry.ID(str(document["_id"]))
        return graphql_type(**values, _document=document)

    return from_document
