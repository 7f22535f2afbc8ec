"""Hostile input for every argument of the schema: strategies, operations, and the verdict.

The strategies span what a client can send, not the comfortable part of it: Decimal
strings of any exponent (and NaN, sNaN, -0, underscores, Arabic digits), datetimes at
both ends of the calendar with any offset, cursors made of random bytes or mutated from
real ones, JSON with 2^70 integers, 1e400 floats and thousands of levels of nesting,
global ids of every type (the wrong one included), odd Unicode (lone surrogates, NUL,
RTL overrides, emoji), long strings, and values of the wrong type everywhere.

Each target is one field with arguments, reached from a root (`me { posts(...) }` for
`User.posts`); an operation passes every argument either as a variable (declared with
its exact type) or as an inline literal. `verdict` says what a correct server answers:
never a 5xx, never INTERNAL_SERVER_ERROR, every error coded, nothing internal leaked.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from hypothesis import strategies as st

SCHEMA_SDL = (Path(__file__).resolve().parent.parent / "schema.graphql").read_text()
SCHEMA: GraphQLSchema = build_schema(SCHEMA_SDL)

LEAKS = ("traceback", "pymongo", "bson", "errmsg", 'file "', "internal server error")

# Fields whose effect would end the fuzzers' own sessions (not their input handling).
SESSION_ENDING = {"logout", "logoutEverywhere"}


# --- values the printers emit as they are --------------------------------------------


@dataclass(frozen=True)
class Raw:
    """Text emitted verbatim in JSON and in GraphQL literals: `1e400`, 5,000 digits."""

    text: str


@dataclass(frozen=True)
class Deep:
    """`depth` nested lists or objects around a leaf, emitted without recursion."""

    depth: int
    kind: str  # "list" or "object"


@dataclass(frozen=True)
class EnumName:
    """An enum value: unquoted in a literal, a string in variables."""

    name: str


OMIT = object()  # an optional argument left out


def dump_json(value: Any) -> str:
    """Variables as JSON text; lone surrogates are escaped as \\udXXX (as a client may)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Deep):
        if value.kind == "list":
            return "[" * value.depth + "1" + "]" * value.depth
        return '{"a":' * value.depth + "1" + "}" * value.depth
    if isinstance(value, EnumName):
        return json.dumps(value.name)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{dump_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump_json(item) for item in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return "1e400" if value > 0 else ("-1e400" if value < 0 else "NaN")
    return json.dumps(value)


def literal(value: Any) -> str:
    """A GraphQL literal for `value`, whatever type the argument expects."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Deep):
        if value.kind == "list":
            return "[" * value.depth + "1" + "]" * value.depth
        return "{a: " * value.depth + "1" + "}" * value.depth
    if isinstance(value, EnumName):
        return value.name if value.name.isidentifier() else json.dumps(value.name)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("1e400" if value > 0 else "-1e400")
    if isinstance(value, str):
        return json.dumps(value)  # a GraphQL string literal is a JSON string
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        items = []
        for index, (key, item) in enumerate(value.items()):
            name = key if key.isidentifier() and key.isascii() else f"k{index}"
            items.append(f"{name}: {literal(item)}")
        return "{" + ", ".join(items) + "}"
    raise TypeError(value)


# --- strategies for the building blocks ------------------------------------------------

ODD_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil",  # right-to-left override
    "\u200b",
    "\ufeff",
    "💥" * 3,
    "ǅ̈́",
    "ａｄｍｉｎ",  # noqa: RUF001 - a fullwidth look-alike, on purpose
    "\ud800",  # lone surrogates: not Unicode text
    "x\udfffy",
    "' OR 1=1 --",
    '{"$gt": ""}',
    "$where",
    "a.b",
    "\\",
    "\r\n",
    "%00",
    "null",
]
SURROGATE = st.integers(0xD800, 0xDFFF).map(chr)
POISON = ("\ud800", "x\udfffy")  # refused with the whole body: sent only when hostile


def texts(max_size: int = 40, strict: bool = False) -> st.SearchStrategy[str]:
    """Any Unicode text (astral, controls, NUL), odd and long; lone surrogates if not strict."""
    odd = [t for t in ODD_TEXT if not strict or t not in POISON]
    characters = st.characters(codec=None) if strict else st.characters(codec=None) | SURROGATE
    return st.one_of(
        st.text(st.characters(codec=None), max_size=max_size),
        st.text(characters, max_size=max_size),
        st.sampled_from(odd),
        st.lists(st.sampled_from(odd) | st.text(max_size=3), max_size=5).map("".join),
        st.integers(200, 3000).map(lambda n: "a" * n),
        st.integers(50, 500).map(lambda n: "word " * n),
        st.integers(100, 1500).map(lambda n: "é" * n),
    )


INT_EDGES = [
    0,
    1,
    -1,
    2**31 - 1,
    2**31,
    -(2**31),
    -(2**31) - 1,
    2**53 + 1,
    2**63 - 1,
    2**63,
    2**64,
    2**70,
    10**100,
    -(10**100),
]


def integers(strict: bool = False) -> st.SearchStrategy[Any]:
    raw = st.sampled_from([Raw("1" * 5000), Raw("-0"), Raw("1e3"), Raw("01")])
    return st.one_of(
        st.sampled_from(INT_EDGES),
        st.integers(-200, 200),
        st.integers(),
        st.nothing() if strict else raw,
    )


def floats(strict: bool = False) -> st.SearchStrategy[Any]:
    raw = st.sampled_from([Raw("1e400"), Raw("-1e400"), Raw("1e-400")])
    return st.one_of(
        st.floats(allow_nan=not strict, allow_infinity=not strict),
        st.sampled_from([1e308, 5e-324, -0.0, 0.1]),
        st.nothing() if strict else raw,
    )


def decimals(strict: bool = False) -> st.SearchStrategy[Any]:
    """Decimal text of any exponent and precision, and every odd spelling."""
    mantissa = st.one_of(
        st.integers(0, 10**45).map(str),
        st.tuples(st.integers(0, 10**20), st.integers(0, 10**45)).map(lambda p: f"{p[0]}.{p[1]}"),
    )
    scientific = st.tuples(
        st.sampled_from(["", "-", "+"]),
        mantissa,
        st.sampled_from(["e", "E"]),
        st.integers(-7000, 7000).map(str),
    ).map("".join)
    plain = st.tuples(st.sampled_from(["", "-"]), mantissa).map("".join)
    specials = st.sampled_from(
        [
            "NaN",
            "-NaN",
            "nan",
            "sNaN",
            "-sNaN",
            "NaN123",
            "Infinity",
            "-Infinity",
            "inf",
            "-0",
            "-0.00",
            "0E-7000",
            "0E+7000",
            "1e6145",
            "-1e6145",
            "1e-6177",
            "9" * 35,
            "1_000",
            " 1",
            "1 ",
            "",
            "1e",
            ".",
            "-",
            "+1",
            "١٢",  # Arabic-Indic digits
            "0x10",
            "1" * 5000,
        ]
    )
    numbers = st.one_of(st.sampled_from(INT_EDGES), floats(strict), st.decimals().map(str))
    prices = st.decimals(min_value=-1, max_value=10**13, places=2).map(str)
    return st.one_of(scientific, plain, specials, numbers, prices)


CALENDAR_EDGES = [
    datetime(1, 1, 1),
    datetime(1, 1, 1, 13, 59, 59),
    datetime(1, 1, 1, 14, 0),
    datetime(1970, 1, 1),
    datetime(2038, 1, 19, 3, 14, 8),
    datetime(9999, 12, 31, 23, 59, 59, 999999),
    datetime(9999, 12, 31, 10, 0),
]


def datetimes(strict: bool = False) -> st.SearchStrategy[Any]:
    """ISO-8601 text near both ends of the calendar, with any offset (or none)."""
    moments = st.sampled_from(CALENDAR_EDGES) | st.datetimes()
    offsets = st.one_of(
        st.none(),
        st.sampled_from([0, 14 * 3600, -14 * 3600, 86399, -86399]),
        st.integers(-86399, 86399),
    ).map(lambda s: None if s is None else timezone(timedelta(seconds=s)))

    def spell(moment: datetime, offset: timezone | None, sep: str, spec: str, zulu: bool) -> str:
        text = moment.replace(tzinfo=offset).isoformat(sep=sep, timespec=spec)
        return text.replace("+00:00", "Z") if zulu else text

    valid_shape = st.builds(
        spell,
        moments,
        offsets,
        st.sampled_from(["T", " ", "t"]),
        st.sampled_from(["auto", "seconds", "milliseconds", "minutes", "hours"]),
        st.booleans(),
    )
    odd = st.sampled_from(
        [
            "",
            "yesterday",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "10000-01-01T00:00:00Z",
            "+2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00+24:00",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00+99",
            "٢٠٢٦-01-01T00:00:00Z",
            "9" * 1000,
            "2026-W01-1T00:00Z",
        ]
    )
    return st.one_of(valid_shape, odd, st.integers(), floats(strict))


def json_values(max_leaves: int = 12, strict: bool = False) -> st.SearchStrategy[Any]:
    """JSON as a client may send it: huge ints, non-finite floats, odd keys, deep nests."""
    leaves = st.one_of(
        st.none(), st.booleans(), integers(strict), floats(strict), texts(20, strict)
    )
    odd_keys = ["$set", "$where", "a.b", "\x00", "", "_id", *([] if strict else ["\ud800"])]
    keys = st.one_of(st.text(max_size=8), st.sampled_from(odd_keys))
    nested = st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=max_leaves,
    )
    deep = st.builds(
        Deep, st.integers(15, 40 if strict else 6000), st.sampled_from(["list", "object"])
    )
    return st.one_of(nested, deep, st.dictionaries(keys, nested | deep, max_size=3))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def cursors(valid: list[str], strict: bool = False) -> st.SearchStrategy[Any]:
    """Random base64 of random bytes, and real cursors mutated in every part."""
    random_bytes = st.binary(max_size=120).map(b64)

    def mutate(cursor: str, how: int, text: str, number: int) -> str:
        try:
            parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except ValueError:
            parts = ["d0", "o" + "0" * 24]
        if how == 0:  # another tag on the same value
            parts[0] = text[:1] + parts[0][1:]
        elif how == 1:  # another value under the same tag
            parts[number % len(parts)] = parts[number % len(parts)][:1] + text
        elif how == 2:
            parts.append(text)
        elif how == 3:
            parts = parts[:1]
        elif how == 4:
            parts[0] = number
        elif how == 5:
            parts[0] = parts[0][:1] + str(number)
        elif how == 6:
            return cursor[: number % (len(cursor) + 1)]
        elif how == 7:
            return cursor + text
        return b64(json.dumps(parts).encode())

    mutated = st.builds(
        mutate,
        st.sampled_from(valid or ["WyJkMCIsIm8wMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAiXQ"]),
        st.integers(0, 7),
        st.one_of(st.sampled_from(list("dnobis")), texts(12, strict=True)),
        st.one_of(st.sampled_from(INT_EDGES), st.integers()),
    )
    structures = json_values(6).map(lambda v: b64(dump_json(v).encode(errors="surrogatepass")))
    return st.one_of(
        random_bytes, mutated, structures, texts(30, strict), st.sampled_from(valid or [""])
    )


@dataclass
class Pools:
    """Real values of the running server, so generated ids and cursors can hit things."""

    global_ids: list[str] = field(default_factory=list)
    database_ids: list[str] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)
    cursors: list[str] = field(default_factory=list)


TYPE_NAMES = ["User", "Post", "Product", "Order", "Session", "CreditTransfer", "Node", "", "x:y"]


def ids(pools: Pools, strict: bool = False) -> st.SearchStrategy[Any]:
    object_ids = st.one_of(
        st.binary(min_size=12, max_size=12).map(bytes.hex),
        st.sampled_from(pools.database_ids or ["0" * 24]),
        texts(30),
    )
    forged = st.builds(
        lambda type_name, raw: base64.b64encode(
            f"{type_name}:{raw}".encode(errors="surrogatepass")
        ).decode(),
        st.sampled_from(TYPE_NAMES) | texts(8),
        object_ids,
    )
    return st.one_of(
        st.sampled_from(pools.global_ids or ["VXNlcjow"]),
        st.sampled_from(pools.database_ids or ["0" * 24]),
        forged,
        st.binary(max_size=60).map(lambda b: base64.b64encode(b).decode()),
        texts(40, strict),
        st.sampled_from(INT_EDGES) | st.integers(),
    )


def wrong_types() -> st.SearchStrategy[Any]:
    """Any value at all, for positions that expect something else."""
    return st.one_of(
        st.none(),
        st.booleans(),
        integers(),
        floats(),
        texts(10),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
        st.builds(Deep, st.integers(15, 3000), st.sampled_from(["list", "object"])),
    )


# --- values for schema types -----------------------------------------------------------

NAMED_STRATEGIES = {  # by argument or input field name, beside the type's own strategy
    "after": "cursor",
    "before": "cursor",
    "sku": "sku",
}


def scalar_values(
    type_: GraphQLScalarType, pools: Pools, name: str, strict: bool
) -> st.SearchStrategy[Any]:
    kind = NAMED_STRATEGIES.get(name)
    if kind == "cursor":
        return cursors(pools.cursors, strict)
    if kind == "sku":
        return st.sampled_from(pools.skus or ["SKU"]) | texts(70, strict)
    by_type = {
        "String": lambda: texts(strict=strict),
        "Int": lambda: integers(strict),
        "Float": lambda: floats(strict),
        "Boolean": st.booleans,
        "ID": lambda: ids(pools, strict),
        "Decimal": lambda: decimals(strict),
        "DateTime": lambda: datetimes(strict),
        "JSON": lambda: json_values(strict=strict),
    }
    return by_type[type_.name]()


def values(
    type_: GraphQLInputType, pools: Pools, name: str = "", depth: int = 0, strict: bool = False
) -> st.SearchStrategy[Any]:
    """A value for `type_`. Strict: of the right shape (edge cases of it); otherwise the
    wrong shape, lone surrogates, NaN and numbers of thousands of digits mixed in."""
    nullable = not is_non_null_type(type_)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        element = values(inner.of_type, pools, name, depth + 1, strict)
        right = st.one_of(
            st.lists(element, max_size=4),
            st.lists(element, min_size=95, max_size=130) if depth == 0 else st.nothing(),
            element,  # a single value where a list is expected (GraphQL coerces it)
        )
    elif isinstance(inner, GraphQLInputObjectType):
        fields = {
            field_name: values(field_def.type, pools, field_name, depth + 1, strict)
            for field_name, field_def in inner.fields.items()
        }
        required = {k: v for k, v in fields.items() if is_non_null_type(inner.fields[k].type)}
        optional = {k: v for k, v in fields.items() if k not in required}
        right = st.fixed_dictionaries(required, optional=optional)
        if not strict:
            right = right | st.builds(lambda d, x: {**d, "unknownField": x}, right, texts(5))
    elif isinstance(inner, GraphQLEnumType):
        right = st.one_of(
            st.sampled_from(sorted(inner.values)).map(EnumName),
            st.sampled_from(sorted(inner.values)).map(lambda v: EnumName(v.lower())),
            st.text(alphabet="ABCDEFXYZ_", min_size=1, max_size=8).map(EnumName),
        )
    else:
        assert isinstance(inner, GraphQLScalarType)
        right = scalar_values(inner, pools, name, strict)
    if not strict:
        right = st.one_of(right, right, right, wrong_types())
    return (st.none() | right) if nullable else right


# --- targets: every field with arguments, reached from a root ------------------------------


@dataclass(frozen=True)
class Target:
    operation: str  # "query" or "mutation"
    path: tuple[str, ...]  # fields leading to it, e.g. ("me",)
    name: str
    field: GraphQLField

    @property
    def id(self) -> str:
        return ".".join((self.operation, *self.path, self.name))


def _selection(type_: GraphQLNamedType) -> str:
    if not is_object_type(type_) and not hasattr(type_, "fields"):
        return ""
    fields = getattr(type_, "fields", {})
    if "pageInfo" in fields:  # connections: cursors are encoded too
        return (
            " { __typename totalCount edges { cursor }"
            " pageInfo { hasNextPage hasPreviousPage endCursor } }"
        )
    return " { __typename }"


def targets(schema: GraphQLSchema = SCHEMA, max_depth: int = 3) -> list[Target]:
    """Every field that takes arguments, each once, by the shortest argument-free path."""
    found: dict[tuple[str, str], Target] = {}
    roots = [("query", schema.query_type), ("mutation", schema.mutation_type)]
    for operation, root in roots:
        queue: list[tuple[GraphQLObjectType, tuple[str, ...]]] = [(root, ())]
        seen = {root.name}
        while queue:
            type_, path = queue.pop(0)
            for name, field_def in type_.fields.items():
                named = get_named_type(field_def.type)
                if field_def.args:
                    found.setdefault((type_.name, name), Target(operation, path, name, field_def))
                if (
                    is_object_type(named)
                    and named.name not in seen
                    and not any(is_non_null_type(a.type) for a in field_def.args.values())
                    and len(path) < max_depth
                ):
                    seen.add(named.name)
                    queue.append((named, (*path, name)))
    return sorted(found.values(), key=lambda t: t.id)


def _type_text(type_: GraphQLInputType) -> str:
    if isinstance(type_, GraphQLNonNull):
        return _type_text(type_.of_type) + "!"
    if is_list_type(type_):
        return "[" + _type_text(type_.of_type) + "]"
    return type_.name


def argument_values(target: Target, pools: Pools) -> st.SearchStrategy[dict[str, Any]]:
    """Every argument: a value, or (optional ones) left out; half the time all of the
    right shape (so resolvers see edge values), half the time anything at all."""

    def arguments(strict: bool) -> st.SearchStrategy[dict[str, Any]]:
        strategies = {}
        for name, arg in target.field.args.items():
            strategy = values(arg.type, pools, name, strict=strict)
            strategies[name] = strategy if _required(arg) else (st.just(OMIT) | strategy)
        return st.fixed_dictionaries(strategies)

    return arguments(strict=True) | arguments(strict=False)


def _required(arg: GraphQLArgument) -> bool:
    return is_non_null_type(arg.type) and arg.default_value is None


def operation(target: Target, arguments: dict[str, Any], as_variables: bool) -> tuple[str, str]:
    """The document and the JSON body's text (variables spliced in as JSON text)."""
    given = {k: v for k, v in arguments.items() if v is not OMIT}
    if as_variables:
        declared = ", ".join(
            f"$v_{name}: {_type_text(target.field.args[name].type)}" for name in given
        )
        passed = ", ".join(f"{name}: $v_{name}" for name in given)
        variables = "{" + ",".join(f'"v_{k}":{dump_json(v)}' for k, v in given.items()) + "}"
    else:
        declared = ""
        passed = ", ".join(f"{name}: {literal(value)}" for name, value in given.items())
        variables = "null"
    call = target.name + (f"({passed})" if passed else "")
    call += _selection(get_named_type(target.field.type))
    for step in reversed(target.path):
        call = f"{step} {{ {call} }}"
    document = f"{target.operation}{f'({declared})' if declared else ''} {{ {call} }}"
    body = '{"query":' + json.dumps(document) + ',"variables":' + variables + "}"
    return document, body


# --- the verdict -----------------------------------------------------------------------------


def verdict(status: int, content_type: str, text: str) -> str | None:
    """None if the answer is a correct one to hostile input, else what is wrong."""
    if status >= 500:
        return f"HTTP {status}"
    if not content_type.startswith("application/json"):
        # Only a malformed body may be refused outside GraphQL (the transport's part).
        return None if status == 400 else f"HTTP {status} without a JSON body"
    body = json.loads(text)
    for error in body.get("errors") or () if isinstance(body, dict) else ():
        code = (error.get("extensions") or {}).get("code")
        if not code:
            return f"an error without a code: {error}"
        if code == "INTERNAL_SERVER_ERROR":
            return f"INTERNAL_SERVER_ERROR: {error}"
    lowered = text.lower()
    if leaked := [leak for leak in LEAKS if leak in lowered]:
        return f"leaked {leaked}"
    return None


def outcome(text: str) -> str:
    """The first error code of an answer, or "data" (for statistics)."""
    try:
        body = json.loads(text)
    except ValueError:
        return "not JSON"
    errors = body.get("errors") if isinstance(body, dict) else None
    return (errors[0].get("extensions") or {}).get("code", "?") if errors else "data"
