"""The real command, as a user runs it: `graphql-api serve`, over real HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from graphql_api.embedded import EmbeddedMongo, free_port
from tests.servers import clean_env, graphql, serve, status, wait_for

SIGN_UP = (
    'mutation { signUp(input: {username: "first", email: "first@example.com", '
    'password: "first password"}) { token user { id } } }'
)
LOGIN = (
    'mutation { login(input: {username: "first", password: "first password"}) '
    "{ token user { username } } }"
)
ME = "{ me { username } }"
# Public, and read from the database (`users` is for admins: refused before any query).
COUNT = "{ products { totalCount } }"


def processes_using(path: Path) -> list[str]:
    result = subprocess.run(["pgrep", "-f", str(path)], capture_output=True, text=True, check=False)
    return result.stdout.split()


def test_serve_starts_the_embedded_database_keeps_data_and_stops_it(tmp_path):
    data_dir = tmp_path / "data"
    env = clean_env(EMBEDDED_DATA_DIR=str(data_dir), MONGODB_DATABASE="serve_test")

    with serve(env, tmp_path) as (base, process):
        wait_for(lambda: status(base) == 200, 30, process)
        signed_up = graphql(base, SIGN_UP)["data"]["signUp"]
        assert "id" in signed_up["user"]
        assert graphql(base, ME, token=signed_up["token"])["data"]["me"] == {"username": "first"}
        page = httpx.get(f"{base}/graphql", headers={"accept": "text/html"}, timeout=10)
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()
        assert processes_using(data_dir)  # the embedded server runs
    assert process.returncode == 0
    wait_for(lambda: not processes_using(data_dir), 15)  # ...and was stopped with us

    with serve(env, tmp_path) as (base, process):
        wait_for(lambda: status(base) == 200, 30, process)
        # Data survived: the session signUp started, and the account (password included).
        assert graphql(base, ME, token=signed_up["token"])["data"]["me"] == {"username": "first"}
        logged_in = graphql(base, LOGIN)["data"]["login"]
        assert logged_in["user"] == {"username": "first"}
        assert graphql(base, ME, token=logged_in["token"])["data"]["me"] == {"username": "first"}


def test_app_starts_without_database_and_recovers_when_it_appears(tmp_path):
    mongo_port = free_port()
    env = clean_env(
        MONGODB_URL=f"mongodb://127.0.0.1:{mongo_port}/?directConnection=true",
        MONGODB_DATABASE="recovery_test",
        MONGODB_SERVER_SELECTION_TIMEOUT_MS="500",
        HEALTH_TIMEOUT_S="0.5",
    )
    with serve(env, tmp_path) as (base, process):
        assert status(base) == 503
        started = time.monotonic()
        body = graphql(base, COUNT)
        assert body["errors"][0]["extensions"]["code"] == "DB_UNAVAILABLE"
        assert time.monotonic() - started < 5  # fails fast, does not hang
        # ...also when the fields come through a named fragment (not mistaken for
        # introspection), while a fragment of introspection fields still runs.
        started = time.monotonic()
        body = graphql(base, "query { ...F } fragment F on Query { " + COUNT[1:-1] + " }")
        assert body["errors"][0]["extensions"]["code"] == "DB_UNAVAILABLE"
        assert time.monotonic() - started < 5
        assert graphql(base, "query { ...F } fragment F on Query { __typename }")["data"]
        # A session that cannot be looked up is an outage, not a signed-out client.
        body = graphql(base, ME, token="some-token")
        assert body["errors"][0]["extensions"]["code"] == "DB_UNAVAILABLE"
        # The schema can still be explored while the database is down.
        assert graphql(base, "{ __schema { queryType { name } } }")["data"]

        with EmbeddedMongo(tmp_path / "mongo", port=mongo_port):
            wait_for(lambda: status(base) == 200, 30, process)
            assert graphql(base, COUNT)["data"]["products"]["totalCount"] == 0
            body = graphql(base, SIGN_UP)
            assert "errors" not in body
            assert graphql(base, ME, token=body["data"]["signUp"]["token"])["data"]["me"] == {
                "username": "first"
            }


def test_promote_makes_an_administrator_through_the_running_server(tmp_path):
    data_dir = tmp_path / "data"
    env = clean_env(EMBEDDED_DATA_DIR=str(data_dir), MONGODB_DATABASE="promote_test")
    with serve(env, tmp_path) as (base, process):
        wait_for(lambda: status(base) == 200, 30, process)
        body = graphql(
            base,
            'mutation { signUp(input: {username: "boss", email: "boss@example.com", '
            'password: "a long passphrase"}) { token } }',
        )
        token = body["data"]["signUp"]["token"]
        promote = subprocess.run(
            [sys.executable, "-m", "graphql_api.cli", "promote", "boss"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert promote.returncode == 0, promote.stderr
        response = httpx.post(
            f"{base}/graphql",
            json={"query": "{ me { roles } users { totalCount } }"},
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert response.json()["data"] == {
            "me": {"roles": ["USER", "ADMIN"]},
            "users": {"totalCount": 1},
        }
        missing = subprocess.run(
            [sys.executable, "-m", "graphql_api.cli", "promote", "nobody"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert missing.returncode == 1
        assert "No user named" in missing.stderr
