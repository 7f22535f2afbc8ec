"""Sign-in sessions: started by signUp/login, data kept on the current one, sliding expiry.

(These replace the old client-keyed `session(key)` / `upsertSession`: there is no key, no
ttlSeconds and no userId to give any more; a session is the signed-in user's.)
"""

import asyncio
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from graphql_api.auth.tokens import hash_token
from tests.factories import login, sign_up

SESSION_FIELDS = "id current data userAgent createdAt updatedAt expiresAt"
SET = f"mutation($data: JSON!) {{ setSessionData(data: $data) {{ {SESSION_FIELDS} }} }}"
MY_SESSIONS = f"{{ me {{ id sessions {{ {SESSION_FIELDS} }} }} }}"
SESSIONS_OF = "query($id: ID!) { user(id: $id) { id sessions { id current data } } }"
KIB = 1024


def nested(levels: int) -> dict:
    """An object nesting `levels` objects deep."""
    value: dict = {"leaf": True}
    for _ in range(levels):
        value = {"in": value}
    return value


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def stored_session(db, token: str) -> dict | None:
    return await db.sessions.find_one({"token_hash": hash_token(token)})


async def set_data(gql, token: str, data) -> dict:
    return (await gql.as_user(token).data(SET, {"data": data}))["setSessionData"]


async def my_sessions(gql, token: str) -> list[dict]:
    return (await gql.as_user(token).data(MY_SESSIONS))["me"]["sessions"]


async def backdate(db, token: str, seconds: float) -> dict:
    """Move a session's last use `seconds` into the past (its expiry with it)."""
    stored = await stored_session(db, token)
    shift = timedelta(seconds=seconds)
    await db.sessions.update_one(
        {"_id": stored["_id"]},
        {
            "$set": {
                "created_at": stored["created_at"] - shift,
                "updated_at": stored["updated_at"] - shift,
                "expires_at": stored["expires_at"] - shift,
            }
        },
    )
    return await stored_session(db, token)


async def test_signing_in_starts_a_session_expiring_after_the_ttl(gql, db, settings):
    ttl = timedelta(seconds=settings.session_ttl_seconds)
    before = datetime.now(UTC)
    user = await sign_up(gql)
    after = datetime.now(UTC)

    stored = await stored_session(db, user["token"])
    assert stored["user_id"] == ObjectId(user["databaseId"])
    assert stored["data"] == {}
    assert stored["expires_at"] - stored["updated_at"] == ttl
    assert stored["created_at"] == stored["updated_at"]
    assert before + ttl - timedelta(seconds=1) <= stored["expires_at"] <= after + ttl
    assert user["token"] not in str(stored)  # only its hash is kept

    (session,) = await my_sessions(gql, user["token"])
    assert session["id"] == str(stored["_id"])
    assert session["current"] is True
    assert session["data"] == {}
    assert parse(session["expiresAt"]) == stored["expires_at"]


async def test_set_session_data_replaces_the_data_and_slides_the_expiry(gql, db, settings):
    ttl = timedelta(seconds=settings.session_ttl_seconds)
    user = await sign_up(gql)
    # Last used a minute ago: recent enough that merely using the session does not slide it
    # (that happens at most every `session_touch_interval_seconds`), so any slide below is
    # setSessionData's.
    assert settings.session_touch_interval_seconds > 60
    old = await backdate(db, user["token"], 60)

    first = await set_data(gql, user["token"], {"cart": [1, 2], "theme": {"dark": True}})
    assert first["current"] is True
    assert first["id"] == str(old["_id"])
    assert first["data"] == {"cart": [1, 2], "theme": {"dark": True}}
    assert parse(first["createdAt"]) == old["created_at"]
    assert parse(first["updatedAt"]) > old["updated_at"]
    assert parse(first["expiresAt"]) > old["expires_at"]
    assert parse(first["expiresAt"]) - parse(first["updatedAt"]) == ttl
    await asyncio.sleep(0.01)

    second = await set_data(gql, user["token"], {"c": 3})
    assert second["data"] == {"c": 3}  # replaced, not merged
    assert second["createdAt"] == first["createdAt"]
    assert parse(second["updatedAt"]) > parse(first["updatedAt"])
    assert parse(second["expiresAt"]) > parse(first["expiresAt"])

    assert await db.sessions.count_documents({}) == 1
    stored = await stored_session(db, user["token"])
    assert stored["data"] == {"c": 3}
    assert stored["created_at"] == old["created_at"]
    assert stored["expires_at"] == parse(second["expiresAt"])
    assert stored["expires_at"] - stored["updated_at"] == ttl
    (listed,) = await my_sessions(gql, user["token"])
    assert listed == second


async def test_each_session_keeps_its_own_data(gql, db):
    user = await sign_up(gql)
    other_token = await login(gql, user["username"])
    assert await db.sessions.count_documents({}) == 2

    await set_data(gql, other_token, {"n": 2})
    await asyncio.sleep(0.01)
    await set_data(gql, user["token"], {"n": 1})

    assert (await stored_session(db, user["token"]))["data"] == {"n": 1}
    assert (await stored_session(db, other_token))["data"] == {"n": 2}
    # Most recently used first; `current` marks the session asking.
    mine = await my_sessions(gql, user["token"])
    assert [(s["data"], s["current"]) for s in mine] == [({"n": 1}, True), ({"n": 2}, False)]
    theirs = await my_sessions(gql, other_token)
    assert [(s["data"], s["current"]) for s in theirs] == [({"n": 1}, False), ({"n": 2}, True)]


