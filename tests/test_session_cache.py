"""The session cache: signed-in requests cost no round trip, and it is never stale for long.

The test app with the cache switched on, a real database, and PyMongo's
command monitoring to count round trips.
"""

import asyncio
import time

import pytest
from bson import ObjectId

from tests.factories import make_admin, sign_up

ME = "{ me { id roles } }"
POSTS_WITH_EMAILS = "{ posts(first: 5) { edges { node { author { email } } } } }"


async def until_healthy(watcher) -> None:
    deadline = time.monotonic() + 20
    while not watcher.healthy:
        assert time.monotonic() < deadline, "the session watcher did not open"
        await asyncio.sleep(0.05)


@pytest.fixture
async def cached(app, gql, commands, monkeypatch):
    # The test app has the cache off (see conftest); the watcher reads the setting live.
    monkeypatch.setattr(app.state.settings, "session_cache_seconds", 60)
    await until_healthy(app.state.watcher)
    return gql, app, commands


async def test_a_signed_in_request_costs_no_session_round_trip(cached):
    gql, _, counter = cached
    user = gql.as_user(await sign_up(gql, "cached"))
    await user.data(ME)  # looked up once
    counter.reset()
    for _ in range(5):
        await user.data(ME)
    assert counter.commands.get("aggregate", 0) == 0, counter.commands


async def test_a_logout_applies_to_the_very_next_request(cached):
    gql, _, _ = cached
    user = gql.as_user(await sign_up(gql, "leaving"))
    await user.data(ME)
    await user.data("mutation { logout }")
    await user.error(ME, code="UNAUTHENTICATED")


async def test_changes_made_elsewhere_apply_within_a_second(cached):
    gql, app, _ = cached
    created = await sign_up(gql, "promoted")
    user = gql.as_user(created)
    assert (await user.data(ME))["me"]["roles"] == ["USER"]
    users = app.state.database.db["users"]
    sessions = app.state.database.db["sessions"]
    # Another process (the CLI) promotes, then deletes the session: both within a second.
    await users.update_one(
        {"_id": ObjectId(created["databaseId"])}, {"$set": {"roles": ["user", "admin"]}}
    )
    started = time.monotonic()
    while (await user.data(ME))["me"]["roles"] != ["USER", "ADMIN"]:
        assert time.monotonic() - started < 1.0
        await asyncio.sleep(0.02)
    await sessions.delete_many({"user_id": ObjectId(created["databaseId"])})
    started = time.monotonic()
    while not (await user.execute(ME)).get("errors"):
        assert time.monotonic() - started < 1.0
        await asyncio.sleep(0.02)


async def test_without_its_change_streams_every_lookup_goes_to_the_database(cached):
    gql, app, counter = cached
    created = await sign_up(gql, "uncached")
    user = gql.as_user(created)
    await user.data(ME)
    await app.state.watcher.close()  # as if the streams were down
    try:
        assert not app.state.watcher.healthy
        counter.reset()
        await user.data(ME)
        assert counter.commands["aggregate"] == 1
        await app.state.database.db["sessions"].delete_many(
            {"user_id": ObjectId(created["databaseId"])}
        )
        await user.error(ME, code="UNAUTHENTICATED")  # at once: nothing was cached
    finally:
        app.state.watcher.start(app.state.database.ready)
        await until_healthy(app.state.watcher)


async def live_connection(app, token: str):
    from graphql_api.auth.live_connections import LiveConnection

    closed: list[tuple[int, float]] = []

    async def close(code: int, reason: str) -> None:
        closed.append((code, time.monotonic()))

    viewer = await app.state.watcher.authenticate(token)
    assert viewer is not None
    connection = LiveConnection(viewer, close)
    app.state.watcher.register(connection)
    return connection, closed


async def test_live_connections_end_within_a_second_of_an_out_of_band_change(cached):
    gql, app, _ = cached
    db = app.state.database.db
    leaver = await sign_up(gql, "oob_leaver")
    demoted = await make_admin(db, await sign_up(gql, "oob_demoted"))
    left, left_closed = await live_connection(app, leaver["token"])
    kept, kept_closed = await live_connection(app, demoted["token"])
    try:
        started = time.monotonic()
        await db["sessions"].delete_many({"user_id": ObjectId(leaver["databaseId"])})
        await db["users"].update_one(
            {"_id": ObjectId(demoted["databaseId"])}, {"$pull": {"roles": "admin"}}
        )
        while not (left_closed and kept_closed):
            assert time.monotonic() - started < 1.0, (left_closed, kept_closed)
            await asyncio.sleep(0.02)
        assert left_closed[0][0] == 4401
        assert kept_closed[0][0] == 4403
    finally:
        app.state.watcher.unregister(left)
        app.state.watcher.unregister(kept)


