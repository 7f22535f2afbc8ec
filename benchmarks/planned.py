"""Benchmark: planned execution on and off, in the same run.

    python -m benchmarks.planned [--requests 300] [--concurrency 8]

Seeds the data set of `benchmarks.run`, starts graphql_api twice on it
(PLANNED_EXECUTION=true and =false, each its own process, the load client in
this one) and the hand-written floor, and prints per query, anonymous and
signed in: server CPU ms per request, DB round trips, and the ratios
planned / graphql-core and planned / floor. The user list is for admins only,
so it is measured signed in.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from contextlib import ExitStack

from benchmarks.run import ADMIN_ONLY, admin_token, cases, database_url, measure, seed, start_server


def _server(planned: bool, url: str, stack: ExitStack) -> tuple:
    os.environ["PLANNED_EXECUTION"] = "true" if planned else "false"
    try:
        return start_server("serve_api", url, stack)
    finally:
        del os.environ["PLANNED_EXECUTION"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per query and server")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with ExitStack() as stack:
        url = database_url(stack)
        servers = {"planned": _server(True, url, stack)}  # builds the indexes
        user_id = seed(url)
        servers["graphql-core"] = _server(False, url, stack)
        servers["raw"] = start_server("serve_raw", url, stack)
        token = admin_token(servers["planned"][0])

        print(f"\n{args.requests} requests per query and server, concurrency {args.concurrency}")
        print("CPU: server process ms per request. Signed in: an admin.\n")
        print(
            "| query | as | trips | planned CPU | graphql-core CPU | raw CPU "
            "| graphql-core / planned | planned / raw |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for name, requests in cases(user_id).items():
            for who in ("anonymous", "signed in"):
                if who == "anonymous" and name in ADMIN_ONLY:
                    continue  # users: administrators only
                results = {}
                for server in ("planned", "graphql-core", "raw"):
                    base, process = servers[server]
                    request = requests["raw" if server == "raw" else "graphql_api"]
                    signed = token if who == "signed in" and server != "raw" else None
                    results[server] = asyncio.run(
                        measure(base, process.pid, request, args.requests, args.concurrency, signed)
                    )
                planned, core, raw = (results[s]["cpu_ms"] for s in results)
                trips = results["planned"]["trips"]
                assert trips == results["graphql-core"]["trips"], (name, who, results)
                print(
                    f"| {name} | {who} | {trips} | {planned:.2f} | {core:.2f} | {raw:.2f} "
                    f"| {core / planned:.2f} | {planned / raw:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
