"""Nested fields cost a fixed number of MongoDB round trips, whatever the page size."""

import pytest

from graphql_api.models import Post, User, utcnow


async def seed(db, users: int, posts_per_user: int) -> None:
    now = utcnow()
    docs = [
        User(
            username=f"author{i}",
            email=f"author{i}@example.com",
            password_hash="not a real hash",  # never signs in
            created_at=now,
        ).model_dump(by_alias=True, exclude={"id"})
        for i in range(users)
    ]
    user_ids = (await db.users.insert_many(docs)).inserted_ids
    posts = [
        Post(
            author_id=author,
            title=f"Post {n} by {i}",
            content="words " * 50,
            published=True,
            published_at=now,
        ).model_dump(by_alias=True, exclude={"id"})
        for i, author in enumerate(user_ids)
        for n in range(posts_per_user)
    ]
    await db.posts.insert_many(posts)


async def round_trips(gql, commands, query: str, variables: dict | None = None) -> int:
    commands.reset()
    await gql.data(query, variables)
    return commands.total


POSTS_WITH_AUTHORS = """
query($n: Int!) { posts(first: $n) { edges { node { title author { username email } } } } }
"""
THREE_LEVELS = """
query($n: Int!) {
  users(first: $n) { edges { node { username
    posts(first: 5) { edges { node { title author { username } } } }
  } } }
}"""


@pytest.mark.parametrize("size", [5, 50])
async def test_posts_with_authors_take_two_round_trips(gql, db, commands, size):
    # Anonymous: every author's `email` is null without a round trip (no session to look up).
    await seed(db, users=25, posts_per_user=4)
    trips = await round_trips(gql, commands, POSTS_WITH_AUTHORS, {"n": size})
    assert trips == 2, commands.commands  # one find for the page, one for all authors


@pytest.mark.parametrize("size", [5, 50])
async def test_signed_in_posts_with_authors_add_one_round_trip_for_the_session(
    admin, db, commands, size
):
    # Signed in, `email` is checked for every author (an admin sees everyone's): the viewer
    # must be looked up once per request, not once per author.
    await seed(db, users=25, posts_per_user=4)
    commands.reset()
    data = await admin.data(POSTS_WITH_AUTHORS, {"n": size})
    assert all(edge["node"]["author"]["email"] for edge in data["posts"]["edges"])
    # The session, the page, all authors. (A lookup cached only once finished made this
    # one `aggregate` per author: {'aggregate': 50, 'find': 2} for 50 posts.)
    assert commands.total == 3, commands.commands


@pytest.mark.parametrize("size", [3, 20])
async def test_three_levels_take_three_round_trips(admin, db, commands, size):
    # `users` is for admins, so one more round trip looks up the admin's session; the seeded
    # authors are newer than the admin, so they fill the page.
    await seed(db, users=20, posts_per_user=6)
    data = await admin.data(THREE_LEVELS, {"n": size})
    edges = data["users"]["edges"]
    assert len(edges) == size
    assert all(len(edge["node"]["posts"]["edges"]) == 5 for edge in edges)
    for edge in edges:
        username = edge["node"]["username"]
        assert {p["node"]["author"]["username"] for p in edge["node"]["posts"]["edges"]} == {
            username
        }
    # The session; the users page with every user's posts page inside it (a `$lookup`);
    # all the authors.
    assert await round_trips(admin, commands, THREE_LEVELS, {"n": size}) == 1 + 2, commands.commands


async def test_users_with_their_posts_take_the_floors_round_trips(admin, db, commands):
    # The hand-written floor (benchmarks/serve_raw.py `nested`) takes two: one aggregation on
    # users with the posts `$lookup` inside it, then the authors; the admin's session is one more.
    await seed(db, users=20, posts_per_user=6)
    query = """{ users(first: 10) { edges { node { username
        posts(first: 5) { edges { node { title author { username } } } } } } } }"""
    data = await admin.data(query)
    assert all(len(edge["node"]["posts"]["edges"]) == 5 for edge in data["users"]["edges"])
    assert await round_trips(admin, commands, query) == 1 + 2, commands.commands
    assert commands.commands["aggregate"] == 2  # the session's and the users'; posts inside