async def test_revalidation_without_the_change_streams_checks_the_database(cached):
    # What the sweep does, four times a second, while a change stream is down.
    gql, app, _ = cached
    user = await sign_up(gql, "swept")
    connection, closed = await live_connection(app, user["token"])
    try:
        await app.state.watcher.revalidate([connection])
        assert closed == []  # still valid: left open
        await app.state.database.db["users"].update_one(
            {"_id": ObjectId(user["databaseId"])}, {"$set": {"is_active": False}}
        )
        await app.state.watcher.revalidate([connection])
        assert closed and closed[0][0] == 4401
    finally:
        app.state.watcher.unregister(connection)


async def test_a_cached_session_never_serves_a_stale_profile(cached):
    gql, app, _ = cached
    created = await sign_up(gql, "profiled")
    user = gql.as_user(created)
    before = (await user.data("{ me { credits } }"))["me"]["credits"]
    await user.data(ME)  # cached by now
    await app.state.database.db["users"].update_one(
        {"_id": ObjectId(created["databaseId"])}, {"$inc": {"credits": 7}}
    )
    assert (await user.data("{ me { credits } }"))["me"]["credits"] == before + 7


async def test_a_fresh_cached_session_is_known_without_a_lookup(cached, monkeypatch):
    """`known` answers only what `authenticate` would answer without I/O: a cached,
    fresh session not due for a touch; anything else goes to `authenticate`."""
    gql, app, counter = cached
    created = await sign_up(gql, "known")
    user, watcher, token = gql.as_user(created), app.state.watcher, created["token"]
    assert watcher.known(token) is None  # not cached yet
    await user.data(ME)
    viewer = watcher.known(token)
    assert viewer is not None and str(viewer.user_id) == created["databaseId"]
    assert watcher.known("not-a-token") is None

    # Due for a touch: the request slides the expiry (a write), so it is not known.
    monkeypatch.setattr(app.state.settings, "session_touch_interval_seconds", 0)
    assert watcher.known(token) is None
    counter.reset()
    await user.data(ME)
    assert counter.commands.get("update", 0) == 1, counter.commands
    monkeypatch.setattr(app.state.settings, "session_touch_interval_seconds", 3600)
    # The touch's own change drops the entry when it arrives; a lookup caches it again.
    deadline = time.monotonic() + 5
    while watcher.known(token) is None:
        assert time.monotonic() < deadline, "the session was not cached again"
        await user.data(ME)
        await asyncio.sleep(0.05)

    # Past its cache time, or with a change stream closed: not known.
    monkeypatch.setattr(app.state.settings, "session_cache_seconds", 0)
    assert watcher.known(token) is None
    monkeypatch.setattr(app.state.settings, "session_cache_seconds", 60)
    assert watcher.known(token) is not None
    await user.data("mutation { logout }")
    assert watcher.known(token) is None
    await user.error(ME, code="UNAUTHENTICATED")


async def test_a_request_with_a_cached_session_starts_no_lookup(cached, monkeypatch):
    """The viewer of a fresh cached session is taken as is: no lookup task, no loop turn."""
    from graphql_api.schema.context import Context

    gql, app, _ = cached
    user = gql.as_user(await sign_up(gql, "untasked"))
    await user.data(ME)  # cached now
    lookups = []
    original = Context._lookup

    async def counted(self):
        lookups.append(1)
        return await original(self)

    monkeypatch.setattr(Context, "_lookup", counted)
    for _ in range(3):
        assert (await user.data(ME))["me"]["roles"] == ["USER"]
        assert (await user.data(POSTS_WITH_EMAILS))["posts"] is not None
    assert lookups == []
    monkeypatch.setattr(app.state.settings, "session_cache_seconds", 0)
    await user.data(ME)
    assert lookups == [1]
