"""Accounts, sessions and permissions: every rule from both sides, over HTTP."""

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from tests.factories import (
    PASSWORD,
    create_post,
    create_product,
    grant,
    login,
    make_admin,
    place_order,
    sign_up,
)

ME = "{ me { id username email credits } }"
LOGIN = (
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"
)


# --- accounts and sessions ------------------------------------------------------


async def test_passwords_are_stored_as_argon2_hashes_only(gql, db):
    user = await sign_up(gql, "hasher", password="s3cret-passphrase")
    stored = await db.users.find_one({"_id": ObjectId(user["databaseId"])})
    assert stored["password_hash"].startswith("$argon2id$")
    assert "s3cret-passphrase" not in str(stored)
    body = await gql.as_user(user).execute("{ me { id } }")
    assert "password" not in str(body).lower()


async def test_short_or_missing_passwords_are_refused(gql, db):
    for password in ("short", "x" * 257):
        await gql.error(
            'mutation($p: String!) { signUp(input: {username: "pw", '
            'email: "pw@example.com", password: $p}) { token } }',
            {"p": password},
            code="BAD_USER_INPUT",
        )
    assert await db.users.count_documents({}) == 0


async def test_login_gives_a_random_256_bit_token_stored_only_as_a_hash(gql, db):
    user = await sign_up(gql, "tokens")
    token = await login(gql, "tokens")
    assert len(token) >= 43  # 32 random bytes, base64url
    assert token != user["token"]
    sessions = await db.sessions.find({"user_id": ObjectId(user["databaseId"])}).to_list()
    assert len(sessions) == 2
    for session in sessions:
        assert token not in str(session)
        assert len(session["token_hash"]) == 64
        assert session["expires_at"] > datetime.now(UTC)
    me = await gql.as_user(token).data(ME)
    assert me["me"]["username"] == "tokens"
    assert me["me"]["email"] == "tokens@example.com"


async def test_login_by_email_in_any_case(gql):
    await sign_up(gql, "mailer", email="Mailer@Example.com")
    assert await login(gql, "MAILER@example.com")


async def test_wrong_password_and_unknown_user_look_the_same(gql):
    await sign_up(gql, "known")
    wrong = await gql.error(
        'mutation { login(input: {username: "known", password: "wrong password"}) { token } }',
        code="UNAUTHENTICATED",
    )
    unknown = await gql.error(
        'mutation { login(input: {username: "nobody", password: "wrong password"}) { token } }',
        code="UNAUTHENTICATED",
    )
    assert wrong["message"] == unknown["message"]
    assert wrong["extensions"] == unknown["extensions"]


async def test_anonymous_me_is_null_and_protected_operations_are_unauthenticated(gql):
    assert (await gql.data(ME))["me"] is None
    error = await gql.error(
        'mutation { createPost(input: {title: "t", content: "c"}) { id } }', code="UNAUTHENTICATED"
    )
    assert "Authorization" in error["message"]


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Basic dXNlcjpwYXNz", "Bearer not-a-real-token", "Token abc"],
)
async def test_malformed_or_unknown_tokens_are_unauthenticated(gql, http, header):
    response = await http.post(
        "/graphql",
        json={"query": 'mutation { createPost(input: {title: "t", content: "c"}) { id } }'},
        headers={"authorization": header},
    )
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_tampered_token_is_refused(gql):
    user = await sign_up(gql)
    token = user["token"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    await gql.as_user(tampered).error(ME, code="UNAUTHENTICATED")
    assert (await gql.as_user(token).data(ME))["me"]["id"] == user["id"]


async def test_an_expired_session_is_refused_before_the_ttl_monitor_runs(gql, db):
    user = await sign_up(gql)
    await db.sessions.update_many(
        {"user_id": ObjectId(user["databaseId"])},
        {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}},
    )
    assert await db.sessions.count_documents({}) == 1  # still there...
    await gql.as_user(user).error(ME, code="UNAUTHENTICATED")  # ...but refused
    await gql.as_user(user).error("mutation { logout }", code="UNAUTHENTICATED")


async def test_sessions_slide_on_use_but_not_on_every_request(gql, db):
    user = await sign_up(gql)
    client = gql.as_user(user)
    query = {"user_id": ObjectId(user["databaseId"])}
    before = await db.sessions.find_one(query)
    await client.data(ME)
    assert await db.sessions.find_one(query) == before  # fresh: no write

    stale = datetime.now(UTC) - timedelta(hours=1)
    await db.sessions.update_one(
        query, {"$set": {"updated_at": stale, "expires_at": stale + timedelta(days=1)}}
    )
    await client.data(ME)
    slid = await db.sessions.find_one(query)
    assert slid["updated_at"] > stale + timedelta(minutes=59)
    assert slid["expires_at"] > datetime.now(UTC) + timedelta(days=13)


