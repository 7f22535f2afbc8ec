from datetime import datetime

from bson import ObjectId

from tests.factories import PASSWORD, USER_FIELDS, make_admin, sign_up

USERS_PAGE = """
query($first: Int, $after: String, $last: Int, $before: String) {
  users(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id username } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
SIGN_UP = "mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }"


def sign_up_input(username: str, email: str, password: str = PASSWORD) -> dict:
    return {"input": {"username": username, "email": email, "password": password}}


async def test_sign_up_stores_a_normalised_user(gql, db):
    user = await sign_up(gql, "alice", email="Alice@Example.COM")

    assert user["username"] == "alice"
    assert user["email"] == "alice@example.com"
    assert user["roles"] == ["USER"]
    assert user["isActive"] is True
    assert user["credits"] == 0
    assert datetime.fromisoformat(user["createdAt"]).utcoffset().total_seconds() == 0

    stored = await db.users.find_one({"_id": ObjectId(user["databaseId"])})
    assert stored["email"] == "alice@example.com"
    assert stored["created_at"].tzinfo is not None
    assert stored["deactivated_at"] is None


async def test_duplicate_username_or_email_is_a_conflict(gql, db):
    await sign_up(gql, "alice", email="alice@example.com")

    error = await gql.error(SIGN_UP, sign_up_input("alice", "other@example.com"), code="CONFLICT")
    assert error["extensions"]["field"] == "username"
    error = await gql.error(SIGN_UP, sign_up_input("bob", "ALICE@example.com"), code="CONFLICT")
    assert error["extensions"]["field"] == "email"
    assert await db.users.count_documents({}) == 1
    assert await db.sessions.count_documents({}) == 1  # alice's: nobody else was signed in


async def test_invalid_sign_up_input_is_rejected_field_by_field(gql, db):
    error = await gql.error(SIGN_UP, sign_up_input("x", "not-an-email"), code="BAD_USER_INPUT")
    fields = {problem["field"] for problem in error["extensions"]["fields"]}
    assert fields == {"username", "email"}
    await gql.error(SIGN_UP, sign_up_input("has space", "a@example.com"), code="BAD_USER_INPUT")
    await gql.error(SIGN_UP, sign_up_input("x" * 51, "a@example.com"), code="BAD_USER_INPUT")
    assert await db.users.count_documents({}) == 0
    assert await db.sessions.count_documents({}) == 0


async def test_get_user_by_id(gql, admin):
    user = await sign_up(gql)
    fields = {key: value for key, value in user.items() if key not in ("token", "password")}
    query = f"query($id: ID!) {{ user(id: $id) {{ {USER_FIELDS} }} }}"

    for viewer in (gql.as_user(user), admin):
        assert (await viewer.data(query, {"id": user["id"]}))["user"] == fields
    # Changed by design: email and credits are null for anybody else.
    for viewer in (gql, gql.as_user(await sign_up(gql))):
        data = await viewer.data(query, {"id": user["id"]})
        assert data["user"] == fields | {"email": None, "credits": None}


async def test_unknown_user_id_is_null_and_invalid_id_is_bad_input(gql):
    data = await gql.data("query($id: ID!) { user(id: $id) { id } }", {"id": str(ObjectId())})
    assert data["user"] is None
    error = await gql.error('query { user(id: "not-an-id") { id } }', code="BAD_USER_INPUT")
    assert "not a valid id" in error["message"]


async def test_active_users_are_listed_newest_first_in_pages(gql, db):
    users = [await sign_up(gql) for _ in range(5)]
    # The list is for admins: the oldest user is one, so the list holds exactly these users.
    admin = gql.as_user(await make_admin(db, users[0]))
    await admin.data(
        "mutation($id: ID!) { deactivateUser(id: $id) { id } }", {"id": users[2]["id"]}
    )
    expected = [u["id"] for u in reversed(users) if u["id"] != users[2]["id"]]

    first = (await admin.data(USERS_PAGE, {"first": 2}))["users"]
    assert [e["node"]["id"] for e in first["edges"]] == expected[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False

    # A user signing up meanwhile does not shift the next page.
    await sign_up(gql)
    second = await admin.data(USERS_PAGE, {"first": 2, "after": first["pageInfo"]["endCursor"]})
    second = second["users"]
    assert [e["node"]["id"] for e in second["edges"]] == expected[2:4]
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True

    back = await admin.data(USERS_PAGE, {"last": 2, "before": second["pageInfo"]["startCursor"]})
    assert [e["node"]["id"] for e in back["users"]["edges"]] == expected[:2]


USERS_FILTERED = """
query($filter: UserFilter) {
  users(filter: $filter) { totalCount edges { node { id isActive roles deactivatedAt } } }
}"""


async def listed_users(gql, **filter) -> list[dict]:
    data = (await gql.data(USERS_FILTERED, {"filter": filter}))["users"]
    assert data["totalCount"] == len(data["edges"])
    return [edge["node"] for edge in data["edges"]]


async def deactivate(gql, user: dict) -> None:
    await gql.data("mutation($id: ID!) { deactivateUser(id: $id) { id } }", {"id": user["id"]})


async def test_is_active_false_lists_deactivated_users_only(gql, admin):
    users = [await sign_up(gql) for _ in range(4)]
    for user in (users[0], users[2]):
        await deactivate(admin, user)

    gone = await listed_users(admin, isActive=False)
    assert [u["id"] for u in gone] == [users[2]["id"], users[0]["id"]]
    assert all(u["isActive"] is False and u["deactivatedAt"] is not None for u in gone)
    # The admin who lists them is an active user too (the oldest).
    active = [users[3]["id"], users[1]["id"], admin.user["id"]]
    assert [u["id"] for u in await listed_users(admin, isActive=True)] == active
    assert [u["id"] for u in await listed_users(admin)] == active  # isActive defaults to true
    no_filter = (await admin.data(USERS_FILTERED))["users"]  # no filter at all: active only
    assert [e["node"]["id"] for e in no_filter["edges"]] == active


async def test_users_filtered_by_role(gql, db):
    plain, boss, admin_only, retired = [await sign_up(gql) for _ in range(4)]
    for user, roles in ((boss, ["user", "admin"]), (admin_only, ["admin"]), (retired, ["admin"])):
        await db.users.update_one({"_id": ObjectId(user["databaseId"])}, {"$set": {"roles": roles}})
    # The list is for admins: boss (an admin, roles read at each request) lists them.
    admin = gql.as_user(boss)
    await deactivate(admin, retired)

    admins = await listed_users(admin, role="ADMIN")
    assert [u["id"] for u in admins] == [admin_only["id"], boss["id"]]
    assert [u["roles"] for u in admins] == [["ADMIN"], ["USER", "ADMIN"]]
    assert [u["id"] for u in await listed_users(admin, role="USER")] == [boss["id"], plain["id"]]
    assert [u["id"] for u in await listed_users(admin, role="ADMIN", isActive=False)] == [
        retired["id"]
    ]
    assert await listed_users(admin, role="USER", isActive=False) == []
    await admin.error(USERS_FILTERED, {"filter": {"role": "ROOT"}}, code="BAD_USER_INPUT")


async def test_total_count_and_page_size_limits(gql, db):
    users = [await sign_up(gql) for _ in range(3)]
    admin = gql.as_user(await make_admin(db, users[0]))  # the list is for admins
    data = await admin.data("{ users(first: 1) { totalCount edges { node { id } } } }")
    assert data["users"]["totalCount"] == 3
    assert len(data["users"]["edges"]) == 1

    error = await admin.error("{ users(first: 101) { totalCount } }", code="BAD_USER_INPUT")
    assert "100" in error["message"]
    await admin.error('{ users(after: "garbage") { totalCount } }', code="BAD_USER_INPUT")
    await admin.error("{ users(first: 1, last: 1) { totalCount } }", code="BAD_USER_INPUT")


async def test_update_profile_changes_given_fields_and_updated_at(gql, db):
    user = await sign_up(gql, "carol")
    data = await gql.as_user(user).data(  # one's own profile: no id any more
        f'mutation {{ updateProfile(input: {{email: "Carol@New.org"}}) {{ {USER_FIELDS} }} }}'
    )
    updated = data["updateProfile"]
    assert updated["email"] == "carol@new.org"
    assert updated["username"] == "carol"
    assert updated["id"] == user["id"]
    assert updated["updatedAt"] > user["updatedAt"]
    stored = await db.users.find_one({"_id": ObjectId(user["databaseId"])})
    assert stored["email"] == "carol@new.org"


async def test_update_profile_errors(gql, db):
    await sign_up(gql, "dave")
    erin = await sign_up(gql, "erin")
    update = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }"
    as_erin = gql.as_user(erin)
    await as_erin.error(update, {"input": {"username": "dave"}}, code="CONFLICT")
    await as_erin.error(update, {"input": {"email": "nope"}}, code="BAD_USER_INPUT")
    # Was: an unknown or invalid user id. Now the profile is the caller's: without a valid
    # session there is none, and another user's cannot be named.
    await gql.error(update, {"input": {"username": "zed"}}, code="UNAUTHENTICATED")
    await gql.as_user("not-a-token").error(
        update, {"input": {"username": "zed"}}, code="UNAUTHENTICATED"
    )
    await as_erin.error(
        'mutation($id: ID!) { updateProfile(id: $id, input: {username: "zed"}) { id } }',
        {"id": erin["id"]},
        code="GRAPHQL_VALIDATION_FAILED",
    )
    assert await db.users.count_documents({"username": "zed"}) == 0
    stored = await db.users.find_one({"_id": ObjectId(erin["databaseId"])})
    assert stored["username"] == "erin"
    assert stored["email"] == "erin@example.com"


async def test_deactivation_is_soft_and_idempotent(gql, admin, db):
    user = await sign_up(gql)
    deactivate = "mutation($id: ID!) { deactivateUser(id: $id) { id isActive deactivatedAt } }"
    # Users deactivate themselves; that ends their sessions, so the repeat is an admin's.
    first = (await gql.as_user(user).data(deactivate, {"id": user["id"]}))["deactivateUser"]
    assert first["isActive"] is False
    assert first["deactivatedAt"] is not None
    again = (await admin.data(deactivate, {"id": user["id"]}))["deactivateUser"]
    assert again["deactivatedAt"] == first["deactivatedAt"]
    again = (await admin.data(deactivate, {"id": user["id"]}))["deactivateUser"]
    assert again["deactivatedAt"] == first["deactivatedAt"]

    stored = await db.users.find_one({"_id": ObjectId(user["databaseId"])})
    assert stored is not None
    assert stored["is_active"] is False
    assert stored["deactivated_at"] == datetime.fromisoformat(first["deactivatedAt"])
    await admin.error(deactivate, {"id": str(ObjectId())}, code="NOT_FOUND")
