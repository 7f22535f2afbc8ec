"""Lists name their index where the server's walk of it is bounded (`HintPolicy`).

MongoDB bounds a hinted scan by the query; SecantusDB walks a hinted index whole,
so there only lists whose index is walked in their order name it. Whichever
server the tests run on, the lists answer the same hinted and not.
"""

import pytest

from graphql_api.pagination import HINTS
from tests.factories import create_post, create_product, sign_up

LISTS = [
    '{ products(filter: {category: "books", maxPrice: "30"}, sort: PRICE_DESC, first: 3) '
    "{ edges { cursor node { sku price } } pageInfo { hasNextPage endCursor } } }",
    "query($a: ID) { posts(filter: {authorId: $a}, first: 3) "
    "{ edges { node { title } } pageInfo { hasNextPage } } }",
    "query($a: ID) { posts(filter: {authorId: $a}, last: 2) { edges { node { title } } } }",
    "{ products(filter: {inStock: true}, first: 4) { edges { node { sku } } } }",
    # Bounds equal to stored prices, written with other exponents ("13" vs 13.00).
    '{ products(filter: {category: "books", minPrice: "13", maxPrice: "19.0"}) '
    "{ edges { node { sku } } } }",
    '{ posts(filter: {search: "needle"}, first: 5) { edges { node { title } } } }',
]


@pytest.fixture
def hints_restored():
    leading_keys = HINTS.leading_keys
    yield
    HINTS.leading_keys = leading_keys


async def sent_hints(gql, commands, query: str, variables: dict | None = None) -> list:
    commands.reset()
    await gql.data(query, variables)
    finds = [c for c in commands.sent if "find" in c]
    assert len(finds) == 1, commands.sent
    return [c.get("hint") for c in finds]


async def test_mongodb_gets_every_hint_secantusdb_only_those_walked_in_order(
    app, db, gql, commands
):
    build = await db.client.admin.command("buildInfo")
    bounded = "secantusVersion" not in build
    assert app.state.database.capabilities.bounded_hints is bounded
    assert (HINTS.leading_keys is None) is bounded

    author = await sign_up(gql)
    await create_post(gql, author, published=True)
    # One author's posts: `author_published_newest` leads with the author, not the order.
    by_author = await sent_hints(gql, commands, LISTS[1], {"a": author["id"]})
    assert by_author == ["author_published_newest" if bounded else None]
    # Products in stock by price: the `price` index is walked in the list's order.
    assert await sent_hints(gql, commands, LISTS[3]) == ["price"]


async def test_lists_answer_the_same_with_and_without_the_hint(admin, gql, db, hints_restored):
    author = await sign_up(gql)
    for n in range(7):
        await create_post(gql, author, title=f"needle {n}", published=n != 3)
        await create_product(admin, price=f"{10 + 3 * n}.00", category="books")
    answers = {}
    # Not "none hinted": SecantusDB's own plans miss Decimal128 bounds (HintPolicy).
    policies = {"all hinted": None, "as set": HINTS.leading_keys}
    for name, leading_keys in policies.items():
        HINTS.leading_keys = leading_keys
        answers[name] = [await gql.data(q, {"a": author["id"]}) for q in LISTS]
    assert answers["all hinted"] == answers["as set"]
    first = answers["as set"]
    assert len(first[0]["products"]["edges"]) == 3
    assert len(first[1]["posts"]["edges"]) == 3
    assert len(first[5]["posts"]["edges"]) == 5
    assert len(first[4]["products"]["edges"]) == 3  # 13.00, 16.00 and 19.00


async def test_date_bounds_equal_to_stored_times_answer_the_same(admin, gql, hints_restored):
    users = [await sign_up(gql) for _ in range(6)]
    query = (
        "query($after: DateTime, $before: DateTime, $cursor: String) { users(filter: "
        "{createdAfter: $after, createdBefore: $before}, sort: OLDEST_FIRST, first: 2, "
        "after: $cursor) { edges { cursor node { username } } pageInfo { hasNextPage } } }"
    )
    bounds = {"after": users[1]["createdAt"], "before": users[5]["createdAt"]}
    answers = {}
    for name, leading_keys in {"all hinted": None, "as set": HINTS.leading_keys}.items():
        HINTS.leading_keys = leading_keys
        first = (await admin.data(query, bounds))["users"]
        cursor = first["edges"][-1]["cursor"]
        second = (await admin.data(query, bounds | {"cursor": cursor}))["users"]
        answers[name] = (first, second)
    assert answers["all hinted"] == answers["as set"]
    first, second = answers["as set"]
    listed = [e["node"]["username"] for e in first["edges"] + second["edges"]]
    assert listed == [u["username"] for u in users[2:5]]  # strictly inside the bounds
    assert first["pageInfo"]["hasNextPage"] and not second["pageInfo"]["hasNextPage"]
