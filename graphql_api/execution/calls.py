"""Hand-written resolvers, called as Strawberry calls them.

The arguments are coerced by graphql-core (`get_argument_values`) and converted
by Strawberry (`convert_arguments`): once, if written in the document; taken
from the coerced variables as they are, if each is a variable of a scalar type
(what both would do with them). `self`/`root`/`info` are passed where the
resolver asks for them, and permission classes are asked first. A permission
that says no is not answered here: the operation falls back to graphql-core,
which reports it as it always has.

`info` is a `PlanInfo`: it has the `context`, and anything else a resolver
reaches for (selections, path) raises `CantPlan`, so a resolver that needs more
than the planner provides makes its operation fall back instead of misbehaving.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from graphql import FieldNode, GraphQLField, GraphQLNonNull, Node, Undefined, VariableNode
from graphql.execution.values import get_argument_values
from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import convert_arguments
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UNSET

from graphql_api.errors import BadUserInput
from graphql_api.execution.collect import CantPlan
from graphql_api.execution.fields import FieldPlan, Parent, load
from graphql_api.execution.values import Completer, put
from graphql_api.schema.relay import parse_id
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


def _copyable(value: Any) -> bool:
    """Immutable, or lists and input objects (dataclasses) of what is copyable:
    what `_copy` can hand out afresh to every call."""
    if _immutable(value):
        return True
    if type(value) is list:
        return all(_copyable(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return hasattr(value, "__dict__") and all(_copyable(v) for v in vars(value).values())
    return False


def _copy(value: Any) -> Any:
    """A copy a resolver may change without changing what the next call gets."""
    if type(value) is list:
        return [_copy(item) for item in value]
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        copied = object.__new__(type(value))
        copied.__dict__.update({name: _copy(v) for name, v in vars(value).items()})
        return copied
    return value


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


def _passed_variables(call: Call, scalars: Any, config: Any) -> list[tuple[str, str, bool]]:
    """(python name, variable, required) per argument, if every argument of the field
    is passed as a variable and is of a scalar type: graphql-core then takes the
    variable's coerced value as it is (`coerce_input_literal`), and Strawberry
    converts a scalar to itself (`convert_argument`). Empty if not so."""
    nodes = {argument.name.value: argument.value for argument in call.node.arguments or ()}
    if call.static or set(nodes) != set(call.field_def.args):
        return []
    passed = []
    for argument in call.field.arguments:
        name = config.name_converter.from_argument(argument)
        node, definition = nodes.get(name), call.field_def.args.get(name)
        if not isinstance(node, VariableNode) or definition is None:
            return []
        type_ = argument.type
        if isinstance(type_, StrawberryMaybe):
            return []
        if isinstance(type_, StrawberryOptional):
            type_ = type_.of_type
        if type_ is GlobalID or not is_scalar(type_, scalars):
            return []
        passed.append(
            (argument.python_name, node.name.value, isinstance(definition.type, GraphQLNonNull))
        )
    return passed if len(passed) == len(nodes) else []


class Call(FieldPlan):
    """A field with a resolver; `permissions` are its permission classes' instances."""

    __slots__ = (
        "completer",
        "constant",
        "field",
        "field_def",
        "immutable",
        "node",
        "passed",
        "permissions",
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
        # parent and request: converted once, and each call gets its own copy of
        # any input object or list (a resolver may change what it is given).
        self.static = not any(_has_variable(argument.value) for argument in node.arguments or ())
        self.constant: dict[str, Any] | None = None
        self.immutable = False  # every constant argument is immutable: nothing to copy
        # Arguments that are each a variable of a scalar type: taken from the
        # coerced variables as they are (None: not worked out yet; False: not so).
        self.passed: list[tuple[str, str, bool]] | bool | None = None

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        source = obj if obj is not None or self.stored is None else Parent(document, self.stored)
        kwargs = self.arguments(job)
        if self.permissions:
            result: Any = self._guarded(source, kwargs, job)
        else:
            result = self.call(source, kwargs, job)
        put(result, out, self.key, self.completer, job)

    def arguments(self, job: Any) -> dict[str, Any]:
        """The resolver's keyword arguments, converted as Strawberry converts them."""
        if self.constant is not None:
            if self.immutable:
                return dict(self.constant)
            return {name: _copy(value) for name, value in self.constant.items()}
        if not self.field_def.args and not self.node.arguments:
            return {}
        passed = self.passed
        if passed is None:
            passed = self.passed = _passed_variables(self, job.scalars, job.config) or False
        if passed:
            coerced, kwargs = job.variables.coerced, {}
            for python_name, variable, required in passed:
                value = coerced.get(variable, Undefined)
                if value is Undefined or (value is None and required):
                    break  # a default or an error: graphql-core's to work out
                kwargs[python_name] = value
            else:
                return kwargs
        raw = get_argument_values(self.field_def, self.node, job.variables)
        kwargs = convert_arguments(
            raw, self.field.arguments, scalar_registry=job.scalars, config=job.config, info=None
        )
        if self.static and all(_copyable(value) for value in kwargs.values()):
            self.immutable = all(_immutable(value) for value in kwargs.values())
            self.constant = kwargs
            return {name: _copy(value) for name, value in kwargs.items()}
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


class Lookup(Call):
    """A declared lookup (`lookup(...)` in graphql_api.schema.stored): the document
    its loader gives for the id argument, fetched with the wave's other loads and,
    like a relation, with only the stored `keys` the operation reads (set by the
    builder). The resolver is not called: no DataLoader task, no object. An id
    `parse_id` refuses leaves the operation to graphql-core, which reports it."""

    __slots__ = ("argument", "keys", "loader", "type_name")

    def __init__(
        self,
        key: str,
        field: StrawberryField,
        field_def: GraphQLField,
        node: FieldNode,
        completer: Completer,
        declared: tuple[str, str, str],
    ) -> None:
        super().__init__(key, field, field_def, node, completer, [], None)
        self.loader, self.type_name, self.argument = declared
        self.keys: tuple[str, ...] | None = None

    def put(self, document: Any, obj: Any, out: dict[str, Any], job: Any) -> None:
        try:
            wanted = parse_id(self.arguments(job)[self.argument], self.type_name)
        except (BadUserInput, KeyError, TypeError) as refused:
            raise CantPlan("not an id of its type") from refused
        load(job, self, wanted, out)
