from datetime import datetime

from bson import ObjectId

from tests.factories import USER_FIELDS, sign_up

USERS_PAGE = """
query($first: Int, $after: String, $last: Int, $before: String) {
  users(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id username } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


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

    error = await gql.error(
        'mutation { signUp(input: {username: "alice", email: "other@example.com"}) { id } }',
        code="CONFLICT",
    )
    assert error["extensions"]["field"] == "username"
    error = await gql.error(
        'mutation { signUp(input: {username: "bob", email: "ALICE@example.com"}) { id } }',
        code="CONFLICT",
    )
    assert error["extensions"]["field"] == "email"
    assert await db.users.count_documents({}) == 1


async def test_invalid_sign_up_input_is_rejected_field_by_field(gql, db):
    error = await gql.error(
        'mutation { signUp(input: {username: "x", email: "not-an-email"}) { id } }',
        code="BAD_USER_INPUT",
    )
    fields = {problem["field"] for problem in error["extensions"]["fields"]}
    assert fields == {"username", "email"}
    await gql.error(
        'mutation { signUp(input: {username: "has space", email: "a@example.com"}) { id } }',
        code="BAD_USER_INPUT",
    )
    await gql.error(
        'mutation($u: String!) { signUp(input: {username: $u, email: "a@example.com"}) { id } }',
        {"u": "x" * 51},
        code="BAD_USER_INPUT",
    )
    assert await db.users.count_documents({}) == 0


async def test_get_user_by_id(gql):
    user = await sign_up(gql)
    data = await gql.data(
        f"query($id: ID!) {{ user(id: $id) {{ {USER_FIELDS} }} }}", {"id": user["id"]}
    )
    assert data["user"] == user


async def test_unknown_user_id_is_null_and_invalid_id_is_bad_input(gql):
    data = await gql.data("query($id: ID!) { user(id: $id) { id } }", {"id": str(ObjectId())})
    assert data["user"] is None
    error = await gql.error('query { user(id: "not-an-id") { id } }', code="BAD_USER_INPUT")
    assert "not a valid id" in error["message"]


async def test_active_users_are_listed_newest_first_in_pages(gql):
    users = [await sign_up(gql) for _ in range(5)]
    await gql.data("mutation($id: ID!) { deactivateUser(id: $id) { id } }", {"id": users[2]["id"]})
    expected = [u["id"] for u in reversed(users) if u["id"] != users[2]["id"]]

    first = (await gql.data(USERS_PAGE, {"first": 2}))["users"]
    assert [e["node"]["id"] for e in first["edges"]] == expected[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False

    # A user signing up meanwhile does not shift the next page.
    await sign_up(gql)
    second = await gql.data(USERS_PAGE, {"first": 2, "after": first["pageInfo"]["endCursor"]})
    second = second["users"]
    assert [e["node"]["id"] for e in second["edges"]] == expected[2:4]
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True

    back = await gql.data(USERS_PAGE, {"last": 2, "before": second["pageInfo"]["startCursor"]})
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


async def test_is_active_false_lists_deactivated_users_only(gql):
    users = [await sign_up(gql) for _ in range(4)]
    for user in (users[0], users[2]):
        await deactivate(gql, user)

    gone = await listed_users(gql, isActive=False)
    assert [u["id"] for u in gone] == [users[2]["id"], users[0]["id"]]
    assert all(u["isActive"] is False and u["deactivatedAt"] is not None for u in gone)
    active = [users[3]["id"], users[1]["id"]]
    assert [u["id"] for u in await listed_users(gql, isActive=True)] == active
    assert [u["id"] for u in await listed_users(gql)] == active  # isActive defaults to true
    no_filter = (await gql.data(USERS_FILTERED))["users"]  # no filter at all: active only
    assert [e["node"]["id"] for e in no_filter["edges"]] == active


async def test_users_filtered_by_role(gql, db):
    plain, boss, admin_only, retired = [await sign_up(gql) for _ in range(4)]
    for user, roles in ((boss, ["user", "admin"]), (admin_only, ["admin"]), (retired, ["admin"])):
        await db.users.update_one({"_id": ObjectId(user["databaseId"])}, {"$set": {"roles": roles}})
    await deactivate(gql, retired)

    admins = await listed_users(gql, role="ADMIN")
    assert [u["id"] for u in admins] == [admin_only["id"], boss["id"]]
    assert [u["roles"] for u in admins] == [["ADMIN"], ["USER", "ADMIN"]]
    assert [u["id"] for u in await listed_users(gql, role="USER")] == [boss["id"], plain["id"]]
    assert [u["id"] for u in await listed_users(gql, role="ADMIN", isActive=False)] == [
        retired["id"]
    ]
    assert await listed_users(gql, role="USER", isActive=False) == []
    await gql.error(USERS_FILTERED, {"filter": {"role": "ROOT"}}, code="BAD_USER_INPUT")


async def test_total_count_and_page_size_limits(gql):
    for _ in range(3):
        await sign_up(gql)
    data = await gql.data("{ users(first: 1) { totalCount edges { node { id } } } }")
    assert data["users"]["totalCount"] == 3
    assert len(data["users"]["edges"]) == 1

    error = await gql.error("{ users(first: 101) { totalCount } }", code="BAD_USER_INPUT")
    assert "100" in error["message"]
    await gql.error('{ users(after: "garbage") { totalCount } }', code="BAD_USER_INPUT")
    await gql.error("{ users(first: 1, last: 1) { totalCount } }", code="BAD_USER_INPUT")


async def test_update_profile_changes_given_fields_and_updated_at(gql, db):
    user = await sign_up(gql, "carol")
    data = await gql.data(
        f'mutation($id: ID!) {{ updateProfile(id: $id, input: {{email: "Carol@New.org"}}) '
        f"{{ {USER_FIELDS} }} }}",
        {"id": user["id"]},
    )
    updated = data["updateProfile"]
    assert updated["email"] == "carol@new.org"
    assert updated["username"] == "carol"
    assert updated["updatedAt"] > user["updatedAt"]
    stored = await db.users.find_one({"_id": ObjectId(user["databaseId"])})
    assert stored["email"] == "carol@new.org"


async def test_update_profile_errors(gql, db):
    await sign_up(gql, "dave")
    erin = await sign_up(gql, "erin")
    update = (
        "mutation($id: ID!, $input: UpdateProfileInput!) "
        "{ updateProfile(id: $id, input: $input) { id } }"
    )
    await gql.error(update, {"id": erin["id"], "input": {"username": "dave"}}, code="CONFLICT")
    await gql.error(update, {"id": erin["id"], "input": {"email": "nope"}}, code="BAD_USER_INPUT")
    await gql.error(update, {"id": str(ObjectId()), "input": {"username": "zed"}}, code="NOT_FOUND")
    await gql.error(update, {"id": "123", "input": {"username": "zed"}}, code="BAD_USER_INPUT")
    stored = await db.users.find_one({"_id": ObjectId(erin["databaseId"])})
    assert stored["username"] == "erin"
    assert stored["email"] == "erin@example.com"


async def test_deactivation_is_soft_and_idempotent(gql, db):
    user = await sign_up(gql)
    deactivate = "mutation($id: ID!) { deactivateUser(id: $id) { id isActive deactivatedAt } }"
    first = (await gql.data(deactivate, {"id": user["id"]}))["deactivateUser"]
    assert first["isActive"] is False
    assert first["deactivatedAt"] is not None
    again = (await gql.data(deactivate, {"id": user["id"]}))["deactivateUser"]
    assert again["deactivatedAt"] == first["deactivatedAt"]

    stored = await db.users.find_one({"_id": ObjectId(user["databaseId"])})
    assert stored is not None
    assert stored["is_active"] is False
    await gql.error(deactivate, {"id": str(ObjectId())}, code="NOT_FOUND")
