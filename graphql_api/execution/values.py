"""Completing values as graphql-core does, for the shapes a plan serves.

A completer turns what a field read (a stored value, a resolver's result) into
its JSON value, by the field's GraphQL type: scalars and enums through the very
`coerce_output_value` graphql-core calls (the same Strawberry scalars), lists
item by item, objects through their plan. Where graphql-core would report an
error (a null in a non-null place, a value a scalar refuses, an object of the
wrong type), the plan does not try to reproduce it: `CantPlan` hands the whole
operation back to graphql-core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLLeafType, GraphQLObjectType, Undefined

from graphql_api.execution.collect import CantPlan

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


class Completer:
    __slots__ = ()

    def complete(self, value: Any, job: Any) -> Any:
        raise NotImplementedError


class Leaf(Completer):
    """A scalar or enum. The built-in scalars skip the call for values already right."""

    __slots__ = ("coerce", "exact")

    def __init__(self, graphql_type: GraphQLLeafType) -> None:
        self.coerce: Callable[[Any], Any] = graphql_type.coerce_output_value
        # A value of exactly this Python type is its own output (graphql-core returns it as is).
        self.exact: type | None = {"String": str, "ID": str, "Boolean": bool}.get(graphql_type.name)
        if graphql_type.name == "Int":
            self.exact = None
            self.coerce = _int(graphql_type.coerce_output_value)

    def complete(self, value: Any, job: Any) -> Any:
        if value is None:
            return None
        if type(value) is self.exact:
            return value
        coerced = self.coerce(value)
        if coerced is None or coerced is Undefined:
            raise CantPlan("leaf")
        return coerced


def _int(coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def coerce_int(value: Any) -> Any:
        if type(value) is int and _INT_MIN <= value <= _INT_MAX:
            return value
        return coerce(value)

    return coerce_int


class NonNull(Completer):
    __slots__ = ("inner",)

    def __init__(self, inner: Completer) -> None:
        self.inner = inner

    def complete(self, value: Any, job: Any) -> Any:
        if value is None:
            raise CantPlan("null in a non-null place")  # graphql-core: an error, null bubbles
        return self.inner.complete(value, job)


class ListOf(Completer):
    __slots__ = ("inner",)

    def __init__(self, inner: Completer) -> None:
        self.inner = inner

    def complete(self, value: Any, job: Any) -> Any:
        if value is None:
            return None
        if type(value) is not list and type(value) is not tuple:
            raise CantPlan("not a list")
        inner = self.inner
        return [inner.complete(item, job) for item in value]


class ObjectOf(Completer):
    """An object a resolver (or a stored value) returned: checked as graphql-core
    checks it (`is_type_of`, where Strawberry defines one), then walked by `plan`."""

    __slots__ = ("is_type_of", "plan")

    def __init__(self, graphql_type: GraphQLObjectType, plan: Any) -> None:
        self.is_type_of = graphql_type.is_type_of
        self.plan = plan

    def complete(self, value: Any, job: Any) -> Any:
        if value is None:
            return None
        if self.is_type_of is not None and not self.is_type_of(value, None):
            raise CantPlan("object of another type")
        return self.plan.run_object(value, job)


class DocumentOf(Completer):
    """A stored document a relation loaded (`Related`), walked by its type's plan:
    what `from_document` and the object's plan would give, without the object."""

    __slots__ = ("nullable", "plan")

    def __init__(self, plan: Any, nullable: bool) -> None:
        self.plan = plan
        self.nullable = nullable

    def complete(self, value: Any, job: Any) -> Any:
        if not value:  # the resolvers' `if doc`
            if self.nullable:
                return None
            raise CantPlan("null in a non-null place")
        return self.plan.run(value, None, job)


class Later:
    """A value still to be awaited: where it goes and how it is completed."""

    __slots__ = ("awaitable", "completer", "container", "key")

    def __init__(self, awaitable: Any, container: Any, key: Any, completer: Completer) -> None:
        self.awaitable = awaitable
        self.container = container
        self.key = key
        self.completer = completer


def exact_type(completer: Completer) -> type | None:
    """The Python type whose values `completer` gives back as they are (a String's
    `str`, nullable or not), or None."""
    if isinstance(completer, NonNull):
        completer = completer.inner
    return completer.exact if isinstance(completer, Leaf) else None


def put(value: Any, container: Any, key: Any, completer: Completer, job: Any) -> None:
    """`container[key]` = the completed value, now or (for an awaitable) in a later wave."""
    if hasattr(value, "__await__"):
        container[key] = None  # keeps the key's place in the response's order
        job.pending.append(Later(value, container, key, completer))
    else:
        container[key] = completer.complete(value, job)