async def test_logout_ends_this_session_only(gql):
    user = await sign_up(gql, "leaver")
    other = await login(gql, "leaver")
    assert (await gql.as_user(user).data("mutation { logout }"))["logout"] is True
    await gql.as_user(user).error(ME, code="UNAUTHENTICATED")
    assert (await gql.as_user(other).data(ME))["me"]["username"] == "leaver"


async def test_logout_everywhere_ends_every_session(gql, db):
    user = await sign_up(gql, "everywhere")
    other = await login(gql, "everywhere")
    ended = await gql.as_user(user).data("mutation { logoutEverywhere }")
    assert ended["logoutEverywhere"] == 2
    for token in (user["token"], other):
        await gql.as_user(token).error(ME, code="UNAUTHENTICATED")
    assert await db.sessions.count_documents({}) == 0


async def test_changing_the_password_ends_the_other_sessions(gql):
    user = await sign_up(gql, "changer")
    other = await login(gql, "changer")
    change = "mutation($i: ChangePasswordInput!) { changePassword(input: $i) }"
    await gql.as_user(user).error(
        change,
        {"i": {"currentPassword": "not it at all", "newPassword": "a new passphrase"}},
        code="BAD_USER_INPUT",
    )
    data = await gql.as_user(user).data(
        change, {"i": {"currentPassword": PASSWORD, "newPassword": "a new passphrase"}}
    )
    assert data["changePassword"] == 1
    await gql.as_user(other).error(ME, code="UNAUTHENTICATED")
    assert (await gql.as_user(user).data(ME))["me"]["username"] == "changer"
    await gql.error(LOGIN, {"u": "changer", "p": PASSWORD}, code="UNAUTHENTICATED")
    assert await login(gql, "changer", "a new passphrase")


async def test_deactivated_users_cannot_log_in_and_their_sessions_stop_at_once(gql, admin):
    user = await sign_up(gql, "goner")
    other = await login(gql, "goner")
    await admin.data("mutation($id: ID!) { deactivateUser(id: $id) { id } }", {"id": user["id"]})
    for token in (user["token"], other):
        await gql.as_user(token).error(ME, code="UNAUTHENTICATED")
    error = await gql.error(LOGIN, {"u": "goner", "p": PASSWORD}, code="UNAUTHENTICATED")
    assert error["message"] == "Wrong username or password."


LOGIN = (
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"
)


async def test_failed_logins_are_throttled_per_account_without_revealing_it(gql, db):
    target = await sign_up(gql, "target")
    for _ in range(5):
        await gql.error(LOGIN, {"u": "target", "p": "guess guess"}, code="UNAUTHENTICATED")
    # Now even the right password is refused until the window ends...
    error = await gql.error(LOGIN, {"u": "target", "p": PASSWORD}, code="RATE_LIMITED")
    assert error["extensions"]["retryAfterSeconds"] > 0
    # ...and an unknown name is throttled the same way.
    for _ in range(5):
        await gql.error(LOGIN, {"u": "ghost", "p": "guess guess"}, code="UNAUTHENTICATED")
    await gql.error(LOGIN, {"u": "ghost", "p": "guess guess"}, code="RATE_LIMITED")
    # The counters are in MongoDB, so every API process sees them.
    account = f"account:{target['databaseId']}"
    assert await db.login_attempts.count_documents({"key": account}) == 1


async def test_failed_logins_are_throttled_per_address(gql):
    await sign_up(gql, "innocent")
    for n in range(12):  # the tests' limit per address
        await gql.error(LOGIN, {"u": f"spray{n}", "p": "guess guess"}, code="UNAUTHENTICATED")
    await gql.error(LOGIN, {"u": "innocent", "p": PASSWORD}, code="RATE_LIMITED")


async def test_a_successful_login_clears_the_account_counter(gql):
    await sign_up(gql, "forgetful")
    for _ in range(4):
        await gql.error(LOGIN, {"u": "forgetful", "p": "guess guess"}, code="UNAUTHENTICATED")
    assert await login(gql, "forgetful")
    for _ in range(4):
        await gql.error(LOGIN, {"u": "forgetful", "p": "guess guess"}, code="UNAUTHENTICATED")
    assert await login(gql, "forgetful")


# --- rules, from both sides -----------------------------------------------------


@pytest.fixture
async def people(gql, admin, db):
    alice, bob = await sign_up(gql, "alice"), await sign_up(gql, "bob")
    await create_product(admin, sku="RULE", price="3.00", stock=100)
    return {
        "alice": alice,
        "bob": bob,
        "published": await create_post(gql, alice, title="Public", published=True),
        "draft": await create_post(gql, alice, title="Secret draft"),
        "order": await place_order(gql, alice, [("RULE", 1)]),
    }


