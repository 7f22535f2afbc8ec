"""Pulling the plug: SIGKILL the embedded database under a concurrent write load.

The real `graphql-api serve` runs with its embedded (durable) server. Client
threads create posts, each with its own idempotency key, and retry with the
same key whenever the answer is DB_UNAVAILABLE, DB_TIMEOUT or
WRITE_OUTCOME_UNKNOWN. The database process is killed twice mid-load; `serve`
must bring it back by itself, and afterwards every acknowledged post is found
exactly once and no post exists twice.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from pymongo import MongoClient

from tests.servers import clean_env, serve, status, wait_for

WRITERS = 4
LOAD_SECONDS = 15
KILLS_AT = (4.0, 10.0)  # seconds into the load
RETRYABLE = {"DB_UNAVAILABLE", "DB_TIMEOUT", "WRITE_OUTCOME_UNKNOWN"}

SIGN_UP = "mutation($input: SignUpInput!) { signUp(input: $input) { token } }"
CREATE_POST = (
    "mutation($input: CreatePostInput!, $key: String) "
    "{ createPost(input: $input, idempotencyKey: $key) { id title } }"
)


def database_pid(serve_pid: int) -> int | None:
    """The running `secantusd-py` child of `serve`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        state = stat.rsplit(")", 1)[1].split()[0]
        if parent == serve_pid and b"secantusd" in cmdline and state != "Z":
            return int(entry.name)
    return None


def restarts(base: str) -> int | None:
    return health(base).get("embedded", {}).get("restarts")


def health(base: str) -> dict:
    try:
        return httpx.get(f"{base}/health", timeout=5).json()
    except (httpx.TransportError, ValueError):
        return {}


class Writer(threading.Thread):
    """Creates posts until told to stop; retries each with its key until it is acknowledged."""

    def __init__(self, base: str, token: str, name: str, stop: threading.Event) -> None:
        super().__init__(name=name, daemon=True)
        self.base, self.token, self.stop = base, token, stop
        self.acknowledged: list[str] = []
        self.attempted: list[str] = []
        self.retries: Counter[str] = Counter()
        self.abandoned: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.load()
        except BaseException as error:  # reported by the test, not lost with the thread
            self.error = error

    def load(self) -> None:
        with httpx.Client(
            base_url=self.base, headers={"authorization": f"Bearer {self.token}"}, timeout=30
        ) as http:
            n = 0
            while not self.stop.is_set():
                n += 1
                title = f"{self.name}-{n}"
                self.attempted.append(title)
                self.write(http, title, str(uuid.uuid4()))

    def write(self, http: httpx.Client, title: str, key: str) -> None:
        variables = {"input": {"title": title, "content": "chaos"}, "key": key}
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            try:
                body = http.post("/graphql", json={"query": CREATE_POST, "variables": variables})
                body = body.json()
            except (httpx.TransportError, ValueError):
                self.retries["TRANSPORT"] += 1
                time.sleep(0.2)
                continue
            if not body.get("errors"):
                assert body["data"]["createPost"]["title"] == title
                self.acknowledged.append(title)
                return
            code = body["errors"][0]["extensions"]["code"]
            assert code in RETRYABLE, body
            self.retries[code] += 1
            time.sleep(0.2)
        self.abandoned.append(title)


def test_acknowledged_writes_survive_sigkill_of_the_database(tmp_path):
    data_dir = tmp_path / "data"
    env = clean_env(
        EMBEDDED_DATA_DIR=str(data_dir),
        MONGODB_DATABASE="chaos",
        # Short deadlines, so that clients do see the outage (and must retry).
        MONGODB_SERVER_SELECTION_TIMEOUT_MS="500",
        MONGODB_HEARTBEAT_FREQUENCY_MS="500",
        REQUEST_TIMEOUT_S="1",
        HEALTH_TIMEOUT_S="1",
        EMBEDDED_RESTART_MAX_BACKOFF_S="2",
        LOG_LEVEL="WARNING",
    )
    with serve(env, tmp_path) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        assert health(base)["embedded"]["restarts"] == 0
        tokens = []
        for i in range(WRITERS):
            body = httpx.post(
                f"{base}/graphql",
                json={
                    "query": SIGN_UP,
                    "variables": {
                        "input": {
                            "username": f"writer{i}",
                            "email": f"writer{i}@example.com",
                            "password": "a long passphrase",
                        }
                    },
                },
                timeout=30,
            ).json()
            tokens.append(body["data"]["signUp"]["token"])

        stop = threading.Event()
        writers = [Writer(base, token, f"w{i}", stop) for i, token in enumerate(tokens)]
        started = time.monotonic()
        for writer in writers:
            writer.start()
        killed = []
        for at in KILLS_AT:
            time.sleep(max(0.0, started + at - time.monotonic()))
            pid = database_pid(process.pid)
            assert pid is not None, "no database process under serve"
            os.kill(pid, signal.SIGKILL)
            killed.append((pid, sum(len(w.acknowledged) for w in writers)))
            # `serve` restarts it on its own; the app recovers without a restart.
            wait_for(lambda: restarts(base) == len(killed), 60)
            wait_for(lambda: status(base) == 200, 60, process)
        time.sleep(max(0.0, started + LOAD_SECONDS - time.monotonic()))
        stop.set()
        for writer in writers:
            writer.join(90)
            assert not writer.is_alive()
            assert writer.error is None, repr(writer.error)

        assert process.poll() is None  # the app never restarted
        final = health(base)
        assert final["status"] == "ok" and final["embedded"]["state"] == "up", final
        assert final["embedded"]["restarts"] == len(KILLS_AT)
        assert final["embedded"]["last_exit_code"] == -signal.SIGKILL

        url = (data_dir / "url").read_text().strip()
        with MongoClient(url, serverSelectionTimeoutMS=5000) as client:
            found = Counter(
                post["title"] for post in client.chaos.posts.find({}, {"title": 1, "_id": 0})
            )

    acknowledged = [title for w in writers for title in w.acknowledged]
    abandoned = [title for w in writers for title in w.abandoned]
    retries = sum((w.retries for w in writers), Counter())
    lost = [title for title in acknowledged if found[title] == 0]
    duplicated = {title: n for title, n in found.items() if n > 1}
    figures = (
        f"chaos: {len(acknowledged)} writes acknowledged, "
        f"{sum(1 for t in acknowledged if found[t] == 1)} found exactly once, "
        f"{len(lost)} lost, {len(duplicated)} duplicated, "
        f"{len(abandoned)} abandoned, kills at {killed} (pid, acknowledged so far), "
        f"retries by code {dict(retries)}"
    )
    print(figures)
    assert len(acknowledged) > 50, figures  # the load really ran
    assert sum(retries.values()) > 0, figures  # and really met the outage
    assert not lost, figures
    assert not duplicated, figures
    assert not abandoned, figures
    # Nothing appeared that no client asked for.
    assert set(found) <= {title for w in writers for title in w.attempted}, figures
