"""Is the served schema safe for clients generated from an older one?

graphql-core compares the two schemas (`find_schema_changes`; its older
`find_breaking_changes` / `find_dangerous_changes` are deprecated since 3.3). Our
policy (README, "Schema"): deprecate first (`@deprecated(reason:)`), remove later. So
removing what the old schema already deprecated is listed but does not fail: the
changes are computed a second time against the old schema minus its deprecated fields,
arguments and enum values, and only what remains is breaking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    REMOVE,
    BreakingChangeType,
    DangerousChangeType,
    DocumentNode,
    GraphQLSchema,
    Visitor,
    build_ast_schema,
    parse,
    visit,
)

try:
    from graphql import find_schema_changes
except ImportError:  # graphql-core < 3.3
    from graphql import find_breaking_changes, find_dangerous_changes

    def find_schema_changes(old: GraphQLSchema, new: GraphQLSchema) -> list:
        return [*find_breaking_changes(old, new), *find_dangerous_changes(old, new)]


@dataclass
class Report:
    breaking: list[str] = field(default_factory=list)
    deprecated_removals: list[str] = field(default_factory=list)
    dangerous: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"BREAKING   {line}" for line in self.breaking]
        out += [f"REMOVED    {line} (it was deprecated)" for line in self.deprecated_removals]
        out += [f"DANGEROUS  {line}" for line in self.dangerous]
        return out or ["No breaking or dangerous changes."]


class _DropDeprecated(Visitor):
    """Removes fields, arguments, input fields and enum values marked @deprecated."""

    @staticmethod
    def _drop(node: object) -> object:
        directives = getattr(node, "directives", None) or ()
        return REMOVE if any(d.name.value == "deprecated" for d in directives) else None

    def enter_field_definition(self, node: object, *_: object) -> object:
        return self._drop(node)

    def enter_input_value_definition(self, node: object, *_: object) -> object:
        return self._drop(node)

    def enter_enum_value_definition(self, node: object, *_: object) -> object:
        return self._drop(node)


# What a deprecation announces; changing a deprecated field's type still breaks clients.
REMOVALS = {
    BreakingChangeType.FIELD_REMOVED,
    BreakingChangeType.ARG_REMOVED,
    BreakingChangeType.VALUE_REMOVED_FROM_ENUM,
}


def _breaking(old: GraphQLSchema, new: GraphQLSchema) -> dict[str, bool]:
    """Each breaking change, and whether it is a removal."""
    return {
        f"{change.type.name}: {change.description}": change.type in REMOVALS
        for change in find_schema_changes(old, new)
        if isinstance(change.type, BreakingChangeType)
    }


def compare(old_sdl: str, new_sdl: str) -> Report:
    """Changes from `old_sdl` (a schema.graphql clients were built from) to `new_sdl`."""
    new = build_ast_schema(parse(new_sdl))
    old_ast = parse(old_sdl)
    old = build_ast_schema(old_ast)
    undeprecated: DocumentNode = visit(old_ast, _DropDeprecated())
    # Possibly a type without fields now: only compared, never served, so not validated.
    old_without_deprecated = build_ast_schema(undeprecated, assume_valid=True)
    all_breaking = _breaking(old, new)
    breaking = set(_breaking(old_without_deprecated, new))
    allowed = [line for line, removal in all_breaking.items() if removal and line not in breaking]
    return Report(
        breaking=[line for line in all_breaking if line not in allowed],
        deprecated_removals=allowed,
        dangerous=[
            f"{change.type.name}: {change.description}"
            for change in find_schema_changes(old, new)
            if isinstance(change.type, DangerousChangeType)
        ],
    )
