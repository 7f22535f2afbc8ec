"""Building a plan from an operation, the schema and the stored-type declarations.

Every decision that can be made once is made here: which fields are read from
the document (and with which conversion, derived from `@stored_type`), which
are private, which call a resolver and under which permission classes, how each
value is serialised, which node fields a list reads. A field the planner does
not understand (introspection, an interface or union, a field extension other
than permission classes) raises `CantPlan`: the operation goes to graphql-core.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    is_leaf_type,
)
from graphql.execution.values import VariableValues
from strawberry.permission import PermissionExtension
from strawberry.types.field import StrawberryField

from graphql_api.dataloaders import KEYED
from graphql_api.execution.calls import Call, Lookup
from graphql_api.execution.collect import CantPlan, collect
from graphql_api.execution.connections import ConnectionCall, PageOf
from graphql_api.execution.fields import (
    Attribute,
    Constant,
    FieldPlan,
    Identity,
    ObjectPlan,
    OwnerOnly,
    Related,
    Stored,
    StoredScalar,
)
from graphql_api.execution.values import (
    Completer,
    DocumentOf,
    Leaf,
    ListOf,
    NonNull,
    ObjectOf,
    exact_type,
)
from graphql_api.limits import SCAN_SHAPED
from graphql_api.schema.connections import CONNECTION, ConnectionSpec
from graphql_api.schema.stored import LOOKUP, RELATION, StoredType

_DEFINITION = "strawberry-definition"  # Strawberry's link from graphql-core types back
_IDENTITY = {("node", "id"): "global", ("node", "databaseId"): "database", ("plain", "id"): "plain"}


class Builder:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        # loader name -> its relations and lookups in this operation, with the keys each reads
        self._relations: dict[str, list[tuple[Related | Lookup, dict[str, int] | None]]] = {}

    def operation(self, operation: OperationDefinitionNode) -> ObjectPlan:
        query = self.schema.query_type
        assert query is not None
        plan = self.object_plan(query, [operation.selection_set])
        self._narrow_relations()
        return plan

    def _narrow_relations(self) -> None:
        """One projection per loader, the union of what its relations read: loads
        of one wave stay one batch however differently each relation selects."""
        for name, relations in self._relations.items():
            keys = {"_id", KEYED[name][1]}
            for _, projection in relations:
                if projection is None:
                    break  # whole documents (less the loader's exclusions)
                keys.update(projection)
            else:
                narrowed = tuple(sorted(keys))
                for related, _ in relations:
                    related.keys = narrowed

    def object_plan(self, graphql_type: GraphQLObjectType, selection_sets: list[Any]) -> ObjectPlan:
        definition = graphql_type.extensions.get(_DEFINITION)
        if definition is None:
            raise CantPlan(f"{graphql_type.name}: not a Strawberry type")
        stored: StoredType | None = getattr(definition.origin, "stored", None)
        fields = collect(self.schema, graphql_type, selection_sets, self.fragments, self.variables)
        return ObjectPlan(
            [self.field(graphql_type, stored, key, nodes) for key, nodes in fields.items()],
            stored,
        )

    def field(
        self,
        parent: GraphQLObjectType,
        stored: StoredType | None,
        key: str,
        nodes: list[FieldNode],
    ) -> FieldPlan:
        name = nodes[0].name.value
        if name == "__typename":
            return Constant(key, parent.name)
        if name.startswith("__"):
            raise CantPlan("introspection")
        field_def = parent.fields[name]
        if stored is not None and (read := self.stored_field(stored, key, name, nodes, field_def)):
            return read
        field: StrawberryField = field_def.extensions[_DEFINITION]
        if (field.metadata or {}).get(SCAN_SHAPED):
            raise CantPlan(f"{parent.name}.{name}: scan-shaped")  # runs once, in graphql-core
        permissions = _permissions(field)
        spec: ConnectionSpec | None = (field.metadata or {}).get(CONNECTION)
        if spec is not None:
            completer, names = self.page(field_def.type, nodes)
            return ConnectionCall(
                key, field, field_def, nodes[0], completer, permissions, stored
            ).setup(spec, names)
        related = (field.metadata or {}).get(RELATION)
        if related is not None and stored is not None and not permissions:
            return self.related(key, field_def.type, nodes, *related)
        declared = (field.metadata or {}).get(LOOKUP)
        if declared is not None and not permissions:
            completer, projection = self.document(field_def.type, nodes)
            found = Lookup(key, field, field_def, nodes[0], completer, declared)
            self._reads_keys(declared[0], found, projection)
            return found
        completer = self.completer(field_def.type, nodes)
        if field.base_resolver is not None:
            return Call(key, field, field_def, nodes[0], completer, permissions, stored)
        if stored is not None or permissions:
            raise CantPlan(f"{parent.name}.{name}: not derived from the stored type")
        return Attribute(key, field.python_name, completer)

    def stored_field(
        self,
        stored: StoredType,
        key: str,
        name: str,
        nodes: list[FieldNode],
        field_def: GraphQLField,
    ) -> FieldPlan | None:
        """A field read from the document itself, or None if `name` is not one."""
        for stored_field in stored.fields:
            if stored_field.graphql_name == name:
                completer = self.completer(field_def.type, nodes)
                if stored_field.owner_only:
                    return OwnerOnly(key, stored_field, completer, stored.owner)
                exact = exact_type(completer)
                if exact is not None and stored_field.convert is None:
                    return StoredScalar(key, stored_field, completer, exact)
                return Stored(key, stored_field, completer)
        if kind := _IDENTITY.get((stored.identity or "", name)):
            return Identity(key, kind, stored.name)
        return None

    def related(
        self, key: str, graphql_type: Any, nodes: list[FieldNode], loader: str, source: str
    ) -> FieldPlan:
        """A declared relation (`relation(...)` in graphql_api.schema.stored)."""
        completer, projection = self.document(graphql_type, nodes)
        related = Related(key, loader, source, completer)
        self._reads_keys(loader, related, projection)
        return related

    def document(
        self, graphql_type: Any, nodes: list[FieldNode]
    ) -> tuple[DocumentOf, dict[str, int] | None]:
        """A loaded stored document's completer, and the projection its selection reads."""
        nullable = not isinstance(graphql_type, GraphQLNonNull)
        target = graphql_type if nullable else graphql_type.of_type
        if not isinstance(target, GraphQLObjectType):
            raise CantPlan(f"a loaded document of type {target}")
        plan = self.object_plan(target, [node.selection_set for node in nodes])
        if plan.stored is None:
            raise CantPlan(f"{target.name}: a loaded document of a type that is not stored")
        names = [below[0].name.value for below in self._collect(target, nodes).values()]
        return DocumentOf(plan, nullable), plan.stored.projection(names)

    def _reads_keys(
        self, loader: str, load: Related | Lookup, projection: dict[str, int] | None
    ) -> None:
        """`load` reads `projection` of `loader`'s documents (None: whole ones); once the
        operation is planned, `_narrow_relations` gives its loads the union."""
        if loader in KEYED:  # a loader of its own makes its own choice of keys
            self._relations.setdefault(loader, []).append((load, projection))

    def completer(self, graphql_type: Any, nodes: list[FieldNode]) -> Completer:
        if isinstance(graphql_type, GraphQLNonNull):
            return NonNull(self.completer(graphql_type.of_type, nodes))
        if isinstance(graphql_type, GraphQLList):
            return ListOf(self.completer(graphql_type.of_type, nodes))
        if is_leaf_type(graphql_type):
            return Leaf(graphql_type)
        if isinstance(graphql_type, GraphQLObjectType):
            plan = self.object_plan(graphql_type, [node.selection_set for node in nodes])
            return ObjectOf(graphql_type, plan)
        raise CantPlan("interface or union")  # resolving the type is graphql-core's

    def page(self, graphql_type: Any, nodes: list[FieldNode]) -> tuple[Completer, set[str]]:
        """A connection's completer, and the node fields it reads (for the projection)."""
        nullable = not isinstance(graphql_type, GraphQLNonNull)
        connection = graphql_type if nullable else graphql_type.of_type
        names: set[str] = set()
        fields: list[tuple[str, str, Any]] = []
        for key, below in self._collect(connection, nodes).items():
            name = below[0].name.value
            if name == "__typename":
                fields.append((key, connection.name, None))
            elif name == "edges":
                fields.append((key, name, self._edge(_named(connection, name), below, names)))
            elif name == "pageInfo":
                info = _named(connection, name)
                selected = [
                    (info_key, info.name if field[0].name.value == "__typename" else field_name)
                    for info_key, field in self._collect(info, below).items()
                    if (field_name := _plain(field[0].name.value))
                ]
                fields.append((key, name, selected))
            elif name == "totalCount":
                fields.append((key, name, None))
            else:
                raise CantPlan(f"{connection.name}.{name}")
        count = self.completer(connection.fields["totalCount"].type, [])
        completer = PageOf(fields, count)
        return (completer if nullable else NonNull(completer)), names

    def _edge(self, edge: GraphQLObjectType, nodes: list[FieldNode], names: set[str]) -> list:
        planned: list[tuple[str, str, Any]] = []
        for key, below in self._collect(edge, nodes).items():
            name = below[0].name.value
            if name == "__typename":
                planned.append((key, edge.name, None))
            elif name == "cursor":
                planned.append((key, name, None))
            elif name == "node":
                node_type = _named(edge, name)
                plan = self.object_plan(node_type, [node.selection_set for node in below])
                names.update(
                    field[0].name.value
                    for field in self._collect(node_type, below).values()
                    if field[0].name.value != "__typename"
                )
                planned.append((key, name, plan))
            else:
                raise CantPlan(f"{edge.name}.{name}")
        return planned

    def _collect(self, graphql_type: GraphQLObjectType, nodes: list[FieldNode]) -> dict:
        return collect(
            self.schema,
            graphql_type,
            [node.selection_set for node in nodes],
            self.fragments,
            self.variables,
        )


def _named(parent: GraphQLObjectType, name: str) -> Any:
    graphql_type = parent.fields[name].type
    while isinstance(graphql_type, (GraphQLNonNull, GraphQLList)):
        graphql_type = graphql_type.of_type
    return graphql_type


def _plain(name: str) -> str:
    if name.startswith("__") and name != "__typename":
        raise CantPlan("introspection")
    return name


def _permissions(field: StrawberryField) -> list[Any]:
    permissions: list[Any] = []
    for extension in field.extensions:
        if not isinstance(extension, PermissionExtension) or extension.fail_silently:
            raise CantPlan(f"{field.python_name}: field extension")
        permissions.extend(extension.permissions)
    return permissions
