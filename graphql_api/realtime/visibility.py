"""Which subscribers may share one execution: those who would see the same answer.

Every rule in `graphql_api.auth.rules` is "signed in", "admin" or "the user
themselves or an admin". So admins see everything alike, anonymous visitors see
the public part alike, and a signed-in user's answer may be their own. A
selection that reads only public stored fields (no owner-only field, no
resolver, which could consult the viewer) is the same for everyone.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
    is_leaf_type,
    parse,
)
from graphql.error import GraphQLError

from graphql_api.auth.viewer import Viewer

PUBLIC = "public"
_DEFINITION = "strawberry-definition"  # Strawberry's link from graphql-core types back
_IDENTITY_FIELDS = {"node": ("id", "databaseId"), "plain": ("id",)}


@lru_cache(maxsize=512)
def subscription(query: str, operation_name: str | None) -> OperationDefinitionNode | None:
    """The subscription operation of a document, or None (not one, or not valid)."""
    try:
        document = parse(query)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    return operation


def visibility(public: bool, viewer: Viewer | None) -> str:
    """The key of what `viewer` may see of a selection (`public`: the same for all)."""
    if public:
        return PUBLIC
    if viewer is None:
        return "anonymous"
    if viewer.is_admin:
        return "admin"
    return f"user:{viewer.user_id}"


@lru_cache(maxsize=512)
def is_public(schema: GraphQLSchema, query: str, operation_name: str | None) -> bool:
    """Whether the subscription's selection reads only public stored fields."""
    operation = subscription(query, operation_name)
    if operation is None or schema.subscription_type is None:
        return False
    document = parse(query)
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walker = _Walker(schema, fragments)
    return walker.selection(schema.subscription_type, operation.selection_set, root=True)


class _Walker:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments

    def selection(self, parent: GraphQLObjectType, nodes: SelectionSetNode, root: bool) -> bool:
        # Conservative: every field counts, whatever @skip/@include say.
        return all(self.field(parent, field, root) for field in self._fields(nodes, set()))

    def field(self, parent: GraphQLObjectType, node: FieldNode, root: bool) -> bool:
        name = node.name.value
        if name == "__typename":
            return True
        field = parent.fields.get(name)
        if field is None:
            return False
        graphql_type = _named(field.type)
        if root:  # the subscription field: what it yields is the object that counts
            return (
                isinstance(graphql_type, GraphQLObjectType)
                and node.selection_set is not None
                and self.selection(graphql_type, node.selection_set, root=False)
            )
        definition = parent.extensions.get(_DEFINITION)
        stored = getattr(getattr(definition, "origin", None), "stored", None)
        if stored is None:
            return False
        for stored_field in stored.fields:
            if stored_field.graphql_name == name:
                if stored_field.owner_only:
                    return False
                if is_leaf_type(graphql_type):
                    return True
                return (
                    isinstance(graphql_type, GraphQLObjectType)
                    and node.selection_set is not None
                    and self.selection(graphql_type, node.selection_set, root=False)
                )
        return name in _IDENTITY_FIELDS.get(stored.identity or "", ())

    def _fields(self, nodes: SelectionSetNode, seen: set[str]) -> list[FieldNode]:
        found: list[FieldNode] = []
        for node in nodes.selections:
            if isinstance(node, FieldNode):
                found.append(node)
            elif isinstance(node, InlineFragmentNode):
                found.extend(self._fields(node.selection_set, seen))
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                seen.add(node.name.value)
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    found.extend(self._fields(fragment.selection_set, seen))
        return found


def _named(graphql_type: Any) -> Any:
    while isinstance(graphql_type, (GraphQLNonNull, GraphQLList)):
        graphql_type = graphql_type.of_type
    return graphql_type


__all__ = ["PUBLIC", "is_public", "subscription", "visibility"]
