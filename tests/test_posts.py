import asyncio
from datetime import datetime

from bson import ObjectId

from tests.factories import POST_FIELDS, create_post, sign_up

CREATE = (
    "mutation($input: CreatePostInput!) "
    "{ createPost(input: $input) { id title tags published publishedAt } }"
)
UPDATE = f"mutation($id: ID!, $input: UpdatePostInput!) {{ updatePost(id: $id, input: $input) {{ {POST_FIELDS} }} }}"  # noqa: E501
PUBLISH = f"mutation($id: ID!) {{ publishPost(id: $id) {{ {POST_FIELDS} }} }}"
DELETE = "mutation($id: ID!) { deletePost(id: $id) }"
GET = f"query($id: ID!) {{ post(id: $id) {{ {POST_FIELDS} }} }}"
POSTS_PAGE = """
query($filter: PostFilter, $first: Int, $after: String) {
  posts(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id author { id } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""
SEARCH = "query($q: String!, $limit: Int) { searchPosts(query: $q, limit: $limit) { score post { id published } } }"  # noqa: E501


async def stored_post(db, post: dict) -> dict | None:
    return await db.posts.find_one({"_id": ObjectId(post["databaseId"])})


async def search_ids(gql, query: str, limit: int = 20) -> list[str]:
    hits = (await gql.data(SEARCH, {"q": query, "limit": limit}))["searchPosts"]
    return [hit["post"]["id"] for hit in hits]


# --- createPost --------------------------------------------------------------


async def test_create_draft_has_no_published_at(gql, db):
    author = await sign_up(gql)
    post = await create_post(gql, author, title="Draft", content="Body")

    assert post["published"] is False
    assert post["publishedAt"] is None
    assert post["author"] == {"id": author["id"], "username": author["username"]}
    stored = await stored_post(db, post)
    assert stored["title"] == "Draft"
    assert stored["content"] == "Body"
    assert stored["author_id"] == ObjectId(author["databaseId"])
    assert stored["published"] is False
    assert stored["published_at"] is None


async def test_create_published_post_sets_published_at(gql, db):
    author = await sign_up(gql)
    post = await create_post(gql, author, published=True)

    assert post["published"] is True
    assert post["publishedAt"] == post["createdAt"]
    stored = await stored_post(db, post)
    assert stored["published"] is True
    assert stored["published_at"] == stored["created_at"]


async def test_create_post_normalises_tags(gql, db):
    author = await sign_up(gql)
    post = await create_post(
        gql, author, tags=["Python", " python ", "GraphQL", "graphql", "mongo"]
    )

    assert post["tags"] == ["python", "graphql", "mongo"]
    assert (await stored_post(db, post))["tags"] == ["python", "graphql", "mongo"]


async def test_create_post_for_a_deactivated_or_deleted_author_is_refused(gql, admin, db):
    # Changed by design: the author is the signed-in user, so an author who no longer exists
    # or is deactivated has no valid session (it was NOT_FOUND for the authorId argument).
    deactivated, deleted = await sign_up(gql), await sign_up(gql)
    await admin.data(
        "mutation($id: ID!) { deactivateUser(id: $id) { id } }", {"id": deactivated["id"]}
    )
    await db.users.delete_one({"_id": ObjectId(deleted["databaseId"])})

    for author in (deactivated, deleted):
        await gql.as_user(author).error(
            CREATE, {"input": {"title": "T", "content": "C"}}, code="UNAUTHENTICATED"
        )
    assert await db.posts.count_documents({}) == 0


async def test_create_post_cannot_name_its_author_and_needs_a_session(gql, db):
    # Was: an invalid authorId is BAD_USER_INPUT. Now no author can be named at all...
    author, other = await sign_up(gql), await sign_up(gql)
    await gql.as_user(author).error(
        CREATE,
        {"input": {"authorId": other["id"], "title": "T", "content": "C"}},
        code="BAD_USER_INPUT",
    )
    # ...and without a valid session there is no author.
    for client in (gql, gql.as_user("not-a-token")):
        await client.error(
            CREATE, {"input": {"title": "T", "content": "C"}}, code="UNAUTHENTICATED"
        )
    assert await db.posts.count_documents({}) == 0


async def test_create_post_rejects_empty_title_and_too_many_tags(gql, db):
    author = gql.as_user(await sign_up(gql))
    base = {"content": "C"}

    error = await author.error(CREATE, {"input": {**base, "title": "   "}}, code="BAD_USER_INPUT")
    assert [problem["field"] for problem in error["extensions"]["fields"]] == ["title"]
    too_many = [f"tag{i}" for i in range(21)]
    error = await author.error(
        CREATE, {"input": {**base, "title": "T", "tags": too_many}}, code="BAD_USER_INPUT"
    )
    assert [problem["field"] for problem in error["extensions"]["fields"]] == ["tags"]
    assert await db.posts.count_documents({}) == 0


async def test_create_post_accepts_exactly_twenty_tags(gql, db):
    author = await sign_up(gql)
    post = await create_post(gql, author, tags=[f"tag{i}" for i in range(20)])

    assert len((await stored_post(db, post))["tags"]) == 20


# --- updatePost --------------------------------------------------------------


async def test_update_post_changes_only_given_fields(gql, db):
    author = await sign_up(gql)
    post = await create_post(gql, author, title="Old", content="Keep me", tags=["a"])
    await asyncio.sleep(0.01)

    updated = (
        await gql.as_user(author).data(UPDATE, {"id": post["id"], "input": {"title": "  New  "}})
    )["updatePost"]
    assert updated["title"] == "New"
    assert updated["content"] == "Keep me"
    assert updated["tags"] == ["a"]
    assert datetime.fromisoformat(updated["updatedAt"]) > datetime.fromisoformat(post["updatedAt"])
    assert updated["createdAt"] == post["createdAt"]

    stored = await stored_post(db, post)
    assert stored["title"] == "New"
    assert stored["content"] == "Keep me"
    assert stored["updated_at"] > stored["created_at"]


async def test_update_post_normalises_tags(gql, db):
    author = await sign_up(gql)
    post = await create_post(gql, author, tags=["old"])

    await gql.as_user(author).data(
        UPDATE, {"id": post["id"], "input": {"tags": ["B", "a", "b", " A "]}}
    )

    assert (await stored_post(db, post))["tags"] == ["b", "a"]


async def test_update_post_with_invalid_values_changes_nothing(gql, db):
    author = await sign_up(gql)
    post = await create_post(gql, author, title="Title")
    before = await stored_post(db, post)

    as_author = gql.as_user(author)
    await as_author.error(UPDATE, {"id": post["id"], "input": {"title": ""}}, code="BAD_USER_INPUT")
    await as_author.error(
        UPDATE,
        {"id": post["id"], "input": {"tags": [f"t{i}" for i in range(21)]}},
        code="BAD_USER_INPUT",
    )
    assert await stored_post(db, post) == before


async def test_update_unknown_post_is_not_found(gql, db):
    user = gql.as_user(await sign_up(gql))
    await user.error(UPDATE, {"id": str(ObjectId()), "input": {"title": "X"}}, code="NOT_FOUND")
    await user.error(UPDATE, {"id": "nope", "input": {"title": "X"}}, code="BAD_USER_INPUT")
    assert await db.posts.count_documents({}) == 0


# --- publishPost -------------------------------------------------------------


async def test_publish_post_sets_published_at_once(gql, db):
    author = await sign_up(gql)
    draft = await create_post(gql, author)
    await asyncio.sleep(0.01)

    first = (await gql.as_user(author).data(PUBLISH, {"id": draft["id"]}))["publishPost"]
    assert first["published"] is True
    assert datetime.fromisoformat(first["publishedAt"]) > datetime.fromisoformat(draft["createdAt"])
    stored = await stored_post(db, draft)
    assert stored["published"] is True
    assert stored["published_at"] is not None

    await asyncio.sleep(0.01)
    again = (await gql.as_user(author).data(PUBLISH, {"id": draft["id"]}))["publishPost"]
    assert again == first
    assert await stored_post(db, draft) == stored


async def test_publish_unknown_post_is_not_found(gql):
    user = gql.as_user(await sign_up(gql))
    await user.error(PUBLISH, {"id": str(ObjectId())}, code="NOT_FOUND")
    await user.error(PUBLISH, {"id": "bad"}, code="BAD_USER_INPUT")


# --- deletePost --------------------------------------------------------------


async def test_delete_post_removes_it_and_a_second_delete_is_not_found(gql, db):
    author = await sign_up(gql)
    post = await create_post(gql, author)
    other = await create_post(gql, author)

    as_author = gql.as_user(author)
    assert (await as_author.data(DELETE, {"id": post["id"]}))["deletePost"] == post["id"]
    assert await stored_post(db, post) is None
    assert await stored_post(db, other) is not None
    await as_author.error(DELETE, {"id": post["id"]}, code="NOT_FOUND")


# --- post(id) ----------------------------------------------------------------


async def test_get_post_by_id_with_author(gql):
    author = await sign_up(gql)
    post = await create_post(gql, author, tags=["x"])  # a draft

    assert (await gql.as_user(author).data(GET, {"id": post["id"]}))["post"] == post
    # Changed by design: a draft is seen by its author (and admins) only.
    assert (await gql.data(GET, {"id": post["id"]}))["post"] is None
    await gql.as_user(author).data(PUBLISH, {"id": post["id"]})
    published = (await gql.data(GET, {"id": post["id"]}))["post"]
    assert published["id"] == post["id"]
    assert published["author"] == post["author"]


async def test_unknown_post_is_null_and_invalid_id_is_bad_input(gql):
    assert (await gql.data(GET, {"id": str(ObjectId())}))["post"] is None
    await gql.error(GET, {"id": "xyz"}, code="BAD_USER_INPUT")


async def test_post_author_is_null_when_the_account_is_gone(gql, db):
    author = await sign_up(gql)
    # Published, so that anyone may still read it once its author's account (and session) is gone.
    post = await create_post(gql, author, published=True)
    await db.users.delete_one({"_id": ObjectId(author["databaseId"])})

    assert (await gql.data(GET, {"id": post["id"]}))["post"]["author"] is None


# --- posts -------------------------------------------------------------------


async def test_posts_lists_only_published_posts_newest_first(gql):
    author = await sign_up(gql)
    older = await create_post(gql, author, published=True)
    await create_post(gql, author)  # a draft
    newer = await create_post(gql, author, published=True)

    edges = (await gql.data(POSTS_PAGE))["posts"]["edges"]
    assert [edge["node"]["id"] for edge in edges] == [newer["id"], older["id"]]


async def test_posts_filtered_by_author(gql):
    alice = await sign_up(gql)
    bob = await sign_up(gql)
    mine = [await create_post(gql, alice, published=True) for _ in range(2)]
    await create_post(gql, bob, published=True)

    edges = (await gql.data(POSTS_PAGE, {"filter": {"authorId": alice["id"]}}))["posts"]["edges"]
    assert [edge["node"]["id"] for edge in edges] == [mine[1]["id"], mine[0]["id"]]
    assert {edge["node"]["author"]["id"] for edge in edges} == {alice["id"]}
    await gql.error(POSTS_PAGE, {"filter": {"authorId": "bad"}}, code="BAD_USER_INPUT")


async def test_posts_paginate_by_cursor(gql):
    author = await sign_up(gql)
    posts = [await create_post(gql, author, published=True) for _ in range(5)]
    expected = [post["id"] for post in reversed(posts)]

    first = (await gql.data(POSTS_PAGE, {"first": 2}))["posts"]
    assert [edge["node"]["id"] for edge in first["edges"]] == expected[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False

    # A post published meanwhile does not shift the following pages.
    await create_post(gql, author, published=True)
    second = await gql.data(POSTS_PAGE, {"first": 2, "after": first["pageInfo"]["endCursor"]})
    assert [edge["node"]["id"] for edge in second["posts"]["edges"]] == expected[2:4]
    third = await gql.data(
        POSTS_PAGE, {"first": 2, "after": second["posts"]["pageInfo"]["endCursor"]}
    )
    assert [edge["node"]["id"] for edge in third["posts"]["edges"]] == expected[4:]
    assert third["posts"]["pageInfo"]["hasNextPage"] is False


async def test_posts_total_count_counts_published_only(gql):
    author = await sign_up(gql)
    for published in (True, True, False):
        await create_post(gql, author, published=published)

    data = await gql.data("{ posts(first: 1) { totalCount edges { node { id } } } }")
    assert data["posts"]["totalCount"] == 2
    assert len(data["posts"]["edges"]) == 1


# --- searchPosts -------------------------------------------------------------


async def test_search_ranks_title_matches_above_content_matches(gql):
    author = await sign_up(gql)
    in_title = await create_post(
        gql, author, title="Mongodb indexing", content="How to go fast.", published=True
    )
    in_content = await create_post(
        gql, author, title="Notes", content="Today I tried mongodb.", published=True
    )
    await create_post(gql, author, title="Other", content="Nothing here.", published=True)

    hits = (await gql.data(SEARCH, {"q": "mongodb"}))["searchPosts"]
    assert [hit["post"]["id"] for hit in hits] == [in_title["id"], in_content["id"]]
    assert hits[0]["score"] > hits[1]["score"] > 0


async def test_search_never_returns_drafts(gql):
    author = await sign_up(gql)
    published = await create_post(gql, author, title="Kayak trip", published=True)
    await create_post(gql, author, title="Kayak draft")

    hits = (await gql.data(SEARCH, {"q": "kayak"}))["searchPosts"]
    assert [hit["post"]["id"] for hit in hits] == [published["id"]]
    assert all(hit["post"]["published"] for hit in hits)


async def test_search_is_case_insensitive(gql):
    author = await sign_up(gql)
    post = await create_post(gql, author, title="Strawberry fields", published=True)

    assert await search_ids(gql, "STRAWBERRY") == [post["id"]]


async def test_search_with_regex_metacharacters_is_safe(gql):
    author = await sign_up(gql)
    post = await create_post(
        gql, author, title="Learning C++ today", content="pointers", published=True
    )
    await create_post(gql, author, title="Gardening", content="roses", published=True)

    assert await search_ids(gql, "c++ (learning") == [post["id"]]
    assert await search_ids(gql, "learning.*[") == [post["id"]]


async def test_search_query_without_words_is_bad_input(gql):
    for query in ("", "   ", "++ (.*) ?"):
        error = await gql.error(SEARCH, {"q": query}, code="BAD_USER_INPUT")
        assert error["extensions"]["argument"] == "query"


async def test_search_respects_limit(gql):
    author = await sign_up(gql)
    for _ in range(3):
        await create_post(gql, author, title="Zebra facts", published=True)

    assert len(await search_ids(gql, "zebra", limit=2)) == 2


async def test_search_matches_whole_words_only(gql):
    author = await sign_up(gql)
    await create_post(gql, author, title="Category theory", published=True)
    cat = await create_post(gql, author, title="My cat", published=True)

    assert await search_ids(gql, "cat") == [cat["id"]]
