"""Benchmark: the same query sent as text, as an APQ hash (POST), and as a hash over GET.

    python -m benchmarks.persisted [--requests 300] [--concurrency 8]

Starts the embedded database and the real `graphql-api serve`, registers the query once,
then sends it each way, interleaved in rounds so all three see the same load. Prints the
request bytes and requests per second of each, relative to sending the text.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from graphql_api.persisted import document_hash
from tests.servers import clean_env, serve, status, wait_for

QUERY = (Path(__file__).resolve().parent.parent / "examples" / "feed.graphql").read_text()
QUERY = QUERY[QUERY.index("query Feed") : QUERY.index("# Live updates")].strip()
HASH = {"persistedQuery": {"version": 1, "sha256Hash": document_hash(QUERY)}}
PREFLIGHT = {"apollo-require-preflight": "true"}


def requests(url: str) -> dict[str, httpx.Request]:
    variables = {"first": 10}
    return {
        "text (POST)": httpx.Request(
            "POST", url, json={"query": QUERY, "variables": variables, "operationName": "Feed"}
        ),
        "APQ hash (POST)": httpx.Request(
            "POST", url, json={"extensions": HASH, "variables": variables, "operationName": "Feed"}
        ),
        "APQ hash (GET)": httpx.Request(
            "GET",
            url,
            params={
                "extensions": json.dumps(HASH),
                "variables": json.dumps(variables),
                "operationName": "Feed",
            },
            headers=PREFLIGHT,
        ),
    }


def wire_bytes(request: httpx.Request) -> int:
    return len(str(request.url.raw_path, "ascii")) + len(request.content)


async def measure(url: str, total: int, concurrency: int, rounds: int = 5) -> dict[str, float]:
    rates: dict[str, list[float]] = {name: [] for name in requests(url)}
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(rounds):
            for name, template in requests(url).items():
                started = time.perf_counter()

                async def worker(count: int, template: httpx.Request = template) -> None:
                    for _ in range(count):
                        response = await client.send(
                            client.build_request(
                                template.method,
                                template.url,
                                content=template.content,
                                headers=template.headers,
                            )
                        )
                        assert "errors" not in response.json(), response.text

                share = total // rounds // concurrency
                await asyncio.gather(*(worker(share) for _ in range(concurrency)))
                rates[name].append(share * concurrency / (time.perf_counter() - started))
    return {name: statistics.median(values) for name, values in rates.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = clean_env(EMBEDDED_DATA_DIR=f"{folder}/data", LOG_LEVEL="WARNING")
        with serve(env, Path(folder)) as (base, process):
            wait_for(lambda: status(base) == 200, 60, process)
            url = f"{base}/graphql"
            token = httpx.post(
                url,
                json={
                    "query": 'mutation { signUp(input: {username: "bench", email: '
                    '"bench@example.com", password: "a long passphrase"}) { token } }'
                },
            ).json()["data"]["signUp"]["token"]
            for index in range(10):
                httpx.post(
                    url,
                    json={
                        "query": "mutation($t: String!) { createPost(input: {title: $t, "
                        'content: "Benchmark post body.", tags: ["bench"], published: true}) '
                        "{ id } }",
                        "variables": {"t": f"Post {index}"},
                    },
                    headers={"authorization": f"Bearer {token}"},
                ).raise_for_status()
            httpx.post(url, json={"query": QUERY, "extensions": HASH}).raise_for_status()
            rates = asyncio.run(measure(url, args.requests, args.concurrency))
            sizes = {name: wire_bytes(request) for name, request in requests(url).items()}
    baseline = "text (POST)"
    print(f"{'way':<18}{'request bytes':>14}{'ratio':>8}{'req/s':>9}{'ratio':>8}")
    for name, rate in rates.items():
        print(
            f"{name:<18}{sizes[name]:>14}{sizes[name] / sizes[baseline]:>8.2f}"
            f"{rate:>9.0f}{rate / rates[baseline]:>8.2f}"
        )


if __name__ == "__main__":
    main()
