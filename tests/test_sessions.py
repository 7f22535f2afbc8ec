import asyncio
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from tests.factories import sign_up

SESSION_FIELDS = "key userId data createdAt updatedAt expiresAt"
UPSERT = (
    "mutation($input: UpsertSessionInput!) "
    f"{{ upsertSession(input: $input) {{ {SESSION_FIELDS} }} }}"
)
GET = f"query($key: String!) {{ session(key: $key) {{ {SESSION_FIELDS} }} }}"
THIRTY_DAYS = 30 * 24 * 3600


async def upsert(gql, key: str = "s1", data: dict | None = None, **extra) -> dict:
    values = {"key": key, "data": {"cart": [1, 2]} if data is None else data} | extra
    return (await gql.data(UPSERT, {"input": values}))["upsertSession"]


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_upsert_creates_a_session_expiring_after_ttl(gql, db):
    before = datetime.now(UTC)
    session = await upsert(gql, "s1", {"cart": [1, 2], "theme": {"dark": True}}, ttlSeconds=600)
    after = datetime.now(UTC)

    assert session["key"] == "s1"
    assert session["userId"] is None
    assert session["data"] == {"cart": [1, 2], "theme": {"dark": True}}
    expires = parse(session["expiresAt"])
    assert before + timedelta(seconds=599) <= expires <= after + timedelta(seconds=601)

    stored = await db.sessions.find_one({"key": "s1"})
    assert stored["data"] == {"cart": [1, 2], "theme": {"dark": True}}
    assert stored["expires_at"] - stored["updated_at"] == timedelta(seconds=600)
    assert stored["created_at"] == stored["updated_at"]
    assert stored["user_id"] is None


async def test_default_ttl_is_thirty_minutes(gql, db):
    await upsert(gql, "s1")

    stored = await db.sessions.find_one({"key": "s1"})
    assert stored["expires_at"] - stored["updated_at"] == timedelta(minutes=30)


async def test_second_upsert_replaces_data_and_slides_expiry(gql, db):
    first = await upsert(gql, "s1", {"a": 1, "b": 2}, ttlSeconds=600)
    await asyncio.sleep(0.01)

    second = await upsert(gql, "s1", {"c": 3}, ttlSeconds=600)

    assert second["data"] == {"c": 3}
    assert second["createdAt"] == first["createdAt"]
    assert parse(second["updatedAt"]) > parse(first["updatedAt"])
    assert parse(second["expiresAt"]) > parse(first["expiresAt"])
    assert await db.sessions.count_documents({}) == 1
    stored = await db.sessions.find_one({"key": "s1"})
    assert stored["data"] == {"c": 3}
    assert stored["created_at"] == parse(first["createdAt"])
    assert stored["expires_at"] == parse(second["expiresAt"])


async def test_upsert_can_shorten_the_ttl(gql, db):
    await upsert(gql, "s1", ttlSeconds=3600)
    await upsert(gql, "s1", ttlSeconds=60)

    stored = await db.sessions.find_one({"key": "s1"})
    assert stored["expires_at"] - stored["updated_at"] == timedelta(seconds=60)


async def test_upsert_with_a_user_links_the_session(gql, db):
    user = await sign_up(gql)

    session = await upsert(gql, "s1", userId=user["id"])

    assert session["userId"] == user["id"]
    assert (await db.sessions.find_one({"key": "s1"}))["user_id"] == ObjectId(user["databaseId"])


async def test_sessions_with_different_keys_are_separate(gql, db):
    await upsert(gql, "s1", {"n": 1})
    await upsert(gql, "s2", {"n": 2})

    assert await db.sessions.count_documents({}) == 2
    assert (await gql.data(GET, {"key": "s1"}))["session"]["data"] == {"n": 1}
    assert (await gql.data(GET, {"key": "s2"}))["session"]["data"] == {"n": 2}


async def test_get_session_by_key(gql):
    session = await upsert(gql, "s1", {"x": "y"})

    assert (await gql.data(GET, {"key": "s1"}))["session"] == session
    assert (await gql.data(GET, {"key": "other"}))["session"] is None