async def test_anonymous_reads_public_things(gql, people):
    data = await gql.data(
        """query($post: ID!, $user: ID!) {
          post(id: $post) { title author { username email credits } }
          user(id: $user) { username email credits orders(first: 1) { totalCount } }
          posts { edges { node { title } } }
          products { edges { node { sku } } }
        }""",
        {"post": people["published"]["id"], "user": people["alice"]["id"]},
    )
    assert data["post"]["title"] == "Public"
    assert data["post"]["author"] == {"username": "alice", "email": None, "credits": None}
    assert data["user"] == {"username": "alice", "email": None, "credits": None, "orders": None}
    assert [e["node"]["title"] for e in data["posts"]["edges"]] == ["Public"]
    assert data["products"]["edges"][0]["node"]["sku"] == "RULE"


async def test_private_user_fields_show_to_self_and_admins_only(gql, admin, people):
    query = """query($id: ID!) { user(id: $id) { email credits
        orders(first: 5) { totalCount } sessions { current } } }"""
    alice = {"id": people["alice"]["id"]}
    own = (await gql.as_user(people["alice"]).data(query, alice))["user"]
    assert own["email"] == "alice@example.com"
    assert own["credits"] == 0
    assert own["orders"]["totalCount"] == 1
    assert [s["current"] for s in own["sessions"]] == [True]
    other = (await gql.as_user(people["bob"]).data(query, alice))["user"]
    assert other == {"email": None, "credits": None, "orders": None, "sessions": None}
    seen_by_admin = (await admin.data(query, alice))["user"]
    assert seen_by_admin["email"] == "alice@example.com"
    assert seen_by_admin["orders"]["totalCount"] == 1
    assert [s["current"] for s in seen_by_admin["sessions"]] == [False]


async def test_drafts_are_hidden_as_not_found_from_others(gql, admin, people):
    query = "query($id: ID!) { post(id: $id) { title } node(id: $id) { id } }"
    draft = {"id": people["draft"]["id"]}
    assert (await gql.data(query, draft)) == {"post": None, "node": None}
    assert (await gql.as_user(people["bob"]).data(query, draft))["post"] is None
    assert (await gql.as_user(people["alice"]).data(query, draft))["post"][
        "title"
    ] == "Secret draft"
    assert (await admin.data(query, draft))["post"]["title"] == "Secret draft"

    drafts = "query($a: ID) { posts(filter: {published: false, authorId: $a}) { totalCount } }"
    alice_id = {"a": people["alice"]["id"]}
    assert (await gql.as_user(people["alice"]).data(drafts, alice_id))["posts"]["totalCount"] == 1
    assert (await admin.data(drafts, {"a": None}))["posts"]["totalCount"] == 1
    await gql.as_user(people["bob"]).error(drafts, alice_id, code="FORBIDDEN")
    await gql.error(drafts, alice_id, code="UNAUTHENTICATED")


POST_MUTATIONS = [
    'mutation($id: ID!) { updatePost(id: $id, input: {title: "Hacked"}) { id } }',
    "mutation($id: ID!) { publishPost(id: $id) { id } }",
    "mutation($id: ID!) { deletePost(id: $id) }",
]


@pytest.mark.parametrize("mutation", POST_MUTATIONS)
async def test_only_the_author_changes_a_post(gql, db, people, mutation):
    bob = gql.as_user(people["bob"])
    await bob.error(mutation, {"id": people["published"]["id"]}, code="FORBIDDEN")
    await bob.error(mutation, {"id": people["draft"]["id"]}, code="NOT_FOUND")
    await gql.error(mutation, {"id": people["published"]["id"]}, code="UNAUTHENTICATED")
    titles = sorted(p["title"] for p in await db.posts.find().to_list())
    assert titles == ["Public", "Secret draft"]
    await gql.as_user(people["alice"]).data(mutation, {"id": people["draft"]["id"]})


async def test_orders_are_seen_by_their_buyer_and_admins(gql, admin, people):
    query = "query($id: ID!) { order(id: $id) { total } }"
    order = {"id": people["order"]["id"]}
    assert (await gql.as_user(people["alice"]).data(query, order))["order"]["total"] == "3.00"
    assert (await admin.data(query, order))["order"]["total"] == "3.00"
    # For anybody else the order does not exist: null, as for a missing one.
    assert (await gql.as_user(people["bob"]).data(query, order)) == {"order": None}
    await gql.error(query, order, code="UNAUTHENTICATED")
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await gql.as_user(people["bob"]).data(node, order)) == {"node": None}
    assert (await gql.data(node, order)) == {"node": None}


