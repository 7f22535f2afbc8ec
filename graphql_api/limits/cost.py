"""What an operation costs, read from its document before any resolver runs.

Every field costs 1, and a list field multiplies what is under it by the
number of items it may return (`first`/`last`, `limit`, the number of `ids`),
so `users(first: 100) { posts(first: 100) { ... } }` is expensive. A
scan-shaped field (see `SCANS`: work no index bounds) also costs the documents
it may have to examine, one point per `COST_SCAN_DOCUMENTS_PER_POINT`
documents of the collection, whatever its page size.

Pricing reads only the document, its variables and the schema (graphql-core's
AST, no execution), so a refusal stays as cheap as parsing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
)

_SIZE_ARGUMENTS = ("first", "last", "limit")
UNKNOWN_SCAN_POINTS = 1000  # a scan of a collection whose size is not known (yet): 10k documents


def _filter(arguments: Mapping[str, Any], name: str) -> Any:
    value = arguments.get("filter")
    return value.get(name) if isinstance(value, Mapping) else None


# Fields whose database work no index bounds: field name -> (collection it may
# scan, whether these arguments make it scan, given "the server has a text index").
# tests/test_query_plans.py lists what each list filter's index bounds.
SCANS: dict[str, tuple[str, Callable[[Mapping[str, Any], bool], bool]]] = {
    # The regex fallback examines every published post (SecantusDB has no text index).
    "searchPosts": ("posts", lambda arguments, text_index: not text_index),
    "posts": ("posts", lambda a, text_index: not text_index and bool(_filter(a, "search"))),
    # Stock is checked on the documents the price index yields, not bounded by it.
    "products": ("products", lambda a, text_index: _filter(a, "inStock") is not None),
}


class _Cost:
    def __init__(
        self,
        fragments: Mapping[str, Any],
        variables: Mapping[str, Any],
        max_size: int,
        lists: Mapping[str, int] | None = None,
        scan_points: Mapping[str, int] | None = None,
        text_index: bool = False,
        read: set[str] | None = None,
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.max_size = max_size
        self.lists = lists or {}  # list fields -> their size when no argument says
        self.scan_points = scan_points or {}  # collection -> points of one scan of it
        self.text_index = text_index
        self.scanned: set[str] = set()  # collections some field may scan
        self.read = read  # the variables pricing looked at, if kept

    def value(self, node: Any) -> Any:
        if isinstance(node, VariableNode):
            name = node.name.value
            if self.read is not None:
                self.read.add(name)
            return self.variables.get(name)
        if isinstance(node, IntValueNode):
            # int() refuses 4,300+ digits (ValueError): such a literal is no size anyway.
            return int(node.value) if len(node.value) <= 18 else None
        if isinstance(node, ListValueNode):
            return list(node.values)
        if isinstance(node, (StringValueNode, BooleanValueNode)):
            return node.value
        if isinstance(node, NullValueNode):
            return None
        if isinstance(node, ObjectValueNode):
            return {field.name.value: self.value(field.value) for field in node.fields}
        return None

    def multiplier(self, field: FieldNode) -> int:
        arguments = {argument.name.value: argument.value for argument in field.arguments or ()}
        for name in _SIZE_ARGUMENTS:
            if name in arguments:
                size = self.value(arguments[name])
                # Sizes past the maximum are refused by the field itself, with a clearer error.
                return min(max(size, 1), self.max_size) if isinstance(size, int) else self.max_size
        if "ids" in arguments:
            ids = self.value(arguments["ids"])
            return min(max(len(ids), 1), self.max_size) if isinstance(ids, list) else self.max_size
        return self.lists.get(field.name.value, 1)

    def scan(self, field: FieldNode, seen: frozenset[str]) -> int:
        """What examining the collection costs, if this field scans one (once more
        for a `totalCount`, which counts the whole match)."""
        rule = SCANS.get(field.name.value)
        if rule is None:
            return 0
        collection, scans = rule
        arguments = {a.name.value: self.value(a.value) for a in field.arguments or ()}
        if not scans(arguments, self.text_index):
            return 0
        self.scanned.add(collection)
        children = self.fields(field.selection_set, seen)
        counts = sum(1 for child in children if child.name.value == "totalCount")
        # A size not known (yet) is priced as a large collection, never as free.
        points = self.scan_points.get(collection, UNKNOWN_SCAN_POINTS)
        return points * (1 + counts)

    def fields(
        self, selection_set: SelectionSetNode | None, seen: frozenset[str]
    ) -> Iterator[FieldNode]:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    yield from self.fields(fragment.selection_set, seen | {name})

    def of(self, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset()) -> int:
        total = 0
        for field in self.fields(selection_set, seen):
            below = self.of(field.selection_set, seen)
            total += 1 + self.scan(field, seen) + self.multiplier(field) * below
        return total


def default_sizes(schema: Any, default_page_size: int) -> dict[str, int]:
    """Connection fields return `default_page_size` items when not told otherwise."""
    cached = getattr(schema, "_connection_fields", None)
    if cached is None:
        cached = {}
        for graphql_type in schema._schema.type_map.values():
            for name, field in (getattr(graphql_type, "fields", None) or {}).items():
                named = field.type
                while hasattr(named, "of_type"):
                    named = named.of_type
                if named.name.endswith("Connection"):
                    cached[name] = default_page_size
                # A list whose size argument has a default (`searchPosts(limit = 20)`)
                # returns that many when not told otherwise.
                for argument in _SIZE_ARGUMENTS:
                    default = getattr(
                        (getattr(field, "args", None) or {}).get(argument), "default_value", None
                    )
                    if isinstance(default, int) and not isinstance(default, bool):
                        cached[name] = max(cached.get(name, 1), default)
        schema._connection_fields = cached
    return cached


def query_cost(document: Any, operation_name: str | None, *args: Any, **kwargs: Any) -> int:
    """The cost alone; `price`'s arguments."""
    return price(document, operation_name, *args, **kwargs)[0]