async def test_expired_session_is_not_returned_before_ttl_monitor_runs(gql, db):
    await upsert(gql, "s1")
    past = datetime.now(UTC) - timedelta(seconds=5)
    await db.sessions.update_one({"key": "s1"}, {"$set": {"expires_at": past}})

    assert (await gql.data(GET, {"key": "s1"}))["session"] is None
    # Still stored: only the read hides it.
    assert await db.sessions.count_documents({"key": "s1"}) == 1


async def test_ttl_out_of_range_is_bad_input(gql, db):
    for ttl in (0, -1, THIRTY_DAYS + 1):
        error = await gql.error(
            UPSERT, {"input": {"key": "s1", "data": {}, "ttlSeconds": ttl}}, code="BAD_USER_INPUT"
        )
        assert error["extensions"]["argument"] == "ttlSeconds"
    assert await db.sessions.count_documents({}) == 0


async def test_ttl_bounds_are_accepted(gql, db):
    await upsert(gql, "short", ttlSeconds=1)
    await upsert(gql, "long", ttlSeconds=THIRTY_DAYS)

    stored = await db.sessions.find_one({"key": "long"})
    assert stored["expires_at"] - stored["updated_at"] == timedelta(days=30)
    assert await db.sessions.count_documents({}) == 2


async def test_unknown_user_is_not_found(gql, db):
    error = await gql.error(
        UPSERT, {"input": {"key": "s1", "data": {}, "userId": str(ObjectId())}}, code="NOT_FOUND"
    )
    assert error["extensions"]["argument"] == "userId"
    assert await db.sessions.count_documents({}) == 0


async def test_invalid_user_id_is_bad_input(gql, db):
    await gql.error(
        UPSERT, {"input": {"key": "s1", "data": {}, "userId": "nope"}}, code="BAD_USER_INPUT"
    )
    assert await db.sessions.count_documents({}) == 0


async def test_non_object_data_or_empty_key_is_bad_input(gql, db):
    for values in ({"key": "s1", "data": [1, 2]}, {"key": "s1", "data": "x"}, {"key": ""}):
        await gql.error(UPSERT, {"input": {"data": {}} | values}, code="BAD_USER_INPUT")
    assert await db.sessions.count_documents({}) == 0


async def test_failed_upsert_leaves_an_existing_session_unchanged(gql, db):
    await upsert(gql, "s1", {"keep": True})
    before = await db.sessions.find_one({"key": "s1"})

    await gql.error(
        UPSERT, {"input": {"key": "s1", "data": {}, "ttlSeconds": 0}}, code="BAD_USER_INPUT"
    )
    await gql.error(
        UPSERT, {"input": {"key": "s1", "data": {}, "userId": str(ObjectId())}}, code="NOT_FOUND"
    )
    assert await db.sessions.find_one({"key": "s1"}) == before


async def test_sessions_have_a_ttl_index_on_expires_at(db):
    indexes = await db.sessions.index_information()

    ttl = [index for index in indexes.values() if index["key"] == [("expires_at", 1)]]
    assert len(ttl) == 1
    assert ttl[0]["expireAfterSeconds"] == 0


async def test_sessions_have_a_unique_index_on_key(db):
    indexes = await db.sessions.index_information()

    by_key = [index for index in indexes.values() if index["key"] == [("key", 1)]]
    assert len(by_key) == 1
    assert by_key[0].get("unique") is True


async def test_upsert_over_an_expired_session_starts_a_fresh_one(gql, db):
    owner = await sign_up(gql)
    old = await upsert(gql, "s1", {"secret": 1}, userId=owner["id"])
    await db.sessions.update_one(
        {"key": "s1"}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=5)}}
    )
    await asyncio.sleep(0.01)

    fresh = await upsert(gql, "s1", {"new": True})

    assert fresh["userId"] is None
    assert parse(fresh["createdAt"]) > parse(old["createdAt"])
    assert await db.sessions.count_documents({}) == 1
