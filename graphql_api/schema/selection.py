"""What a field's selection asks for below it: the names a projection is made of."""

from collections.abc import Iterable

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graphql_api.schema.context import Info


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
