"""Hand-written resolvers, called as Strawberry calls them.

The arguments are coerced by graphql-core (`get_argument_values`) and converted
by Strawberry (`convert_arguments`), `self`/`root`/`info` are passed where the
resolver asks for them, and permission classes are asked first. A permission
that says no is not answered here: the operation falls back to graphql-core,
which reports it as it always has.

`info` is a `PlanInfo`: it has the `context`, and anything else a resolver
reaches for (selections, path) raises `CantPlan`, so a resolver that needs more
than the planner provides makes its operation fall back instead of misbehaving.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from graphql import FieldNode, GraphQLField, Node, VariableNode
from graphql.execution.values import get_argument_values
from strawberry.relay.types import GlobalID
from strawberry.types.arguments import _is_leaf_type, convert_arguments
from strawberry.types.base import StrawberryMaybe, StrawberryOptional, has_object_definition
from strawberry.types.enum import has_enum_definition
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

from graphql_api.execution.collect import CantPlan
from graphql_api.execution.fields import FieldPlan, Parent
from graphql_api.execution.values import Completer, put
from graphql_api.schema.stored import StoredType


class PlanInfo:
    """What resolvers get as `info` under a plan: the context, nothing else."""

    __slots__ = ("context",)

    def __init__(self, context: Any) -> None:
        self.context = context

    def __getattr__(self, name: str) -> Any:
        raise CantPlan(f"info.{name}")


_IMMUTABLE = (str, int, float, bool, Decimal, datetime.datetime, datetime.date, type(None))


def _immutable(value: Any) -> bool:
    return isinstance(value, (*_IMMUTABLE, Enum)) or value is UNSET


def _copier(value: Any) -> Any:
    """How to make an equal, independent copy of a converted argument value, or None.

    Immutable values are their own copy; lists are copied item by item; input
    objects (plain Strawberry inputs, not built by a `from_input`) are copied with
    their fields: each request's resolver gets its own, as when converted afresh."""
    if _immutable(value):
        return _same
    if type(value) is list:
        items = [_copier(item) for item in value]
        if any(item is None for item in items):
            return None
        return lambda original: [copy(item) for copy, item in zip(items, original, strict=True)]
    definition = getattr(type(value), "__strawberry_definition__", None)
    if (
        definition is None
        or not definition.is_input
        or definition.from_input is not None
        or not hasattr(value, "__dict__")
        or hasattr(type(value), "__slots__")
    ):
        return None
    fields = {name: _copier(item) for name, item in vars(value).items()}
    if any(item is None for item in fields.values()):
        return None

    def copy_input(original: Any) -> Any:
        made = object.__new__(type(original))
        made.__dict__.update({name: fields[name](item) for name, item in vars(original).items()})
        return made

    return copy_input


def _same(value: Any) -> Any:
    return value


def _plain(argument: Any, scalars: Any) -> bool:
    """Whether Strawberry converts this argument's values to themselves: a scalar
    (not a GlobalID) or an enum, optional or not (`convert_argument`'s leaf case)."""
    type_ = argument.type
    if isinstance(type_, StrawberryMaybe):
        return False
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if type_ is GlobalID or isinstance(type_, LazyType) or has_object_definition(type_):
        return False
    return has_enum_definition(type_) or _is_leaf_type(type_, scalars, skip_classes=(GlobalID,))


def _has_variable(value: Node) -> bool:
    """Whether a literal argument value uses a variable anywhere inside."""
    if isinstance(value, VariableNode):
        return True
    return any(
        _has_variable(item)
        for item in (
            *getattr(value, "values", ()),
            *(field.value for field in getattr(value, "fields", ())),
        )
    )


class Call(FieldPlan):
    """A field with a resolver; `permissions` are its permission classes' instances."""

    __slots__ = (
        "completer",
        "constant",
        "copy",
        "field",
        "field_def",
        "node",
        "permissions",
        "plain",
        "static",
        "stored",
    )

    def __init__(
        self,
        key: str,
        field: StrawberryField,
        field_def: GraphQLField,
        node: FieldNode,
        completer: Completer,
        permissions: list[Any],
        stored: StoredType | None,
    ) -> None:
        super().__init__(key)
        self.field = field
        self.field_def = field_def
        self.node = node
        self.completer = completer
        self.permissions = permissions
        self.stored = stored
        # Arguments written in the document (no variables) are the same for every
        # parent and request: converted once, if nothing converted can be changed.
        self.static = not any(_has_variable(argument.value) for argument in node.arguments or ())
        self.constant: dict[str, Any] | None = None
        self.copy: Any = None  # how to copy `constant`, if it is not immutable
        # (graphql name, python name) per argument, if every one converts to itself.
        self.plain: list[tuple[str, str]] | None = None

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        source = obj if obj is not None or self.stored is None else Parent(document, self.stored)
        kwargs = self.arguments(job)
        if self.permissions:
            result: Any = self._guarded(source, kwargs, job)
        else:
            result = self.call(source, kwargs, job)
        put(result, out, self.key, self.completer, job)

    def arguments(self, job: Any) -> dict[str, Any]:
        """The resolver's keyword arguments, converted as Strawberry converts them.

        Arguments written in the document are converted once: each run gets a copy
        (its own input objects, as a fresh conversion makes). Scalar and enum
        arguments convert to themselves: read from graphql-core's values."""
        constant = self.constant
        if constant is not None:
            if self.copy is None:
                return dict(constant)  # callers add and pop keys
            return {name: self.copy[name](value) for name, value in constant.items()}
        if not self.field_def.args and not self.node.arguments:
            return {}
        raw = get_argument_values(self.field_def, self.node, job.variables)
        plain = self.plain
        if plain is not None:
            return {python: raw[name] for name, python in plain if name in raw}
        kwargs = convert_arguments(
            raw, self.field.arguments, scalar_registry=job.scalars, config=job.config, info=None
        )
        if self.static:
            copiers = {name: _copier(value) for name, value in kwargs.items()}
            if all(copier is not None for copier in copiers.values()):
                self.constant = kwargs
                if any(copier is not _same for copier in copiers.values()):
                    self.copy = copiers
                    return {name: copiers[name](value) for name, value in kwargs.items()}
                return dict(kwargs)
        elif all(_plain(argument, job.scalars) for argument in self.field.arguments):
            names = job.config.name_converter.from_argument
            self.plain = [
                (names(argument), argument.python_name) for argument in self.field.arguments
            ]
        return kwargs

    def call(self, source: Any, kwargs: dict[str, Any], job: Any) -> Any:
        resolver = self.field.base_resolver
        assert resolver is not None
        args = [source] if resolver.self_parameter else []
        if parameter := resolver.parent_parameter:
            kwargs[parameter.name] = source
        if parameter := resolver.root_parameter:
            kwargs[parameter.name] = source
        if parameter := resolver.info_parameter:
            kwargs[parameter.name] = job.info
        return resolver.wrapped_func(*args, **kwargs)

    async def _guarded(self, source: Any, kwargs: dict[str, Any], job: Any) -> Any:
        await self.allowed(source, kwargs, job)
        result = self.call(source, kwargs, job)
        return await result if hasattr(result, "__await__") else result

    async def allowed(self, source: Any, kwargs: dict[str, Any], job: Any) -> None:
        for permission in self.permissions:
            verdict = permission.has_permission(source, job.info, **kwargs)
            if hasattr(verdict, "__await__"):
                verdict = await verdict
            if not verdict:
                raise CantPlan("permission denied")  # graphql-core reports it
