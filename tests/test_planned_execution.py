"""Planned execution answers exactly as graphql-core does, byte for byte.

Every operation below, and a generated set over
the read schema, is sent through the plan and through graphql-core (the planner declining,
as with PLANNED_EXECUTION off) as an anonymous visitor, a user and an
administrator; the response bodies must be identical bytes (data, errors with
their messages, paths and codes, null propagation, aliases, fragments,
`@skip`/`@include`, variables and defaults). A last test checks that the plan
did serve (not fall back on) the shapes it is meant for.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, OperationType, parse, validate
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from graphql_api.execution import extension as planned
from graphql_api.limits.collection_sizes import CollectionSizes
from graphql_api.schema import schema
from graphql_api.services.lists import Nested, Relation
from tests.factories import create_post, create_product, grant, make_admin, place_order, sign_up

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

USER_FIELDS = (
    "id databaseId username email roles isActive createdAt updatedAt deactivatedAt credits"
)
POST_FIELDS = "id databaseId title content tags published createdAt updatedAt publishedAt"

#: The suite's typical read shapes (variables in the second item).
OPERATIONS: list[tuple[str, dict[str, Any] | None]] = [
    ("{ __typename }", None),
    ("query { me { id username email credits roles } }", None),
    (f"query($id: ID!) {{ user(id: $id) {{ {USER_FIELDS} __typename }} }}", {"id": "$user"}),
    ("query($id: ID!) { user(id: $id) { username } }", {"id": "$post"}),  # BAD_USER_INPUT
    ("query($id: ID!) { user(id: $id) { username } }", {"id": "nope"}),
    ("query($id: ID!) { user(id: $id) { username } }", {"id": "000000000000000000000000"}),
    ("query($id: ID!) { user(id: $id) { username } }", {}),  # missing variable
    (  # lookups of one operation, a relation below one of them, a user that is not there
        "query($a: ID!, $b: ID!) { a: user(id: $a) { username } b: user(id: $b) { email"
        " posts(first: 2) { edges { node { title author { username } } } } }"
        ' c: user(id: "000000000000000000000000") { id } }',
        {"a": "$user", "b": "$bob"},
    ),
    ('{ user(id: "x") { id } me { username } }', None),  # one invalid id: all is refused
    (
        f"query($id: ID!) {{ post(id: $id) {{ {POST_FIELDS} author {{ {USER_FIELDS} }} }} }}",
        {"id": "$post"},
    ),
    ("query($id: ID!) { post(id: $id) { title } }", {"id": "$draft"}),
    (
        "{ posts(first: 50) { totalCount edges { cursor node { id title author { id username"
        " email } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
        None,
    ),
    (
        "query($f: PostFilter, $s: PostSort = OLDEST_FIRST, $n: Int = 2) { posts(filter: $f, "
        "sort: $s, first: $n) { edges { node { title tags publishedAt } } pageInfo { "
        "endCursor hasNextPage } } }",
        {"f": {"tag": "graphql"}},
    ),
    ("{ posts(filter: {published: false}) { edges { node { title } } } }", None),
    (  # one relation, selected three ways: one load, of what the three read together
        "{ posts(first: 4) { edges { node { a: author { username } b: author { email credits"
        " posts(first: 1) { edges { node { title } } } }"
        " author { ...on User { isActive } } } } } }",
        None,
    ),
    ('{ posts(first: 2, after: "garbage") { edges { node { title } } } }', None),
    ("{ posts(last: 2) { edges { node { title } } pageInfo { hasPreviousPage } } }", None),
    (
        "{ users(first: 10, sort: OLDEST_FIRST) { totalCount edges { node { username email"
        " credits posts(first: 5) { totalCount edges { node { title author { username } } } }"
        " orders { edges { node { id status total } } } } } } }",
        None,
    ),
    (  # nested pages fetched with their parents' page (a `$lookup`), every way of paging
        "query($n: Int, $l: Int) { users(last: 3) { pageInfo { hasPreviousPage } edges {"
        " cursor node { username a: posts(first: $n) { totalCount pageInfo { hasNextPage"
        " hasPreviousPage startCursor endCursor } edges { cursor node { title } } }"
        " b: posts(last: $l, sort: OLDEST_FIRST) { edges { cursor node { id publishedAt } } }"
        " c: posts(first: 0) { pageInfo { hasNextPage } } } } } }",
        {"n": 1, "l": 2},
    ),
    (
        "{ users(first: 2) { edges { node { username posts(first: 1000) { edges { node {"
        " title } } } } } } }",
        None,
    ),
    (
        '{ users(first: 2) { edges { node { posts(first: 1, after: "garbage") { edges {'
        " node { title } } } } } } }",
        None,
    ),
    (
        "{ users(filter: {role: ADMIN}) { edges { node { username sessions { id current"
        " data userAgent createdAt } } } } }",
        None,
    ),
    (
        "query($skip: Boolean!, $inc: Boolean = true) { a: posts(first: 1) { edges { node {"
        " t: title title @skip(if: $skip) ...P author @include(if: $inc) { n: username } } } }"
        " b: posts(first: 1) { edges { node { id } } } } fragment P on Post { tags ... on Node"
        " { id } ... @include(if: false) { content } }",
        {"skip": True},
    ),
    (
        "query($skip: Boolean!) { posts { edges { node { title @skip(if: $skip) } } } }",
        {"skip": False},
    ),
    ("{ products(first: 5) { edges { node { sku name price stock category } } } }", None),
    ("query($sku: String!) { product(sku: $sku) { sku name price } }", {"sku": "pen"}),
    (
        "{ orders { edges { node { id status total user { username } items { sku quantity"
        " unitPrice product { name price } } } } } }",
        None,
    ),
    ('{ node(id: "x") { id } }', None),
    ('{ searchPosts(query: "hello") { score post { title } } }', None),
    ("{ __schema { queryType { name } } }", None),
    ("{ posts { edges { node { title } } } ... on Query { me { id } } }", None),
]


@contextlib.contextmanager
def graphql_core_only() -> Iterator[None]:
    """PLANNED_EXECUTION off for the requests inside: the planner declines them all
    (and so the HTTP view answers none directly)."""

    async def decline(self: planned.Planner, execution: Any) -> None:
        return None

    def unknown(self: planned.Planner, query: str, name: str | None) -> None:
        return None

    original, prepared = planned.Planner._execute, planned.Planner.prepared
    planned.Planner._execute = decline  # type: ignore[method-assign]
    planned.Planner.prepared = unknown  # type: ignore[method-assign]
    try:
        yield
    finally:
        planned.Planner._execute = original  # type: ignore[method-assign]
        planned.Planner.prepared = prepared  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def steady_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Collection sizes as the pricing of scans sees them, held still: they are refreshed
    in the background, and a refresh between the requests compared would change a price."""

    async def current(self: Any, database: Any) -> dict[str, int]:
        return {"posts": 2000, "products": 500, "users": 100, "orders": 100}

    monkeypatch.setattr(CollectionSizes, "current", current)


