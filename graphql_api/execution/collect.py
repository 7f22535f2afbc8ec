"""Which fields a selection asks of one object type, as GraphQL's CollectFields says.

The plan is built for one set of `@skip`/`@include` outcomes, so the collection
here is final: skipped fields are simply not in it. Fields are grouped by their
response key (alias or name) in the order they first appear, which is the
order of the keys in the response. Anything beyond the spec's core (other
directives, such as `@defer`, or fragment arguments) is not planned.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_directive_values
from graphql.utilities import type_from_ast

_CONDITIONS = frozenset({"skip", "include"})


class CantPlan(Exception):
    """This operation, or this run of it, is left to graphql-core."""


Fields = dict[str, list[FieldNode]]


def directive_variables(selection_sets: Iterable[SelectionSetNode]) -> set[str]:
    """The variables the `@skip`/`@include` conditions below depend on."""
    found: set[str] = set()
    stack = list(selection_sets)
    while stack:
        selection_set = stack.pop()
        for selection in selection_set.selections:
            for directive in selection.directives or ():
                for argument in directive.arguments or ():
                    if argument.value.kind == "variable":
                        found.add(argument.value.name.value)
            if getattr(selection, "selection_set", None) is not None:
                stack.append(selection.selection_set)
    return found


def collect(
    schema: GraphQLSchema,
    runtime_type: GraphQLObjectType,
    selection_sets: Iterable[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
    variables: VariableValues,
) -> Fields:
    fields: Fields = {}
    visited: set[str] = set()
    for selection_set in selection_sets:
        _collect(schema, runtime_type, selection_set, fragments, variables, fields, visited)
    return fields


def _collect(
    schema: GraphQLSchema,
    runtime_type: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: VariableValues,
    fields: Fields,
    visited: set[str],
) -> None:
    for selection in selection_set.selections:
        if not _included(selection, variables):
            continue
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            fields.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            if _matches(schema, selection.type_condition, runtime_type):
                _collect(
                    schema, runtime_type, selection.selection_set, fragments, variables, fields,
                    visited,
                )  # fmt: skip
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if getattr(selection, "arguments", None):
                raise CantPlan("fragment arguments")
            if name in visited:
                continue
            visited.add(name)
            fragment = fragments.get(name)
            if fragment is None or getattr(fragment, "variable_definitions", None):
                raise CantPlan("fragment")
            if _matches(schema, fragment.type_condition, runtime_type):
                _collect(
                    schema, runtime_type, fragment.selection_set, fragments, variables, fields,
                    visited,
                )  # fmt: skip
        else:
            raise CantPlan("unknown selection")


def _included(selection: Any, variables: VariableValues) -> bool:
    directives = selection.directives or ()
    if not directives:
        return True
    if any(directive.name.value not in _CONDITIONS for directive in directives):
        raise CantPlan("directive")  # @defer, @stream, or one the planner does not know
    skip = get_directive_values(GraphQLSkipDirective, selection, variables)
    if skip and skip.get("if") is True:
        return False
    include = get_directive_values(GraphQLIncludeDirective, selection, variables)
    return not (include and include.get("if") is False)


def _matches(schema: GraphQLSchema, condition: Any, runtime_type: GraphQLObjectType) -> bool:
    if condition is None:
        return True
    conditional_type = type_from_ast(schema, condition)
    if conditional_type is runtime_type:
        return True
    if conditional_type is None or isinstance(conditional_type, GraphQLObjectType):
        return False
    return schema.is_sub_type(conditional_type, runtime_type)
