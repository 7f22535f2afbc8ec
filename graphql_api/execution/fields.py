"""The planned fields of an object: how each response key gets its value.

A stored type's fields read its document directly, with the conversion its
`@stored_type` declaration derived (`StoredField.read`, which `from_document`
uses too), so no GraphQL object is built for it; fields with a hand-written
resolver call that resolver as Strawberry would (see `calls`).
"""

from __future__ import annotations

from typing import Any

from graphql_api.auth.rules import private_value
from graphql_api.execution.loads import Loaded, batched
from graphql_api.execution.values import Completer, Later, put
from graphql_api.schema.relay import to_global_id
from graphql_api.schema.stored import StoredType
from graphql_api.schema.stored_fields import StoredField


class FieldPlan:
    """Puts one response key of an object: `put(document, obj, out, job)`.

    `document` is the stored document (None for types that are not stored),
    `obj` the object graphql-core would have had (None where the plan reads a
    document that was never made into one)."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        raise NotImplementedError


class Constant(FieldPlan):
    """`__typename`: the object type's name."""

    __slots__ = ("value",)

    def __init__(self, key: str, value: str) -> None:
        super().__init__(key)
        self.value = value

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        out[self.key] = self.value


class Stored(FieldPlan):
    """An exposed stored field, public to all."""

    __slots__ = ("completer", "field")

    def __init__(self, key: str, field: StoredField, completer: Completer) -> None:
        super().__init__(key)
        self.field = field
        self.completer = completer

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        out[self.key] = self.completer.complete(self.field.read(document), job)


class StoredScalar(Stored):
    """A stored field read as it is (no conversion) into a String, ID or Boolean:
    a value of exactly that type is its own answer, written without a call (50
    posts' titles); anything else (missing, null, another type) takes `Stored`'s way."""

    __slots__ = ("exact", "stored_key")

    def __init__(self, key: str, field: StoredField, completer: Completer, exact: type) -> None:
        super().__init__(key, field, completer)
        self.stored_key = field.key
        self.exact = exact

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        value = document.get(self.stored_key)
        if type(value) is self.exact:
            out[self.key] = value
        else:
            out[self.key] = self.completer.complete(self.field.read(document), job)


class OwnerOnly(Stored):
    """An `owner_only` field: the same rule as its resolver in `stored.py`."""

    __slots__ = ("owner",)

    def __init__(self, key: str, field: StoredField, completer: Completer, owner: str) -> None:
        super().__init__(key, field, completer)
        self.owner = owner

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        value = private_value(job.info, document.get(self.owner), self.field.read(document))
        put(value, out, self.key, self.completer, job)


class Identity(FieldPlan):
    """`id` and `databaseId`, as `from_document` makes them."""

    __slots__ = ("kind", "type_name")

    def __init__(self, key: str, kind: str, type_name: str) -> None:
        super().__init__(key)
        self.kind = kind  # "global", "database" or "plain"
        self.type_name = type_name

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        object_id = document["_id"]
        if self.kind == "global":
            out[self.key] = to_global_id(self.type_name, object_id)
        else:
            out[self.key] = str(object_id)


class Related(FieldPlan):
    """A declared relation: the parent's stored key, loaded by the operation's
    DataLoader. The key waits in the run's wave with the others of the list, and
    the wave asks the loader for all of them at once (graphql_api.execution.loads):
    one query, as under graphql-core, but without a resolver call, a future and
    its callbacks per item. `keys` (set by the builder once
    the whole operation is planned) are the stored keys its relations to the same
    loader select, together: the documents are fetched with only those."""

    __slots__ = ("completer", "keys", "loader", "source")

    def __init__(self, key: str, loader: str, source: str, completer: Completer) -> None:
        super().__init__(key)
        self.loader = loader
        self.source = source
        self.completer = completer
        self.keys: tuple[str, ...] | None = None

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        load(job, self, document[self.source], out)


def load(job: Any, plan: Any, wanted: Any, out: dict[str, Any]) -> None:
    """`out[plan.key]` (`plan`: a `Related` or a `calls.Lookup`): the document its
    loader gives for `wanted` (with only `plan.keys`, if set), completed when the
    run's wave is settled. The loader is found once per run and plan (a page's 50
    authors ask for the same one)."""
    found = job.loaders.get(plan)
    if found is None:
        loaders = job.info.context.loaders
        name, keys = plan.loader, plan.keys
        loader = getattr(loaders, name) if keys is None else loaders.narrowed(name, keys)
        found = job.loaders[plan] = (loader, batched(loader))
    out[plan.key] = None  # keeps the key's place in the response's order
    if found[1]:
        job.pending.append(Loaded(found[0], wanted, out, plan.key, plan.completer))
    else:
        job.pending.append(Later(found[0].load(wanted), out, plan.key, plan.completer))


class Attribute(FieldPlan):
    """A field without a resolver on a type that is not stored: the attribute."""

    __slots__ = ("completer", "name")

    def __init__(self, key: str, name: str, completer: Completer) -> None:
        super().__init__(key)
        self.name = name
        self.completer = completer

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        put(getattr(obj, self.name), out, self.key, self.completer, job)


class ObjectPlan:
    """An object type's planned selection."""

    __slots__ = ("fields", "stored")

    def __init__(self, fields: list[FieldPlan], stored: StoredType | None) -> None:
        self.fields = fields
        self.stored = stored

    def run_object(self, obj: Any, job: Any) -> dict[str, Any]:
        """For an object a resolver returned (a stored type's, from `from_document`)."""
        document = obj._document if self.stored is not None else None
        return self.run(document, obj, job)

    def run(self, document: Any, obj: Any, job: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in self.fields:
            field.put(document, obj, out, job)
        return out


class Parent:
    """A stored document as the object `from_document` would make of it, for the
    hand-written resolvers of its type (`self._document`, `self.sku`); built only
    when such a field is asked for. Anything else fails, and the plan falls back."""

    __slots__ = ("_document", "_stored")

    def __init__(self, document: dict[str, Any], stored: StoredType) -> None:
        self._document = document
        self._stored = stored

    def __getattr__(self, name: str) -> Any:
        stored, document = self._stored, self._document
        for field in stored.fields:
            if field.attribute == name and not field.owner_only:
                return field.read(document)
        if name == "id" and stored.identity == "node":
            return to_global_id(stored.name, document["_id"])
        if (name == "id" and stored.identity == "plain") or (
            name == "database_id" and stored.identity == "node"
        ):
            return str(document["_id"])
        raise AttributeError(name)