@pytest.fixture
async def world(gql: Any, db: Any) -> dict[str, Any]:
    """Users (one admin), posts with tags and drafts, products, orders, sessions."""
    alice = await sign_up(gql, "alice")
    bob = await sign_up(gql, "bob")
    root = await make_admin(db, await sign_up(gql, "root"))
    admin = gql.as_user(root)
    post = await create_post(gql, alice, title="Hello", tags=["graphql", "python"], published=True)
    for index in range(6):
        await create_post(gql, bob, title=f"Post {index}", tags=["graphql"], published=True)
    draft = await create_post(gql, alice, title="Draft")
    await create_product(admin, sku="pen", name="Pen", price="1.50", stock=10)
    await create_product(admin, sku="ink", name="Ink", price="3", stock=5)
    await grant(admin, alice["id"], 100)
    await place_order(gql, alice, [("pen", 2), ("ink", 1)])
    return {"alice": alice, "bob": bob, "root": root, "post": post, "draft": draft}


def _variables(variables: dict[str, Any] | None, world: dict[str, Any]) -> Any:
    names = {"$user": world["alice"]["id"], "$post": world["post"]["id"],
             "$draft": world["draft"]["id"], "$bob": world["bob"]["id"]}  # fmt: skip
    if variables is None:
        return None
    return {key: names.get(value, value) if isinstance(value, str) else value
            for key, value in variables.items()}  # fmt: skip