async def test_buyers_cancel_their_pending_orders_and_admins_run_fulfilment(gql, admin, db, people):
    mutation = (
        "mutation($id: ID!, $s: OrderStatus!) { updateOrderStatus(id: $id, status: $s) { status } }"
    )
    order = people["order"]["id"]
    await gql.as_user(people["bob"]).error(
        mutation, {"id": order, "s": "CANCELLED"}, code="NOT_FOUND"
    )
    await gql.as_user(people["alice"]).error(mutation, {"id": order, "s": "PAID"}, code="FORBIDDEN")
    assert (await db.orders.find_one({}))["status"] == "pending"
    data = await admin.data(mutation, {"id": order, "s": "PAID"})
    assert data["updateOrderStatus"]["status"] == "PAID"
    # Paid: the buyer can no longer cancel; an admin still can.
    await gql.as_user(people["alice"]).error(
        mutation, {"id": order, "s": "CANCELLED"}, code="FORBIDDEN"
    )
    second = await place_order(gql, people["alice"], [("RULE", 1)])
    data = await gql.as_user(people["alice"]).data(mutation, {"id": second["id"], "s": "CANCELLED"})
    assert data["updateOrderStatus"]["status"] == "CANCELLED"


async def test_credits_leave_only_the_callers_account(gql, admin, db, people):
    await grant(admin, people["alice"]["id"], 10)
    transfer = (
        "mutation($to: ID!) { transferCredits(input: {toUserId: $to, amount: 4}) { amount } }"
    )
    await gql.error(transfer, {"to": people["bob"]["id"]}, code="UNAUTHENTICATED")
    await gql.as_user(people["bob"]).error(
        transfer, {"to": people["alice"]["id"]}, code="INSUFFICIENT_CREDITS"
    )
    await gql.as_user(people["alice"]).data(transfer, {"to": people["bob"]["id"]})
    balances = {u["username"]: u["credits"] for u in await db.users.find().to_list()}
    assert (balances["alice"], balances["bob"]) == (6, 4)
    await gql.as_user(people["bob"]).error(
        "mutation($id: ID!) { grantCredits(input: {userId: $id, amount: 5}) { id } }",
        {"id": people["bob"]["id"]},
        code="FORBIDDEN",
    )


async def test_users_update_and_deactivate_only_themselves(gql, admin, db, people):
    bob = gql.as_user(people["bob"])
    deactivate = "mutation($id: ID!) { deactivateUser(id: $id) { isActive } }"
    await bob.error(deactivate, {"id": people["alice"]["id"]}, code="FORBIDDEN")
    assert (await db.users.find_one({"username": "alice"}))["is_active"] is True
    updated = await bob.data('mutation { updateProfile(input: {username: "robert"}) { username } }')
    assert updated["updateProfile"]["username"] == "robert"
    assert (await db.users.find_one({"username": "alice"})) is not None  # untouched
    assert (await bob.data(deactivate, {"id": people["bob"]["id"]}))["deactivateUser"][
        "isActive"
    ] is False
    assert (await admin.data(deactivate, {"id": people["alice"]["id"]}))["deactivateUser"][
        "isActive"
    ] is False


ADMIN_ONLY = [
    (
        'mutation { createProduct(input: {sku: "X1", name: "x", category: "c", price: "1"}) '
        "{ id } }",
        None,
    ),
    ('mutation { updateProduct(sku: "RULE", input: {stock: 0}) { id } }', None),
    ('mutation { deleteProduct(sku: "RULE") }', None),
    ("{ users { totalCount } }", None),
    ("{ orders { totalCount } }", None),
    ("{ topAuthors { publishedPostCount } }", None),
    ("{ revenueByMonth(year: 2026) { month } }", None),
    ("{ salesByProduct { sku } }", None),
]


@pytest.mark.parametrize(("operation", "variables"), ADMIN_ONLY)
async def test_admin_only_operations(gql, admin, db, people, operation, variables):
    await gql.error(operation, variables, code="UNAUTHENTICATED")
    await gql.as_user(people["alice"]).error(operation, variables, code="FORBIDDEN")
    product = await db.products.find_one({"sku": "RULE"})
    assert product is not None and product["stock"] == 99  # refusals changed nothing
    await admin.data(operation, variables)


async def test_a_promoted_user_gains_admin_rights_on_the_next_request(gql, db, people):
    alice = gql.as_user(people["alice"])
    await alice.error("{ users { totalCount } }", code="FORBIDDEN")
    await make_admin(db, people["alice"])
    assert (await alice.data("{ users { totalCount } }"))["users"]["totalCount"] == 3
