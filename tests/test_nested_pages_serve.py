"""Each parent's nested page is its own, on the real `graphql-api serve` under a burst.

A plan serves `users { posts }` from one aggregation: every user's page comes
back inside the users' page and is handed to its user by id
(graphql_api.execution.connections: `relation_field`). A page handed to the
wrong user, in the wrong order or with a neighbour's count would still be
well-formed JSON, so this checks what only the right page satisfies: every
post's title names its author and its place in the author's sequence. Reader
threads send differently shaped operations (aliases, sorts, sizes, last,
hostile arguments) while writers add posts, all at once over real sockets.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter

import httpx
from pymongo import MongoClient

from tests.servers import clean_env, graphql, serve, sign_up, status, wait_for

AUTHORS = 6
READERS = 8
READS_EACH = 40
DEFAULT_PAGE_SIZE = 20  # the setting's default

CREATE_POST = "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }"
LOGIN = (
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"
)


def nested(rng: random.Random) -> tuple[str, dict]:
    """A users > posts operation of a random shape, and the arguments of each alias."""
    shapes = {}
    parts = []
    for alias in rng.sample(["a", "b", "c"], rng.randint(1, 3)):
        paging = rng.choice([f"first: {rng.randint(0, 6)}", f"last: {rng.randint(1, 4)}", ""])
        sort = rng.choice(["NEWEST_FIRST", "OLDEST_FIRST"])
        shapes[alias] = (paging, sort)
        arguments = ", ".join(item for item in (paging, f"sort: {sort}") if item)
        parts.append(
            f"{alias}: posts({arguments}) {{ totalCount pageInfo {{ hasNextPage }} "
            "edges { cursor node { title author { username } } } }"
        )
    query = (
        f"{{ users(first: {rng.randint(1, AUTHORS + 1)}) {{ edges {{ node {{ username "
        + " ".join(parts)
        + " } } } }"
    )
    return query, shapes


def check(user: dict, alias: str, shape: tuple[str, str]) -> None:
    """Only this user's posts, in the asked order, a page of the asked size."""
    name, page = user["username"], user[alias]
    paging, sort = shape
    titles = [edge["node"]["title"] for edge in page["edges"]]
    assert all(edge["node"]["author"]["username"] == name for edge in page["edges"]), user
    assert all(title.startswith(f"{name}-") for title in titles), user
    numbers = [int(title.rsplit("-", 1)[1]) for title in titles]
    assert numbers == sorted(numbers, reverse=sort == "NEWEST_FIRST"), user
    assert len(set(numbers)) == len(numbers), user
    size = int(paging.split(": ")[1]) if paging else DEFAULT_PAGE_SIZE
    assert len(titles) <= size, user


def test_nested_pages_go_to_their_parents_under_a_burst(mongodb_url, tmp_path):
    database = f"graphql_api_nested_{uuid.uuid4().hex[:8]}"
    env = clean_env(
        MONGODB_URL=mongodb_url,
        MONGODB_DATABASE=database,
        LOG_LEVEL="WARNING",
        COST_BUDGET_CAPACITY="100000000",  # one admin token for every reader: no RATE_LIMITED
    )
    with serve(env, tmp_path) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        authors = [sign_up(base, f"author{i}") for i in range(AUTHORS)]
        sign_up(base, "reader")
        with MongoClient(mongodb_url) as client:
            client[database].users.update_one(
                {"username": "reader"}, {"$set": {"roles": ["user", "admin"]}}
            )
        login = graphql(base, LOGIN, {"u": "reader", "p": "a long passphrase"})
        admin = login["data"]["login"]["token"]
        sequence = Counter()

        def publish(author: dict, http: httpx.Client) -> None:
            sequence[author["name"]] += 1
            title = f"{author['name']}-{sequence[author['name']]:04d}"
            body = http.post(
                "/graphql",
                json={
                    "query": CREATE_POST,
                    "variables": {"input": {"title": title, "content": "x", "published": True}},
                },
                headers={"authorization": f"Bearer {author['token']}"},
            ).json()
            assert not body.get("errors"), body

        with httpx.Client(base_url=base, timeout=30) as http:
            for author in authors:
                for _ in range(random.Random(author["name"]).randint(0, 8)):
                    publish(author, http)

        failures: list[BaseException] = []
        answered = Counter()
        stop = threading.Event()

        def read(seed: int) -> None:
            rng = random.Random(seed)
            try:
                with httpx.Client(
                    base_url=base, timeout=30, headers={"authorization": f"Bearer {admin}"}
                ) as http:
                    for _ in range(READS_EACH):
                        if rng.random() < 0.1:  # hostile paging: a coded error, not a crash
                            bad = rng.choice(["first: -1", 'after: "garbage"', "first: 100000"])
                            query = (
                                "{ users(first: 3) { edges { node { username "
                                f"posts({bad}) {{ edges {{ node {{ title }} }} }} }} }} }} }}"
                            )
                            body = http.post("/graphql", json={"query": query}).json()
                            codes = {e["extensions"]["code"] for e in body["errors"]}
                            assert codes == {"BAD_USER_INPUT"}, body
                            answered["refused"] += 1
                            continue
                        query, shapes = nested(rng)
                        response = http.post("/graphql", json={"query": query})
                        assert response.status_code == 200, response.text
                        body = response.json()
                        assert not body.get("errors"), (query, body)
                        for edge in body["data"]["users"]["edges"]:
                            for alias, shape in shapes.items():
                                check(edge["node"], alias, shape)
                        answered["checked"] += 1
            except BaseException as error:  # reported by the test, not lost with the thread
                failures.append(error)

        def write() -> None:
            rng = random.Random(7)
            try:
                with httpx.Client(base_url=base, timeout=30) as http:
                    while not stop.is_set():
                        publish(rng.choice(authors), http)
            except BaseException as error:
                failures.append(error)

        writer = threading.Thread(target=write, daemon=True)
        readers = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(READERS)]
        writer.start()
        for thread in readers:
            thread.start()
        for thread in readers:
            thread.join(240)
        stop.set()
        writer.join(60)
        assert not failures, failures[0]
        assert answered["checked"] > READERS * READS_EACH // 2, answered
        assert process.poll() is None
        log = process.log_path.read_text(errors="replace")  # type: ignore[attr-defined]
        assert '"level":"ERROR"' not in log, log[-3000:]
        assert sum(sequence.values()) > AUTHORS * 2  # the writer wrote while they read