async def _both(http, token, query, variables) -> tuple[bytes, bytes]:
    """The body through the plan (where it serves) and through graphql-core. The plan's
    is asked twice: a document the plan has served once is answered by the HTTP view
    directly (graphql_api.http.direct), and that answer must be the same bytes too."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = {"query": query, "variables": variables}
    one = await http.post("/graphql", json=body, headers=headers)
    again = await http.post("/graphql", json=body, headers=headers)
    with graphql_core_only():
        two = await http.post("/graphql", json=body, headers=headers)
    assert one.status_code == again.status_code == two.status_code
    assert one.headers.get("content-type") == again.headers.get("content-type")
    assert one.headers.get("vary") == again.headers.get("vary")
    assert _comparable(one.content) == _comparable(again.content), (query, token)
    return _comparable(one.content), _comparable(two.content)


def _comparable(body: bytes) -> bytes:
    """The body as sent, up to its `extensions` (data and errors come first), then
    the extensions without the client's remaining budget, which differs between
    the two apps (each counts its own); the price must not."""
    head, marker, _ = body.partition(b'"extensions":')
    extensions = json.loads(body).get("extensions") or {}
    cost = extensions.pop("cost", None) or {}
    extensions["price"] = cost.get("requestedQueryCost")
    return head + marker + json.dumps(extensions, sort_keys=True).encode()


def _viewers(world: dict[str, Any]) -> list[str | None]:
    return [None, world["alice"]["token"], world["root"]["token"]]


def test_the_operations_are_valid():
    for query, _ in OPERATIONS:
        assert not validate(schema._schema, parse(query)), query


async def test_typical_operations_answer_identically(http, world):
    for query, variables in OPERATIONS:
        for token in _viewers(world):
            one, two = await _both(http, token, query, _variables(variables, world))
            assert one == two, (query, token)


def _example_reads() -> list[str]:
    found = []
    for path in sorted(EXAMPLES.glob("*.graphql")):
        source = path.read_text()
        for definition in parse(source).definitions:
            if (
                isinstance(definition, OperationDefinitionNode)
                and definition.operation is OperationType.QUERY
            ):
                found.append(source[definition.loc.start : definition.loc.end])
    return found


async def test_examples_answer_identically(http, world):
    examples = _example_reads()
    assert examples
    for query in examples:
        for variables in (None, {"id": world["alice"]["id"], "first": 2}):
            for token in _viewers(world):
                one, two = await _both(http, token, query, variables)
                assert one == two, (query, token)


#: Shapes the plan must serve itself (as the given viewer), not hand to graphql-core.
SERVED = [
    (0, "{ __typename }"),
    (1, "{ me { id username email credits } }"),
    (0, "query($id: ID!) { user(id: $id) { id username email createdAt roles } }"),
    (0, "{ posts(first: 50) { edges { node { id title author { id username } } } } }"),
    (
        2,
        "{ users { edges { node { username posts(first: 5) { edges { node { title author"
        " { username } } } } } } } }",
    ),
    (
        0,
        '{ posts(filter: {tag: "graphql"}, sort: OLDEST_FIRST, first: 3) { totalCount'
        " edges { cursor node { title tags } } pageInfo { hasNextPage endCursor } } }",
    ),
    (1, "{ posts(first: 3) { edges { node { title author { username email credits } } } } }"),
    (1, "{ posts(first: 3) { edges { node { a: author { username } b: author { email } } } } }"),
    (2, "{ orders { edges { node { total status items { sku unitPrice product { name } } } } } }"),
]


async def test_the_plan_serves_the_read_shapes(http, world):
    viewers = _viewers(world)
    for viewer, query in SERVED:
        before = planned.Planner.served_total
        variables = {"id": world["alice"]["id"]} if "$id" in query else None
        one, _ = await _both(http, viewers[viewer], query, variables)
        assert b'"errors"' not in one, one
        assert planned.Planner.served_total == before + 2, query  # the view's too


async def test_lookups_are_one_find_of_what_they_select(http, world, commands):
    """`user(id:)` is a declared lookup: the plan does not call its resolver (whose
    DataLoader fetches whole users but the password hash); the lookups of one
    operation are one `find`, of only the keys their selections read together."""
    query = "query($a: ID!, $b: ID!) { a: user(id: $a) { username } b: user(id: $b) { email } }"
    variables = {"a": world["alice"]["id"], "b": world["bob"]["id"]}
    for token in _viewers(world):
        served = planned.Planner.served_total
        commands.reset()
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.json()["data"]["a"] == {"username": "alice"}
        assert planned.Planner.served_total > served
        finds = [command for command in commands.sent if command.get("find") == "users"]
        assert len(finds) == 1, commands.sent
        assert len(finds[0]["filter"]["_id"]["$in"]) == 2
        assert set(finds[0]["projection"]) == {"_id", "username", "email"}


async def test_derived_relations_are_served_from_their_parents_page(
    http, world, commands, monkeypatch
):
    """`User.posts` is a `relation_field`: under a plan each user's page is the one
    fetched with the users' page, with neither its resolver nor a loader per user;
    graphql-core asks the resolver of each user, and the answers are the same."""
    asked: list[str] = []
    of, loader = Relation.of, Nested.loader
    monkeypatch.setattr(Relation, "of", lambda self, *a: asked.append("of") or of(self, *a))
    monkeypatch.setattr(
        Nested, "loader", lambda self, *a: asked.append("loader") or loader(self, *a)
    )
    query = (
        "{ users(first: 3) { edges { node { username posts(first: 2) { totalCount"
        " pageInfo { hasNextPage endCursor } edges { node { title } } } } } } }"
    )
    headers = {"authorization": f"Bearer {world['root']['token']}"}
    served = planned.Planner.served_total
    commands.reset()
    one = await http.post("/graphql", json={"query": query}, headers=headers)
    assert planned.Planner.served_total > served
    assert asked == []
    sent = [(name, command[name]) for command in commands.sent for name in [next(iter(command))]]
    assert [item for item in sent if item[1] != "sessions"] == [
        ("aggregate", "users"),  # the users' page with each one's posts ($lookup)
        ("aggregate", "posts"),  # their counts
    ]
    users = one.json()["data"]["users"]["edges"]
    assert [len(user["node"]["posts"]["edges"]) for user in users] == [0, 2, 1]  # root, bob, alice
    with graphql_core_only():
        two = await http.post("/graphql", json={"query": query}, headers=headers)
    assert asked.count("of") == 3
    assert _comparable(one.content) == _comparable(two.content)


def _generated(count: int, fields: list[str] | None = None) -> list[str]:
    """`count` read operations over `fields` of Query (all), the same on every run."""
    strategy = queries(
        schema.as_str(),
        fields=fields,
        custom_scalars={
            "DateTime": st.sampled_from(["2020-01-01T00:00:00Z", "2999-01-01T00:00:00+02:00"]).map(
                nodes.String
            ),
            "Decimal": st.sampled_from(["1.50", "3", "-1"]).map(nodes.String),
            "JSON": st.just(nodes.Object([])),
        },
    )
    found: list[str] = []

    @given(strategy)
    @hypothesis_settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def collect(query: str) -> None:
        found.append(query)

    collect()
    return found


async def test_generated_operations_answer_identically(http, world):
    generated = _generated(60) + [
        query
        for field in ("me", "user", "post", "posts", "users", "products", "orders", "order")
        for query in _generated(25, [field])
    ]
    served = planned.Planner.served_total
    for query in generated:
        for token in _viewers(world):
            one, two = await _both(http, token, query, None)
            assert one == two, (query, token)
    # Most generated arguments are refused (random ids, cursors, page sizes): those
    # errors are graphql-core's to write. About 100 of the 780 requests are the plan's.
    assert planned.Planner.served_total - served > 50


async def test_arguments_written_in_the_document_are_converted_once(http, world, monkeypatch):
    """An input object written in the document (no variables) is converted on the
    first call only; every later call gets a copy of it, never the same object."""
    from graphql_api.execution import calls

    converted, given = [], []
    original = calls.convert_arguments

    def counting(*args: Any, **kwargs: Any) -> Any:
        converted.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(calls, "convert_arguments", counting)
    real_arguments = calls.Call.arguments

    def recording(self: Any, job: Any) -> dict[str, Any]:
        kwargs = real_arguments(self, job)
        if kwargs.get("filter") is not None:
            given.append(kwargs["filter"])
        return kwargs

    monkeypatch.setattr(calls.Call, "arguments", recording)
    query = (  # the world's products are books
        '{ products(filter: {category: "books", maxPrice: "60"}, first: 5) '
        "{ edges { node { sku } } } }"
    )
    answers = []
    for _ in range(3):
        answers.append(await _both(http, None, query, None))
        for filter in given:  # what a resolver might do to what it was given
            filter.category = "changed after use"
    assert all(b'"PEN"' in one and b'"INK"' in one for one, _ in answers), answers
    assert len({one for one, _ in answers}) == 1
    assert len(given) >= 3 and len({id(filter) for filter in given}) == len(given)
    assert len(converted) < len(given)  # later calls reuse the first conversion


@pytest.mark.parametrize(
    ("query", "variables", "passed"),
    [
        ("query($id: ID!) { user(id: $id) { username } }", {"id": "$user"}, True),
        ("query($id: ID!) { post(id: $id) { title } }", {"id": "$draft"}, True),
        ('query($id: ID = "nope") { user(id: $id) { username } }', {"id": None}, False),
        ('query($id: ID = "nope") { user(id: $id) { username } }', {}, True),
        ('query($s: String = "pen") { product(sku: $s) { name } }', {}, True),
        ("query($s: String!) { product(sku: $s) { name } }", {"s": "ink"}, True),
        ("query($y: Int!) { revenueByMonth(year: $y) { month } }", {"y": 2026}, True),
    ],
)
async def test_arguments_passed_as_variables_are_taken_as_coerced(
    http, world, monkeypatch, query, variables, passed
):
    """A field whose arguments are each a variable of a scalar type takes their coerced
    values as they are (an operation's defaults included), without graphql-core's and
    Strawberry's generic passes; a null goes those passes. Same bytes both ways."""
    from graphql_api.execution import calls

    generic = []
    original = calls.get_argument_values

    def counting(*args: Any, **kwargs: Any) -> Any:
        generic.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(calls, "get_argument_values", counting)
    for token in _viewers(world):
        generic.clear()
        one, two = await _both(http, token, query, _variables(variables, world))
        assert one == two, (query, token)
        if b'"data":{' in one:  # planned (not refused before it ran)
            assert bool(generic) is not passed, (query, token, one)


def test_copies_of_constant_arguments_share_nothing_changeable():
    import dataclasses
    from decimal import Decimal

    from graphql_api.execution.calls import _copy, _copyable

    @dataclasses.dataclass
    class Inner:
        tags: list[str]

    @dataclasses.dataclass
    class Outer:
        name: str
        price: Decimal
        inner: Inner
        many: list[Inner]

    value = Outer("a", Decimal("1.5"), Inner(["x"]), [Inner(["y"])])
    assert _copyable(value) and not _copyable({"a": 1}) and not _copyable(Outer)
    copied = _copy(value)
    assert copied == value
    copied.inner.tags.append("z")
    copied.many[0].tags.append("z")
    copied.name = "b"
    assert value == Outer("a", Decimal("1.5"), Inner(["x"]), [Inner(["y"])])