async def test_expired_session_is_refused_before_the_ttl_monitor_runs(gql, db):
    user = await sign_up(gql)
    other_token = await login(gql, user["username"])
    await set_data(gql, user["token"], {"keep": True})
    past = datetime.now(UTC) - timedelta(seconds=5)
    await db.sessions.update_one(
        {"token_hash": hash_token(user["token"])}, {"$set": {"expires_at": past}}
    )
    expired = await stored_session(db, user["token"])

    expired_client = gql.as_user(user)
    await expired_client.error("{ me { id } }", code="UNAUTHENTICATED")
    await expired_client.error(SET, {"data": {"revived": True}}, code="UNAUTHENTICATED")
    # Still stored (only MongoDB's TTL monitor deletes it), untouched, and no longer listed.
    assert await stored_session(db, user["token"]) == expired
    assert [s["current"] for s in await my_sessions(gql, other_token)] == [True]


async def test_session_data_must_be_a_json_object_of_at_most_16_kib(gql, db):
    user = await sign_up(gql)
    client = gql.as_user(user)
    await set_data(gql, user["token"], {"keep": True})
    before = await stored_session(db, user["token"])

    for data in ([1, 2], "x", 3, True, None):  # not an object
        await client.error(SET, {"data": data}, code="BAD_USER_INPUT")
    # Too deep for the JSON scalar (32 levels): refused on arrival, before the resolver.
    error = await client.error(SET, {"data": nested(50)}, code="BAD_USER_INPUT")
    assert "levels deep" in error["message"], error
    for data in (
        {"blob": "x" * 17 * KIB},  # too big
        nested(25),  # deeper than session data may nest (20)
        {"$set": {"x": 1}},  # would be read as an operator
        {"ok": {"a\x00b": 1}},
    ):
        error = await client.error(SET, {"data": data}, code="BAD_USER_INPUT")
        assert error["extensions"]["argument"] == "data", data
    # A failed write changes nothing: neither the data nor the expiry.
    assert await stored_session(db, user["token"]) == before

    accepted = await set_data(gql, user["token"], {"blob": "x" * 15 * KIB, "deep": nested(5)})
    assert len(accepted["data"]["blob"]) == 15 * KIB
    assert accepted["data"]["deep"] == nested(5)


async def test_the_16_kib_limit_counts_bytes_not_characters(gql, db):
    user = await sign_up(gql)
    await set_data(gql, user["token"], {"keep": True})
    before = await stored_session(db, user["token"])
    # 6,000 euro signs: 6,000 characters, but 18,000 bytes of UTF-8 JSON (more escaped).
    data = {"blob": "\u20ac" * 6000}

    error = await gql.as_user(user).error(SET, {"data": data}, code="BAD_USER_INPUT")
    assert error["extensions"]["argument"] == "data"
    assert await stored_session(db, user["token"]) == before


async def test_setting_session_data_needs_a_valid_session(gql, db):
    user = await sign_up(gql)
    before = await stored_session(db, user["token"])

    await gql.error(SET, {"data": {"a": 1}}, code="UNAUTHENTICATED")
    await gql.as_user("not-a-token").error(SET, {"data": {"a": 1}}, code="UNAUTHENTICATED")
    assert await db.sessions.count_documents({}) == 1
    assert await stored_session(db, user["token"]) == before


async def test_sessions_are_listed_only_to_their_user_and_admins(gql, admin):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await set_data(gql, alice["token"], {"mine": True})
    (own,) = await my_sessions(gql, alice["token"])

    as_alice = await gql.as_user(alice).data(SESSIONS_OF, {"id": alice["id"]})
    assert as_alice["user"]["sessions"] == [
        {"id": own["id"], "current": True, "data": {"mine": True}}
    ]
    as_admin = await admin.data(SESSIONS_OF, {"id": alice["id"]})
    assert as_admin["user"]["sessions"] == [
        {"id": own["id"], "current": False, "data": {"mine": True}}
    ]
    for viewer in (gql, gql.as_user(bob)):
        data = await viewer.data(SESSIONS_OF, {"id": alice["id"]})
        assert data["user"] == {"id": alice["id"], "sessions": None}
    bobs = await my_sessions(gql, bob["token"])
    assert [s["id"] for s in bobs] != [own["id"]]
    assert [s["current"] for s in bobs] == [True]


async def test_sessions_have_a_ttl_index_on_expires_at(db):
    indexes = await db.sessions.index_information()

    ttl = [index for index in indexes.values() if index["key"] == [("expires_at", 1)]]
    assert len(ttl) == 1
    assert ttl[0]["expireAfterSeconds"] == 0


async def test_sessions_have_a_unique_index_on_the_token_hash(db):
    # Sessions are found by their token's hash (it was by a client-chosen key).
    indexes = await db.sessions.index_information()

    by_token = [index for index in indexes.values() if index["key"] == [("token_hash", 1)]]
    assert len(by_token) == 1
    assert by_token[0].get("unique") is True