async def test_nested_pages_and_counts_are_batched(admin, db, commands):
    await seed(db, users=10, posts_per_user=3)
    query = """{ users(first: 10) { totalCount edges { node {
        posts(first: 2) { totalCount pageInfo { hasNextPage endCursor }
                           edges { node { title } } } } } } }"""
    data = await admin.data(query)
    for edge in data["users"]["edges"]:
        posts = edge["node"]["posts"]
        assert posts["totalCount"] == 3
        assert posts["pageInfo"]["hasNextPage"] is True
        assert len(posts["edges"]) == 2
    # the admin's session + users page with the posts pages inside + users count + posts counts
    assert await round_trips(admin, commands, query) == 1 + 3, commands.commands


async def test_nested_cursor_continues_each_users_list(gql, admin, db):
    await seed(db, users=2, posts_per_user=5)
    first = await admin.data(
        "{ users(first: 2) { edges { node { id posts(first: 3) "
        "{ edges { node { title } } pageInfo { endCursor } } } } } }"
    )
    for edge in first["users"]["edges"]:
        user = edge["node"]
        rest = await gql.data(
            "query($id: ID!, $after: String) { user(id: $id) { posts(first: 10, after: $after)"
            " { edges { node { title } } pageInfo { hasNextPage } } } }",
            {"id": user["id"], "after": user["posts"]["pageInfo"]["endCursor"]},
        )
        titles = [e["node"]["title"] for e in user["posts"]["edges"]]
        more = [e["node"]["title"] for e in rest["user"]["posts"]["edges"]]
        assert len(titles) == 3
        assert len(more) == 2
        assert not set(titles) & set(more)
        assert rest["user"]["posts"]["pageInfo"]["hasNextPage"] is False


async def test_page_of_one_hundred_is_one_round_trip(gql, db, commands):
    await seed(db, users=1, posts_per_user=120)
    commands.reset()
    data = await gql.data("{ posts(first: 100) { edges { node { title } } } }")
    assert len(data["posts"]["edges"]) == 100
    assert commands.commands == {"find": 1}


async def test_projection_fetches_only_requested_fields(gql, db, commands):
    await seed(db, users=1, posts_per_user=3)
    commands.reset()
    data = await gql.data("{ posts(first: 3) { edges { node { title } } } }")
    assert len(data["posts"]["edges"]) == 3
    (find,) = commands.sent
    assert set(find["projection"]) == {"_id", "title"}  # no content, no sort key


@pytest.mark.parametrize(
    "query",
    [
        "{ posts(first: 3) { edges { cursor node { title } } } }",
        "{ posts(first: 3) { pageInfo { endCursor } edges { node { title } } } }",
        "{ posts(first: 3) { pageInfo { startCursor } edges { node { title } } } }",
        "query($after: String) { posts(first: 3, after: $after) { edges { node { title } } } }",
    ],
)
async def test_the_sort_keys_come_only_for_cursors_and_bounds(gql, db, commands, query):
    """A cursor is made of the sort keys, and `after`/`before` compare them: only then
    are they fetched (tz-aware dates are most of a page's decoding)."""
    await seed(db, users=1, posts_per_user=4)
    after = None
    if "$after" in query:
        first = await gql.data("{ posts(first: 1) { edges { cursor } } }")
        after = first["posts"]["edges"][0]["cursor"]
    commands.reset()
    data = await gql.data(query, {"after": after} if after else None)
    assert len(data["posts"]["edges"]) == 3
    (find,) = commands.sent
    assert set(find["projection"]) == {"_id", "title", "created_at"}
    again = await gql.data(query, {"after": after} if after else None)  # the direct answer
    assert again == data


async def test_nested_pages_fetch_sort_keys_only_for_their_cursors(admin, db, commands):
    await seed(db, users=2, posts_per_user=3)
    plain = (
        "{ users(first: 2) { edges { node { username "
        "posts(first: 2) { edges { node { title } } } } } } }"
    )
    cursors = plain.replace("{ edges { node { title } } }", "{ edges { cursor node { title } } }")
    for query, nested_keys in ((plain, False), (cursors, True)):
        commands.reset()
        data = await admin.data(query)
        assert [len(e["node"]["posts"]["edges"]) for e in data["users"]["edges"]] == [2, 2]
        (aggregate,) = [c for c in commands.sent if c.get("aggregate") == "users"]
        stages = aggregate["pipeline"]
        root = next(stage["$project"] for stage in stages if "$project" in stage)
        lookup = next(stage["$lookup"] for stage in stages if "$lookup" in stage)
        nested = next(stage["$project"] for stage in lookup["pipeline"] if "$project" in stage)
        assert "created_at" not in root, root
        assert ("created_at" in nested) is nested_keys, nested