def price(
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any],
    max_size: int,
    lists: Mapping[str, int] | None = None,
    scan_points: Mapping[str, int] | None = None,
    text_index: bool = False,
    read: set[str] | None = None,
) -> tuple[int, set[str]]:
    """The cost, and the collections it may scan (priced by `scan_points`); the names
    of the variables it looked at are added to `read`, if given."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if definition.__class__.__name__ == "FragmentDefinitionNode"
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    total, scanned = 0, set()
    literals = _Cost(fragments, {}, max_size)
    for operation in operations:
        # A variable the client left out takes its default: price what will run.
        given = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in given and definition.default_value is not None:
                given[name] = literals.value(definition.default_value)
        cost = _Cost(fragments, given, max_size, lists, scan_points, text_index, read)
        total = max(total, cost.of(operation.selection_set))
        scanned |= cost.scanned
    return total, scanned


_MISSING = object()


class Prices:
    """The prices of one operation already worked out, by the values of the variables
    pricing looks at (sizes, the arguments of fields that may scan).

    Which variables those are depends only on the document: every field is walked
    whatever the values. So `user(id: $id)` has one price for every id, and
    `posts(first: $n)` one per `n`. A price that includes a scan is never kept:
    it follows the collection's size.
    """

    __slots__ = ("_known", "_read", "maxsize")

    def __init__(self, maxsize: int = 64) -> None:
        self.maxsize = maxsize
        self._read: tuple[str, ...] | None = None  # None: not priced yet
        self._known: dict[tuple, int] = {}

    def key(self, variables: Mapping[str, Any], *extra: Any) -> tuple | None:
        """The values pricing reads (None: not known yet, or a value not comparable)."""
        if self._read is None:
            return None
        key = list(extra)
        for name in self._read:
            value = _comparable(variables.get(name, _MISSING))
            if value is None:
                return None
            key.append(value)
        return tuple(key)

    def get(self, key: tuple | None) -> int | None:
        return None if key is None else self._known.get(key)

    def keep(self, read: set[str], variables: Mapping[str, Any], cost: int, *extra: Any) -> None:
        self._read = tuple(sorted(read))
        key = self.key(variables, *extra)
        if key is None:
            return
        if len(self._known) >= self.maxsize:
            self._known.clear()  # a client cycling through sizes: start again
        self._known[key] = cost


def _comparable(value: Any) -> Any:
    """`value` as a key that tells apart what pricing tells apart (1, 1.0, True and
    "1" are not the same size), or None for what it will not compare."""
    if value is _MISSING or value is None:
        return (type(value).__name__,)
    if type(value) in (int, str, bool, float):
        return (type(value).__name__, value)
    if type(value) in (list, dict):
        try:
            return ("json", json.dumps(value, sort_keys=True, allow_nan=False))
        except (TypeError, ValueError):
            return None
    return None


def scan_points(sizes: Mapping[str, int], documents_per_point: int) -> dict[str, int]:
    return {name: max(1, math.ceil(size / documents_per_point)) for name, size in sizes.items()}
