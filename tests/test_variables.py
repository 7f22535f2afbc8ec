"""The planner's variable coercion answers exactly as graphql-core's `get_variable_values`:
the same coerced values, sources and errors, for any input."""

from __future__ import annotations

import math
from typing import Any

import pytest
from graphql import GraphQLError, build_schema, parse
from graphql.execution.values import VariableValues, get_variable_values
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from graphql_api.execution import variables as module
from graphql_api.execution.variables import Variables

SCHEMA = build_schema(
    """
    scalar DateTime
    input Range { low: Int!, high: Int }
    enum Sort { NEW, OLD }
    type Query {
      f(s: String, i: Int, x: Float, b: Boolean, id: ID, d: DateTime, r: Range, e: Sort,
        l: [Int]): String
    }
    """
)

SCALARS = (
    "query($s: String!, $i: Int!, $x: Float!, $b: Boolean!, $id: ID!) "
    "{ f(s: $s, i: $i, x: $x, b: $b, id: $id) }"
)
NULLABLE = "query($s: String, $i: Int, $id: ID) { f(s: $s, i: $i, id: $id) }"
DEFAULTS = 'query($s: String = "a", $i: Int! = 3) { f(s: $s, i: $i) }'
OTHERS = (
    "query($d: DateTime, $r: Range, $e: Sort, $l: [Int], $i: Int) "
    "{ f(d: $d, r: $r, e: $e, l: $l, i: $i) }"
)
UNKNOWN = "query($u: Unknown) { f }"

values = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(min_value=-(2**33), max_value=2**33),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.dictionaries(st.sampled_from(["low", "high", "x"]), st.integers(), max_size=3),
    st.sampled_from(["NEW", "OLD", "2026-12-07T00:00:00Z"]),
)
names = st.sampled_from(["s", "i", "x", "b", "id", "d", "r", "e", "l", "u", "extra"])


def _definitions(query: str) -> Any:
    return parse(query).definitions[0].variable_definitions


def _comparable(result: VariableValues | list[GraphQLError]) -> Any:
    def same(value: Any) -> Any:  # NaN is not equal to itself
        return "NaN" if isinstance(value, float) and math.isnan(value) else (type(value), value)

    if isinstance(result, list):
        return [(error.message, error.locations) for error in result]
    return (
        {name: same(value) for name, value in result.coerced.items()},
        {
            name: (source.signature.name, str(source.signature.type), same(source.value))
            for name, source in result.sources.items()
        },
    )


@hypothesis_settings(max_examples=400, deadline=None)
@given(
    query=st.sampled_from([SCALARS, NULLABLE, DEFAULTS, OTHERS, UNKNOWN]),
    inputs=st.dictionaries(names, values, max_size=6),
)
def test_coercion_is_graphql_cores(query: str, inputs: dict[str, Any]) -> None:
    definitions = _definitions(query)
    ours = Variables(SCHEMA, definitions).coerce(inputs)
    theirs = get_variable_values(SCHEMA, definitions, inputs)
    assert _comparable(ours) == _comparable(theirs)


good = {
    "s": st.text(max_size=5),
    "id": st.text(max_size=5),
    "i": st.integers(min_value=-(2**31), max_value=2**31 - 1),
    "x": st.floats(allow_nan=False, allow_infinity=False),
    "b": st.booleans(),
}


@hypothesis_settings(max_examples=400, deadline=None)
@given(
    query=st.sampled_from([SCALARS, NULLABLE]),
    inputs=st.fixed_dictionaries(good),
    other=st.none() | st.tuples(st.sampled_from(sorted(good)), values),
)
def test_coercion_of_every_variable_given_is_graphql_cores(
    query: str, inputs: dict[str, Any], other: tuple[str, Any] | None
) -> None:
    """Every variable given, each of its own type but for at most one."""
    if other is not None:
        inputs[other[0]] = other[1]
    definitions = _definitions(query)
    ours = Variables(SCHEMA, definitions).coerce(inputs)
    assert _comparable(ours) == _comparable(get_variable_values(SCHEMA, definitions, inputs))


def test_every_scalar_against_every_kind_of_value() -> None:
    """Each variable of each built-in scalar given each kind of JSON value, the others
    well typed: the same answer as graphql-core's, value or error, every time."""
    fine = {"s": "a", "i": 1, "x": 1.5, "b": True, "id": "7"}
    kinds = [
        0,
        1,
        -1,
        2**31 - 1,
        2**31,
        -(2**31),
        -(2**31) - 1,
        10**20,
        1.0,
        1.5,
        -0.0,
        math.nan,
        math.inf,
        True,
        False,
        "1",
        "",
        "x",
        None,
        [],
        [1],
        {},
        {"a": 1},
    ]
    for query in (SCALARS, NULLABLE):
        definitions = _definitions(query)
        for name in fine:
            for value in kinds:
                inputs = {**fine, name: value}
                ours = Variables(SCHEMA, definitions).coerce(inputs)
                theirs = get_variable_values(SCHEMA, definitions, inputs)
                assert _comparable(ours) == _comparable(theirs), (query, name, value)


@pytest.mark.parametrize(
    ("query", "inputs", "own"),
    [
        (SCALARS, {"s": "a", "i": 1, "x": 1.5, "b": True, "id": "7"}, True),
        (NULLABLE, {"s": None, "i": None, "id": None}, True),
        (SCALARS, {"s": "a", "i": 1, "x": 1, "b": True, "id": "7"}, False),  # int for Float
        (SCALARS, {"s": "a", "i": True, "x": 1.5, "b": True, "id": "7"}, False),
        (SCALARS, {"s": "a", "i": 2**31, "x": 1.5, "b": True, "id": "7"}, False),
        (NULLABLE, {"s": "a"}, False),  # left out: graphql-core omits them
        (DEFAULTS, {}, False),
        (OTHERS, {"d": None, "r": None, "e": None, "l": None, "i": None}, False),
    ],
)
def test_only_values_coercion_leaves_unchanged_are_taken_as_they_are(
    monkeypatch: pytest.MonkeyPatch, query: str, inputs: dict[str, Any], own: bool
) -> None:
    generic = []
    original = module.get_variable_values

    def counting(*args: Any, **kwargs: Any) -> Any:
        generic.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "get_variable_values", counting)
    definitions = _definitions(query)
    ours = Variables(SCHEMA, definitions).coerce(inputs)
    assert bool(generic) is not own
    assert _comparable(ours) == _comparable(get_variable_values(SCHEMA, definitions, inputs))
