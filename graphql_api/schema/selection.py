"""Fetch only what a query asks for: MongoDB projections from the GraphQL selection."""

from collections.abc import Iterable, Mapping

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graphql_api.schema.context import Info

# GraphQL field name -> document fields it reads, per type.
FieldMap = Mapping[str, tuple[str, ...]]


def _flatten(selections: Iterable[Selection]) -> list[SelectedField]:
    fields: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            fields.append(selection)
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            fields += _flatten(selection.selections)
    return fields


def requested(info: Info, path: tuple[str, ...] = ("edges", "node")) -> set[str]:
    """Names selected under `path` below the current field."""
    level = _flatten(selection for field in info.selected_fields for selection in field.selections)
    for name in path:
        level = _flatten(
            selection for field in level if field.name == name for selection in field.selections
        )
    return {field.name for field in level if field.name != "__typename"}


def projection(info: Info, fields: FieldMap, path: tuple[str, ...] = ("edges", "node")):
    """A MongoDB projection for the nodes `info` selects, or None for whole documents."""
    names = requested(info, path)
    if not names <= fields.keys():
        return None
    return dict.fromkeys((stored for name in names for stored in fields[name]), 1) | {"_id": 1}
