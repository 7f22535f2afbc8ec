"""Accounts attacked through the real `graphql-api serve`: concurrent password guessing,
minted X-Forwarded-For addresses, look-alike usernames, the last admin, hashing floods.

Each test starts the real server (against the tests' database server) with the
settings it attacks, and talks to it over real HTTP, many requests at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from bson import ObjectId
from pymongo import MongoClient
from starlette.datastructures import Headers

from graphql_api.auth.client_address import client_address
from graphql_api.embedded import free_port
from tests.servers import clean_env, serve, status, wait_for

PASSWORD = "the right passphrase"
SIGN_UP = (
    "mutation($u: String!, $e: String!, $p: String!) "
    "{ signUp(input: {username: $u, email: $e, password: $p}) { token user { id databaseId } } }"
)
LOGIN = (
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"
)
CHANGE = (
    "mutation($c: String!, $n: String!) "
    "{ changePassword(input: {currentPassword: $c, newPassword: $n}) }"
)
DEACTIVATE = "mutation($id: ID!) { deactivateUser(id: $id) { isActive } }"
MIB = 1024 * 1024


class Server:
    def __init__(self, base: str, process: subprocess.Popen, db, env: dict, cwd: Path) -> None:
        self.base, self.process, self.db, self.env, self.cwd = base, process, db, env, cwd
        self.http = httpx.AsyncClient(
            base_url=base, timeout=60, limits=httpx.Limits(max_connections=200)
        )

    async def call(
        self, query: str, variables: dict | None = None, token: str | None = None, **headers: str
    ) -> dict:
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def sign_up(self, username: str, email: str | None = None) -> dict:
        email = email or f"{uuid.uuid4().hex[:10]}@example.com"
        body = await self.call(SIGN_UP, {"u": username, "e": email, "p": PASSWORD})
        assert not body.get("errors"), body
        return body["data"]["signUp"] | {"email": email}

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "graphql_api.cli", *args],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def peak_memory(self) -> int:
        """The server process's peak resident memory so far, in bytes (VmHWM)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmHWM")

    def resident_memory(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")


@pytest.fixture
def start(mongodb_url: str, tmp_path: Path) -> Iterator:
    """`start(**settings)`: the real server with these settings, on a fresh database."""
    stack = contextlib.ExitStack()
    client = stack.enter_context(MongoClient(mongodb_url, tz_aware=True))

    def starter(prepare=None, **settings: str) -> Server:
        name = f"attack_{uuid.uuid4().hex[:8]}"
        if prepare is not None:
            prepare(client[name])
        env = clean_env(MONGODB_URL=mongodb_url, MONGODB_DATABASE=name, **settings)
        base, process = stack.enter_context(serve(env, tmp_path))
        wait_for(lambda: status(base) == 200, 60, process)
        stack.callback(client.drop_database, name)
        return Server(base, process, client[name], env, tmp_path)

    with stack:
        yield starter


def fullwidth(text: str) -> str:
    """`admin` -> U+FF41 U+FF44 ...: the look-alike an attacker would register."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def codes(bodies: list[dict]) -> Counter:
    return Counter(
        body["errors"][0]["extensions"]["code"] if body.get("errors") else "OK" for body in bodies
    )


# --- guessing passwords ---------------------------------------------------------------


async def test_100_concurrent_guesses_check_at_most_the_limit_whatever_the_identifier(start):
    server = start(
        LOGIN_MAX_FAILURES_PER_ACCOUNT="5",
        LOGIN_MAX_FAILURES_PER_ADDRESS="1000",  # only the account's limit applies here
        ARGON2_TIME_COST="3",
        ARGON2_MEMORY_COST_KIB="65536",  # the default cost: guesses are expensive
    )
    victim = await server.sign_up("victim", "victim@example.com")
    bystander = await server.sign_up("bystander")
    spellings = [
        "victim",
        "VICTIM",
        "Victim@Example.com",
        "victim@example.com",
        fullwidth("victim"),
    ]
    bodies = await asyncio.gather(
        *(
            server.call(LOGIN, {"u": spellings[n % len(spellings)], "p": f"wrong guess {n}"})
            for n in range(100)
        )
    )
    seen = codes(bodies)
    assert seen["UNAUTHENTICATED"] <= 5, seen  # at most the limit were checked
    assert seen["RATE_LIMITED"] >= 90, seen
    # No DB_TIMEOUT; SERVICE_BUSY (the hashing queue's deadline) checked nothing.
    assert set(seen) <= {"UNAUTHENTICATED", "RATE_LIMITED", "SERVICE_BUSY"}, seen
    limited = next(b for b in bodies if codes([b])["RATE_LIMITED"])
    assert limited["errors"][0]["extensions"]["retryAfterSeconds"] > 0
    # Guesses the hashing queue turned away (SERVICE_BUSY) were not counted: a patient
    # attacker still gets exactly the limit in all.
    checked = seen["UNAUTHENTICATED"]
    while codes([await server.call(LOGIN, {"u": "VICTIM", "p": "wrong again"})])["UNAUTHENTICATED"]:
        checked += 1
        assert checked <= 5
    assert checked == 5
    # The account is locked by every name, even for the right password...
    for name in ("victim", "victim@example.com", "VICTIM"):
        body = await server.call(LOGIN, {"u": name, "p": PASSWORD})
        assert codes([body]) == {"RATE_LIMITED": 1}, body
    # ...and only that account: the same address still signs others in.
    body = await server.call(LOGIN, {"u": "bystander", "p": PASSWORD})
    assert codes([body]) == {"OK": 1}, body
    stored = server.db.login_attempts.find_one({"key": f"account:{victim['user']['databaseId']}"})
    assert stored["failures"] <= 5
    assert bystander


@contextlib.contextmanager
def serve_workers(env: dict, cwd: Path, workers: int) -> Iterator[tuple[str, subprocess.Popen]]:
    """`graphql-api serve --workers N` (tests/servers.py's `serve` takes no arguments)."""
    port = free_port()
    argv = [sys.executable, "-m", "graphql_api.cli", "serve", "--port", str(port)]
    with (cwd / "workers.log").open("wb") as log:
        process = subprocess.Popen(
            [*argv, "--workers", str(workers)], cwd=cwd, env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # Each check is a new connection, which any worker may take: all must be ready.
        wait_for(lambda: all(status(base) == 200 for _ in range(4 * workers)), 60, process)
        yield base, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def test_the_limit_holds_across_worker_processes(mongodb_url, tmp_path):
    """Two uvicorn workers share nothing but MongoDB: the reservation is made there."""
    name = f"attack_{uuid.uuid4().hex[:8]}"
    env = clean_env(
        MONGODB_URL=mongodb_url, MONGODB_DATABASE=name, LOGIN_MAX_FAILURES_PER_ADDRESS="1000"
    )
    with serve_workers(env, tmp_path, 2) as (base, process), MongoClient(mongodb_url) as client:
        server = Server(base, process, client[name], env, tmp_path)
        await server.sign_up("shared", "shared@example.com")
        bodies = await asyncio.gather(
            *(
                server.call(LOGIN, {"u": ("shared", "SHARED@example.com")[n % 2], "p": "wrong"})
                for n in range(60)
            )
        )
        assert codes(bodies) == {"UNAUTHENTICATED": 5, "RATE_LIMITED": 55}
        client.drop_database(name)


async def test_a_right_password_does_not_grant_extra_guesses_to_a_concurrent_burst(start):
    server = start(LOGIN_MAX_FAILURES_PER_ACCOUNT="5", LOGIN_MAX_FAILURES_PER_ADDRESS="1000")
    await server.sign_up("steady", "steady@example.com")
    for _ in range(4):
        body = await server.call(LOGIN, {"u": "steady", "p": "wrong guess"})
        assert codes([body]) == {"UNAUTHENTICATED": 1}
    # A right password clears the counter (it proves knowledge of the password)...
    assert codes([await server.call(LOGIN, {"u": "STEADY", "p": PASSWORD})]) == {"OK": 1}
    bodies = await asyncio.gather(
        *(server.call(LOGIN, {"u": "steady@example.com", "p": "wrong"}) for _ in range(30))
    )
    # ...but then a burst gets exactly the limit again, not more.
    assert codes(bodies) == {"UNAUTHENTICATED": 5, "RATE_LIMITED": 25}


async def test_minted_forwarded_addresses_are_ignored_without_trusted_proxies(start):
    server = start(LOGIN_MAX_FAILURES_PER_ADDRESS="10")
    bodies = await asyncio.gather(
        *(
            server.call(
                LOGIN,
                {"u": f"sprayed{n}", "p": "wrong guess"},
                **{"x-forwarded-for": f"10.0.{n}.1", "forwarded": f"for=10.1.{n}.1"},
            )
            for n in range(60)
        )
    )
    # All come from 127.0.0.1, whatever they claim: at most 10 are checked.
    assert codes(bodies) == {"UNAUTHENTICATED": 10, "RATE_LIMITED": 50}


async def test_forwarded_addresses_are_honoured_from_a_trusted_proxy(start):
    server = start(LOGIN_MAX_FAILURES_PER_ADDRESS="10", TRUSTED_PROXIES="127.0.0.1,::1")
    bodies = await asyncio.gather(
        *(
            server.call(
                LOGIN, {"u": f"sprayed{n}", "p": "wrong"}, **{"x-forwarded-for": f"10.0.{n}.1"}
            )
            for n in range(60)
        )
    )
    assert codes(bodies) == {"UNAUTHENTICATED": 60}  # 60 clients behind the proxy
    # One client behind the proxy is still limited, even if it prepends made-up hops:
    # the right-most untrusted address is the one the proxy saw.
    bodies = [
        await server.call(
            LOGIN,
            {"u": f"again{n}", "p": "wrong"},
            **{"x-forwarded-for": f"192.0.2.{n}, 10.9.9.9"},
        )
        for n in range(12)
    ]
    assert codes(bodies) == {"UNAUTHENTICATED": 10, "RATE_LIMITED": 2}


@pytest.mark.parametrize(
    ("peer", "header", "trusted", "expected"),
    [
        ("203.0.113.7", "10.0.0.1", [], "203.0.113.7"),
        ("203.0.113.7", "10.0.0.1", ["10.0.0.0/8"], "203.0.113.7"),  # peer is no proxy
        ("10.0.0.2", "198.51.100.1, 10.0.0.1", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.2", "10.0.0.3", ["10.0.0.0/8"], "10.0.0.3"),  # all trusted: the first
        ("10.0.0.2", "not-an-ip, 10.0.0.9", ["10.0.0.0/8"], "10.0.0.9"),
        ("10.0.0.2", "[2001:db8::1]:443", ["10.0.0.0/8"], "2001:db8::1"),
        ("::1", "198.51.100.1:8080", ["::1"], "198.51.100.1"),
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),
    ],
)
def test_client_address_takes_the_right_most_untrusted_hop(peer, header, trusted, expected):
    headers = Headers(headers={"x-forwarded-for": header} if header else {})
    assert client_address(peer, headers, trusted) == expected


# --- look-alike usernames --------------------------------------------------------------


def legacy_users(db) -> None:
    """Users written before `username_key` existed, two of them look-alikes."""
    for n, name in enumerate(["olduser", "Twin", "twin"]):
        db.users.insert_one(
            {
                "_id": ObjectId.from_datetime(datetime(2020, 1, 1 + n, tzinfo=UTC)),
                "username": name,
                "email": f"{name.lower()}{n}@example.com",
                "password_hash": "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$notarealhash",
                "roles": ["user"],
                "is_active": True,
                "credits": 0,
            }
        )


async def test_usernames_are_unique_ignoring_case_and_look_alikes(start):
    server = start(prepare=legacy_users)
    await server.sign_up("admin", "admin@example.com")
    for name in ("Admin", "ADMIN", fullwidth("admin"), fullwidth("Admin"), "OLDUSER", "twin"):
        body = await server.call(
            SIGN_UP, {"u": name, "e": f"{uuid.uuid4().hex}@x.com", "p": PASSWORD}
        )
        assert codes([body]) == {"CONFLICT": 1}, (name, body)
        assert body["errors"][0]["extensions"]["field"] == "username"
    # What NFKC leaves looking like `admin`: the same key, or refused as input.
    for name in ("adm\u0131n", "ADM\u0130N"):  # dotless i, dotted capital I
        body = await server.call(
            SIGN_UP, {"u": name, "e": f"{uuid.uuid4().hex}@x.com", "p": PASSWORD}
        )
        assert codes([body]) == {"CONFLICT": 1}, (name, body)
    for name in ("ad\u200dmin", "adm\u200bin", "\u0430dmin", "admi\u043f"):  # ZWJ, ZWSP, Cyrillic
        body = await server.call(
            SIGN_UP, {"u": name, "e": f"{uuid.uuid4().hex}@x.com", "p": PASSWORD}
        )
        assert codes([body]) == {"BAD_USER_INPUT": 1}, (name, body)
    # Concurrent look-alike sign-ups: one account.
    bodies = await asyncio.gather(
        *(
            server.call(SIGN_UP, {"u": name, "e": f"{n}@race.com", "p": PASSWORD})
            for n, name in enumerate(["racer", "Racer", "RACER", fullwidth("racer")] * 3)
        )
    )
    assert codes(bodies) == {"OK": 1, "CONFLICT": 11}
    assert server.db.users.count_documents({"username_key": "racer"}) == 1
    # Every spelling signs in to the one account.
    for name in ("Admin", fullwidth("admin"), "ADMIN@example.com"):
        assert codes([await server.call(LOGIN, {"u": name, "p": PASSWORD})]) == {"OK": 1}
    # Renaming into a look-alike is refused too.
    other = await server.sign_up("someone")
    body = await server.call(
        'mutation { updateProfile(input: {username: "aDmIn"}) { username } }', token=other["token"]
    )
    assert codes([body]) == {"CONFLICT": 1}
    # The legacy documents were given keys at startup; the younger look-alike a distinct one.
    keys = {doc["username"]: doc["username_key"] for doc in server.db.users.find()}
    assert keys["olduser"] == "olduser"
    assert keys["Twin"] == "twin"
    assert keys["twin"].startswith("twin#")
    assert "username_key_unique" in server.db.users.index_information()


# --- the last administrator ------------------------------------------------------------


async def test_the_last_active_admin_cannot_be_deactivated_or_demoted(start):
    server = start()
    boss = await server.sign_up("boss")
    assert server.cli("promote", "boss").returncode == 0
    body = await server.call(DEACTIVATE, {"id": boss["user"]["id"]}, token=boss["token"])
    assert codes([body]) == {"LAST_ADMIN": 1}, body
    revoke = server.cli("promote", "BOSS", "--revoke")
    assert revoke.returncode == 1
    assert "last active administrator" in revoke.stderr
    stored = server.db.users.find_one({"username": "boss"})
    assert stored["is_active"] is True
    assert "admin" in stored["roles"]
    # With a second admin, either may go.
    await server.sign_up("deputy")
    assert server.cli("promote", "deputy").returncode == 0
    assert server.cli("promote", "boss", "--revoke").returncode == 0
    assert server.cli("promote", "deputy", "--revoke").returncode == 1


async def test_two_admins_deactivating_each_other_at_once_leave_one(start):
    server = start()
    admins = [await server.sign_up(name) for name in ("ann", "ben", "cat")]
    ids = [ObjectId(a["user"]["databaseId"]) for a in admins]
    for _ in range(6):
        server.db.users.update_many(
            {"_id": {"$in": ids}}, {"$set": {"is_active": True, "roles": ["user", "admin"]}}
        )
        tokens = []
        for admin in admins:
            body = await server.call(LOGIN, {"u": admin["email"], "p": PASSWORD})
            tokens.append(body["data"]["login"]["token"])
        # Each deactivates the next one, and the third deactivates itself.
        bodies = await asyncio.gather(
            server.call(DEACTIVATE, {"id": admins[1]["user"]["id"]}, token=tokens[0]),
            server.call(DEACTIVATE, {"id": admins[0]["user"]["id"]}, token=tokens[1]),
            server.call(DEACTIVATE, {"id": admins[2]["user"]["id"]}, token=tokens[2]),
        )
        seen = codes(bodies)
        active = server.db.users.count_documents({"_id": {"$in": ids}, "is_active": True})
        assert active >= 1, seen
        assert set(seen) <= {"OK", "LAST_ADMIN", "UNAUTHENTICATED"}, bodies
        # Somebody was refused: as the last admin, or because they had just been deactivated.
        assert seen["LAST_ADMIN"] + seen["UNAUTHENTICATED"] >= 1, seen
        assert seen["OK"] == 3 - active  # every success is real, every refusal changed nothing


# --- hashing floods: changePassword, sign-up ------------------------------------------


async def test_30_concurrent_wrong_current_passwords_are_throttled_quickly(start):
    server = start(
        LOGIN_MAX_FAILURES_PER_ACCOUNT="5",
        LOGIN_MAX_FAILURES_PER_ADDRESS="1000",
        ARGON2_TIME_COST="3",
        ARGON2_MEMORY_COST_KIB="65536",
    )
    user = await server.sign_up("changer", "changer@example.com")
    started = time.monotonic()
    bodies = await asyncio.gather(
        *(
            server.call(CHANGE, {"c": f"wrong {n}", "n": "a new passphrase"}, token=user["token"])
            for n in range(30)
        )
    )
    elapsed = time.monotonic() - started
    seen = codes(bodies)
    assert seen["BAD_USER_INPUT"] <= 5, seen
    assert seen["RATE_LIMITED"] >= 25, seen
    assert set(seen) <= {"BAD_USER_INPUT", "RATE_LIMITED", "SERVICE_BUSY"}, seen
    assert elapsed < 5, elapsed
    checked = seen["BAD_USER_INPUT"]  # SERVICE_BUSY ones were not counted: top up
    while codes([await server.call(CHANGE, {"c": "wrong", "n": "x" * 8}, token=user["token"])])[
        "BAD_USER_INPUT"
    ]:
        checked += 1
        assert checked <= 5
    assert checked == 5
    # The same counter as login's: the account's password can't be guessed there either.
    body = await server.call(LOGIN, {"u": "changer", "p": PASSWORD})
    assert codes([body]) == {"RATE_LIMITED": 1}


async def test_a_flood_of_password_changes_is_bounded_in_memory_and_latency(start):
    server = start(
        ARGON2_TIME_COST="3",
        ARGON2_MEMORY_COST_KIB="65536",
        PASSWORD_HASH_CONCURRENCY="2",
        PASSWORD_HASH_QUEUE_TIMEOUT_S="1",
        LOGIN_MAX_FAILURES_PER_ADDRESS="1000",
    )
    users = [await server.sign_up(f"flood{n}") for n in range(30)]
    before = server.resident_memory()
    started = time.monotonic()

    async def change(user: dict) -> tuple[dict, float]:
        body = await server.call(CHANGE, {"c": PASSWORD, "n": "another passphrase"}, user["token"])
        return body, time.monotonic() - started

    results = await asyncio.gather(*(change(user) for user in users))
    growth = server.peak_memory() - before
    seen = codes([body for body, _ in results])
    assert set(seen) <= {"OK", "SERVICE_BUSY"}, seen
    assert seen["OK"] >= 2, seen
    busy = next((body for body, _ in results if codes([body])["SERVICE_BUSY"]), None)
    if busy is not None:
        assert busy["errors"][0]["extensions"]["retryAfterSeconds"] >= 1
    # At most 2 Argon2 computations (64 MiB each) at once, plus slack.
    assert growth < 3 * 64 * MIB, growth / MIB
    assert max(latency for _, latency in results) < 6
    # Every answer is true: changed passwords work, refused ones did not change.
    for user, (body, _) in zip(users, results, strict=True):
        new = "another passphrase" if codes([body])["OK"] else PASSWORD
        login = await server.call(LOGIN, {"u": user["email"], "p": new})
        assert codes([login]) == {"OK": 1}, (body, login)


async def test_sign_up_never_fails_after_creating_the_account(start):
    server = start(
        LOGIN_MAX_FAILURES_PER_ADDRESS="3",
        ARGON2_TIME_COST="3",
        ARGON2_MEMORY_COST_KIB="65536",
        PASSWORD_HASH_QUEUE_TIMEOUT_S="0.5",
    )
    # This address has used up its failed sign-ins: signing up is still no sign-in guess.
    for n in range(4):
        await server.call(LOGIN, {"u": f"nobody{n}", "p": "wrong guess"})
    body = await server.call(SIGN_UP, {"u": "newcomer", "e": "new@example.com", "p": PASSWORD})
    assert codes([body]) == {"OK": 1}, body
    me = await server.call("{ me { username } }", token=body["data"]["signUp"]["token"])
    assert me["data"]["me"] == {"username": "newcomer"}
    # A failing field inside the answer can't hide that the account was made: the token stays.
    body = await server.call(
        'mutation { signUp(input: {username: "nested", email: "nested@example.com", '
        f'password: "{PASSWORD}"}}) {{ token user {{ posts(first: -5) {{ totalCount }} }} }} }}'
    )
    assert body["errors"][0]["path"] == ["signUp", "user", "posts"]
    assert body["data"]["signUp"]["user"] is None
    me = await server.call("{ me { username } }", token=body["data"]["signUp"]["token"])
    assert me["data"]["me"] == {"username": "nested"}
    # A flood of sign-ups: each answer is the truth about its account.
    bodies = await asyncio.gather(
        *(
            server.call(SIGN_UP, {"u": f"crowd{n}", "e": f"crowd{n}@example.com", "p": PASSWORD})
            for n in range(25)
        )
    )
    seen = codes(bodies)
    assert set(seen) <= {"OK", "SERVICE_BUSY"}, seen
    for n, body in enumerate(bodies):
        exists = server.db.users.count_documents({"username": f"crowd{n}"}) == 1
        assert exists == (codes([body]) == {"OK": 1}), body
