"""An operation's variables, coerced as graphql-core coerces them, with less per request.

`get_variable_values` works out each variable's type from the document again
for every request, and passes every value through the generic coercion. Here
the types are worked out once per operation (`get_variable_signature`), and a
value that coercion would return unchanged is taken as it is: a string for
`String` or `ID`, an `int` in range for `Int`, a finite `float` for `Float`, a
`bool` for `Boolean` (graphql-core's own scalars, not types of the same name),
or null for a nullable type. Any other value, a variable left out (defaults,
omissions) or an error goes graphql-core's way for the whole operation, so the
values, their sources and the errors are graphql-core's in every case.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from typing import Any

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    GraphQLBoolean,
    GraphQLError,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    VariableDefinitionNode,
)
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import (
    VariableValues,
    VariableValueSource,
    get_variable_values,
)


def _string(value: Any) -> bool:
    return type(value) is str


def _int(value: Any) -> bool:
    return type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT


def _float(value: Any) -> bool:
    return type(value) is float and math.isfinite(value)


def _boolean(value: Any) -> bool:
    return type(value) is bool


#: graphql-core's scalars, and the values their coercion returns unchanged.
_UNCHANGED: dict[Any, Callable[[Any], bool]] = {
    GraphQLString: _string,
    GraphQLID: _string,
    GraphQLInt: _int,
    GraphQLFloat: _float,
    GraphQLBoolean: _boolean,
}

#: (name, signature, required, unchanged) per variable.
_Known = tuple[str, Any, bool, Callable[[Any], bool]]


class Variables:
    """The variables of one operation of a schema."""

    __slots__ = ("definitions", "known", "schema")

    def __init__(
        self, schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode]
    ) -> None:
        self.schema = schema
        self.definitions = definitions
        self.known = self._signatures()

    def _signatures(self) -> list[_Known] | None:
        known = []
        for definition in self.definitions:
            signature = get_variable_signature(self.schema, definition)
            if isinstance(signature, GraphQLError):
                return None
            type_ = signature.type
            required = isinstance(type_, GraphQLNonNull)
            unchanged = _UNCHANGED.get(type_.of_type if required else type_)
            if unchanged is None:
                return None
            known.append((signature.name, signature, required, unchanged))
        return known

    def coerce(self, inputs: Mapping[str, Any]) -> VariableValues | list[GraphQLError]:
        """As `get_variable_values(schema, definitions, inputs)` answers."""
        known = self.known
        if known is not None:
            sources: dict[str, VariableValueSource] = {}
            coerced: dict[str, Any] = {}
            for name, signature, required, unchanged in known:
                value = inputs.get(name, Undefined)
                if value is Undefined or not (unchanged(value) or (value is None and not required)):
                    break
                sources[name] = VariableValueSource(signature, value)
                coerced[name] = value
            else:
                return VariableValues(sources, coerced)
        return get_variable_values(self.schema, self.definitions, dict(inputs))


__all__ = ["Variables"]
