"""Relay conventions: global ids, node/nodes, cursor connections in both directions."""

import base64

from bson import ObjectId

from graphql_api.schema import relay
from tests.factories import create_post, create_product, place_order, sign_up

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on User { username } ... on Post { title }
  ... on Product { sku } ... on Order { total } } }"""


async def test_global_ids_name_their_type_and_refetch_through_node(gql, admin):
    user = await sign_up(gql)
    post = await create_post(gql, user, title="Hello")
    product = await create_product(admin, sku="NODE-1")
    order = await place_order(gql, user, [("NODE-1", 1)])

    assert base64.b64decode(user["id"]).decode() == f"User:{user['databaseId']}"
    # Refetched by the user: the post is their draft and the order theirs, which only they
    # (and admins) may see.
    for thing, typename in ((user, "User"), (post, "Post"), (product, "Product"), (order, "Order")):
        node = (await gql.as_user(user).data(NODE, {"id": thing["id"]}))["node"]
        assert node["__typename"] == typename
        assert node["id"] == thing["id"]


async def test_nodes_are_batched_in_order_and_null_for_missing(gql, commands):
    a, b = await sign_up(gql), await sign_up(gql)
    post = await create_post(gql, a, published=True)  # published: anyone may fetch it
    gone = base64.b64encode(f"User:{ObjectId()}".encode()).decode()
    commands.reset()
    data = await gql.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [b["id"], gone, post["id"], a["id"]]},
    )
    assert [n and n["id"] for n in data["nodes"]] == [b["id"], None, post["id"], a["id"]]
    assert commands.total == 2  # one query per type, not per id


async def test_ids_of_the_wrong_type_or_shape_are_bad_input(gql):
    user = await sign_up(gql)
    post = await create_post(gql, user)
    error = await gql.error(
        "query($id: ID!) { user(id: $id) { id } }", {"id": post["id"]}, code="BAD_USER_INPUT"
    )
    assert "User" in error["message"]
    await gql.error(NODE, {"id": "bm9wZQ=="}, code="BAD_USER_INPUT")  # "nope"
    await gql.error(NODE, {"id": "%%%"}, code="BAD_USER_INPUT")
    # The bare ObjectId works where the type is known.
    data = await gql.data("query($id: ID!) { user(id: $id) { id } }", {"id": user["databaseId"]})
    assert data["user"]["id"] == user["id"]


async def test_long_hostile_ids_are_refused_without_being_kept(gql):
    """Ids are cached both ways (they repeat between requests); one longer than any real
    global id is parsed, refused, and not kept, so a flood of big ids cannot park them."""
    user = await sign_up(gql)
    query = "query($id: ID!) { user(id: $id) { id username } }"
    assert (await gql.data(query, {"id": user["id"]}))["user"]["id"] == user["id"]
    kept = relay._split_cached.cache_info().currsize
    for size in (65, 1_000, 100_000):
        bad = base64.b64encode(b"User:" + b"a" * size).decode()
        await gql.error(query, {"id": bad}, code="BAD_USER_INPUT")
    assert relay._split_cached.cache_info().currsize == kept
    # A real one is parsed again from the cache, to the same user.
    assert (await gql.data(query, {"id": user["id"]}))["user"]["username"] == user["username"]


PRODUCTS = """query($first: Int, $after: String, $last: Int, $before: String) {
  products(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { sku } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }"""


async def test_pages_walk_forward_and_back_with_ties_on_the_sort_key(gql, admin):
    # Many equal prices: the order falls back to _id, and cursors must still be exact.
    skus = [f"TIE-{i:02d}" for i in range(7)]
    for sku in skus:
        await create_product(admin, sku=sku, price="5.00")
    await create_product(admin, sku="CHEAP", price="1.00")
    expected = ["CHEAP", *skus]

    seen, after = [], None
    while True:
        page = (await gql.data(PRODUCTS, {"first": 3, "after": after}))["products"]
        seen += [edge["node"]["sku"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected

    back, before = [], None
    while True:
        page = (await gql.data(PRODUCTS, {"last": 3, "before": before}))["products"]
        back = [edge["node"]["sku"] for edge in page["edges"]] + back
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert back == expected


async def test_inserts_during_paging_neither_repeat_nor_skip(gql):
    author = await sign_up(gql)
    for n in range(6):
        await create_post(gql, author, title=f"old {n}", published=True)
    query = """query($after: String) { posts(first: 3, after: $after) {
        edges { node { title } } pageInfo { endCursor } } }"""
    first = (await gql.data(query))["posts"]
    await create_post(gql, author, title="newest", published=True)
    second = (await gql.data(query, {"after": first["pageInfo"]["endCursor"]}))["posts"]
    titles = [e["node"]["title"] for e in first["edges"] + second["edges"]]
    assert titles == [f"old {n}" for n in (5, 4, 3, 2, 1, 0)]


async def test_page_size_is_capped_with_a_clear_error(gql, admin):
    await sign_up(gql)
    error = await gql.error("{ posts(first: 101) { edges { cursor } } }", code="BAD_USER_INPUT")
    assert error["extensions"]["maximum"] == 100
    await gql.error("{ posts(last: -1) { edges { cursor } } }", code="BAD_USER_INPUT")
    await admin.error(  # `users` is for admins
        "{ users { edges { node { posts(first: 500) { edges { cursor } } } } } }",
        code="BAD_USER_INPUT",
    )
    await gql.error(
        '{ posts(after: "bm90IGEgY3Vyc29y") { edges { cursor } } }', code="BAD_USER_INPUT"
    )


async def test_a_users_posts_and_orders_are_connections(gql, admin):
    buyer = await sign_up(gql)
    for n in range(3):
        await create_post(gql, buyer, title=f"p{n}", published=True)
    await create_post(gql, buyer, title="draft")
    await create_product(admin, sku="CONN", price="2.00", stock=10)
    for _ in range(2):
        await place_order(gql, buyer, [("CONN", 1)])
    query = """query($id: ID!) { user(id: $id) {
        posts(first: 2) { totalCount edges { node { title } } pageInfo { hasNextPage } }
        orders(first: 5) { totalCount edges { node { total items { product { sku } } } } }
    } }"""
    data = await gql.as_user(buyer).data(query, {"id": buyer["id"]})
    posts, orders = data["user"]["posts"], data["user"]["orders"]
    # Changed by design: a user's orders are null for everybody but that user and admins.
    others = (await gql.data(query, {"id": buyer["id"]}))["user"]
    assert others == {"posts": posts, "orders": None}
    assert posts["totalCount"] == 3  # drafts are not listed
    assert [e["node"]["title"] for e in posts["edges"]] == ["p2", "p1"]
    assert posts["pageInfo"]["hasNextPage"] is True
    assert orders["totalCount"] == 2
    assert orders["edges"][0]["node"]["items"][0]["product"]["sku"] == "CONN"
