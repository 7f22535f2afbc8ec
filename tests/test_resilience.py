"""The database goes away and comes back while the real server runs; shutdown is graceful."""

import signal
import threading
import time

import httpx

from graphql_api.embedded import EmbeddedMongo, free_port
from tests.servers import clean_env, exit_code, graphql, serve, status, wait_for

SIGN_UP = (
    'mutation { signUp(input: {username: "steady", email: "steady@example.com", '
    'password: "a long passphrase"}) { token } }'
)
ME = "{ me { username } }"


def test_database_restart_during_service(tmp_path):
    port = free_port()
    database = EmbeddedMongo(tmp_path / "mongo", port=port)
    database.start()
    env = clean_env(
        MONGODB_URL=database.url,
        MONGODB_DATABASE="resilience",
        MONGODB_SERVER_SELECTION_TIMEOUT_MS="1500",
        HEALTH_TIMEOUT_S="0.5",
    )
    try:
        with serve(env, tmp_path) as (base, process):
            wait_for(lambda: status(base) == 200, 30, process)
            token = graphql(base, SIGN_UP)["data"]["signUp"]["token"]

            database.stop()
            assert status(base) == 503
            started = time.monotonic()
            body = graphql(base, ME, token=token)
            assert body["errors"][0]["extensions"]["code"] == "DB_UNAVAILABLE"
            assert time.monotonic() - started < 5  # fails fast
            assert "pymongo" not in str(body).lower()

            database.start()  # same folder, same port
            wait_for(lambda: status(base) == 200, 30, process)
            assert graphql(base, ME, token=token)["data"]["me"]["username"] == "steady"

            # Graceful shutdown: a request in flight gets its answer before the exit.
            database.stop()
            answers: list[httpx.Response] = []
            request = threading.Thread(
                target=lambda: answers.append(
                    httpx.post(
                        f"{base}/graphql",
                        json={"query": ME},
                        headers={"authorization": f"Bearer {token}"},
                        timeout=30,
                    )
                )
            )
            request.start()
            time.sleep(0.3)
            process.send_signal(signal.SIGTERM)
            request.join(30)
            assert answers and answers[0].status_code == 200
            assert answers[0].json()["errors"][0]["extensions"]["code"] == "DB_UNAVAILABLE"
            assert exit_code(process, 30) == 0
    finally:
        database.stop()


def test_a_frozen_database_does_not_keep_the_server_from_exiting(tmp_path):
    """SIGSTOP freezes the database as a network partition would: connections are
    accepted and never answered. A request in flight, the change streams and the
    client's close all wait on it; SIGTERM must still end the server in bounded time."""
    database = EmbeddedMongo(tmp_path / "mongo", port=free_port())
    database.start()
    env = clean_env(
        MONGODB_URL=database.url,
        MONGODB_DATABASE="frozen",
        REQUEST_TIMEOUT_S="30",  # the request would outlive the shutdown
        SHUTDOWN_TIMEOUT_S="2",
    )
    try:
        with serve(env, tmp_path) as (base, process):
            wait_for(lambda: status(base) == 200, 30, process)
            token = graphql(base, SIGN_UP)["data"]["signUp"]["token"]
            database.process.send_signal(signal.SIGSTOP)
            request = threading.Thread(
                target=lambda: httpx.post(
                    f"{base}/graphql",
                    json={"query": ME},
                    headers={"authorization": f"Bearer {token}"},
                    timeout=60,
                ),
                daemon=True,
            )
            request.start()
            time.sleep(0.5)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            exit_code(process, 20)
            assert time.monotonic() - started < 15  # 2 s for requests, 2 s per resource
            assert "left behind" in process.log_path.read_text()
    finally:
        if database.process is not None:
            database.process.send_signal(signal.SIGCONT)
        database.stop()