@pytest.mark.parametrize(
    ("selection", "more"),
    [
        ("edges { node { title } }", False),
        ("pageInfo { endCursor } edges { node { title } }", False),
        ("pageInfo { hasNextPage } edges { node { title } }", True),
        ("pageInfo { hasPreviousPage } edges { node { title } }", True),
    ],
)
@pytest.mark.parametrize("paging", ["first: 3", "last: 3", "first: 0"])
async def test_one_item_past_the_page_only_when_more_is_asked(
    gql, db, commands, selection, more, paging
):
    """The item past the page answers hasNextPage (hasPreviousPage backwards): without
    them the window is the page (tests/test_planned_execution.py holds the answers to
    graphql-core's, with and without them)."""
    await seed(db, users=1, posts_per_user=5)
    query = f"{{ posts({paging}) {{ {selection} }} }}"
    size = int(paging.split(": ")[1])
    for _ in range(2):  # the plan, then the direct answer
        commands.reset()
        data = await gql.data(query)
        (find,) = commands.sent
        assert find["limit"] == (size + 1 if more or size == 0 else size), find
        assert len(data["posts"]["edges"]) == size


async def test_nested_pages_take_one_item_past_the_page_only_when_more_is_asked(
    admin, db, commands
):
    await seed(db, users=3, posts_per_user=4)
    plain = (
        "{ users(first: 2) { edges { node { username "
        "posts(first: 2) { edges { node { title } } } } } } }"
    )
    more = plain.replace(
        "posts(first: 2) { edges", "posts(first: 2) { pageInfo { hasNextPage } edges"
    )
    for query, nested_limit in ((plain, 2), (more, 3)):
        commands.reset()
        data = await admin.data(query)
        assert [len(e["node"]["posts"]["edges"]) for e in data["users"]["edges"]] == [2, 2]
        (aggregate,) = [c for c in commands.sent if c.get("aggregate") == "users"]
        stages = aggregate["pipeline"]
        lookup = next(stage["$lookup"] for stage in stages if "$lookup" in stage)
        assert next(s["$limit"] for s in stages if "$limit" in s) == 2
        assert next(s["$limit"] for s in lookup["pipeline"] if "$limit" in s) == nested_limit


async def test_whole_documents_when_the_selection_needs_them(gql, db, commands):
    await seed(db, users=1, posts_per_user=1)
    commands.reset()
    await gql.data("{ posts(first: 1) { edges { node { title content author { id } } } } }")
    find = commands.sent[0]
    assert {"title", "content", "author_id"} <= set(find["projection"])


async def test_nested_pages_after_a_tying_cursor_are_each_users_own(admin, db, commands):
    # Every post created at the same instant: after a cursor, the windows fetched with the
    # users' page fill with posts tying with it, and those users' pages are fetched on their
    # own, as a user's list alone is.
    await seed(db, users=3, posts_per_user=6)
    await db.posts.update_many({}, {"$set": {"created_at": utcnow()}})
    query = """query($after: String) { users(first: 3) { edges { node { id
        posts(first: 2, after: $after) { pageInfo { hasNextPage hasPreviousPage endCursor }
            edges { cursor node { title } } } } } } }"""
    first = await admin.data(query)
    cursor = first["users"]["edges"][1]["node"]["posts"]["pageInfo"]["endCursor"]
    commands.reset()
    nested = await admin.data(query, {"after": cursor})
    assert commands.commands["aggregate"] > 2  # some users' pages, on their own
    sizes = set()
    for edge in nested["users"]["edges"]:
        alone = await admin.data(
            """query($id: ID!, $after: String) { user(id: $id) { posts(first: 2, after: $after) {
                pageInfo { hasNextPage hasPreviousPage endCursor }
                edges { cursor node { title } } } } }""",
            {"id": edge["node"]["id"], "after": cursor},
        )
        assert edge["node"]["posts"] == alone["user"]["posts"]
        sizes.add(len(alone["user"]["posts"]["edges"]))
    assert sizes == {0, 2}  # the users whose posts all sort before the cursor, and the others


async def test_a_relation_fetches_only_what_its_selections_read(gql, db, commands):
    await seed(db, users=3, posts_per_user=2)
    commands.reset()
    data = await gql.data(
        "{ posts(first: 6) { edges { node { a: author { username } b: author { id credits } } } } }"
    )
    assert all(edge["node"]["a"]["username"] for edge in data["posts"]["edges"])
    assert commands.commands == {"find": 2}  # the page, then both selections' authors at once
    authors = commands.sent[1]
    assert authors["find"] == "users"
    # `credits` is the owner's alone: the owner's id is read to decide.
    assert set(authors["projection"]) == {"_id", "username", "credits"}
