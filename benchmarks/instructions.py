"""Instructions per request: the server's work counted by callgrind, not timed.

    python -m benchmarks.instructions            # or: python -m benchmarks.run --instructions

CPU time on a shared 2-core machine moves by +-10% between runs of the same
code (the load client, the database and the server share the cores and their
caches), so a ratio near a target flips between runs. The number of machine
instructions a server executes for a request does not: the same code, data and
request count the same within a fraction of a percent, whatever else runs.

Each server (the floor, graphql_api) runs under valgrind's callgrind with
instrumentation off, is warmed up, then counts the instructions of `requests`
requests sent one at a time (`callgrind_control`: zero, on, off, dump). What it
leaves out: instructions are not time (a cache miss costs more than an add, and
C code such as BSON decoding does more per instruction than the interpreter),
so this ratio is a noise-free companion of the CPU figures, not a substitute.
Needs valgrind (Debian: `apt-get install valgrind`).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from benchmarks import run as bench
from benchmarks.servers import database_url, start_server, stop

WARM_UP = 60


def available() -> bool:
    return shutil.which("valgrind") is not None and shutil.which("callgrind_control") is not None


def _control(pid: int, *args: str) -> None:
    control = shutil.which("callgrind_control") or "callgrind_control"
    subprocess.run(  # noqa: S603 (our own argv)
        [control, *args, str(pid)], check=True, capture_output=True, timeout=120
    )


def _dumped(out: Path) -> int:
    """The total of the newest dump (callgrind numbers them `out.1`, `out.2`, ...)."""
    deadline = time.monotonic() + 60
    while True:
        dumps = sorted(
            (p for p in out.parent.glob(out.name + ".*") if p.suffix[1:].isdigit()),
            key=lambda p: int(p.suffix[1:]),
        )
        if dumps:
            for line in dumps[-1].read_text().splitlines():
                if line.startswith("totals:"):
                    dumps[-1].unlink()
                    return int(line.split()[1])
        if time.monotonic() > deadline:
            raise RuntimeError(f"callgrind wrote no dump next to {out}")
        time.sleep(0.2)


def _set_up(base: str) -> None:
    """graphql_api answers DB_UNAVAILABLE until its database is set up (/health 200):
    much later than it starts listening, under valgrind."""
    deadline = time.monotonic() + 600
    while httpx.get(f"{base}/health", timeout=60).status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("graphql_api did not set its database up")
        time.sleep(1)


def _send(base: str, request: tuple, count: int, token: str | None) -> None:
    method, path, body = request
    headers = {"accept-encoding": "identity"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    with httpx.Client(base_url=base, timeout=300, headers=headers) as client:
        for _ in range(count):
            response = client.request(method, path, json=body)
            if response.status_code != 200 or b'"errors"' in response.content:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")


def count(
    url: str, cases: dict, token: str, requests: int, signed_in: set[str] | None = None
) -> dict[tuple[str, str], dict[str, float]]:
    """Millions of instructions per request, per (query, anonymous | signed in):
    `{"floor": ..., "graphql_api": ...}`. `cases` is `benchmarks.run.cases(...)`;
    queries in `signed_in` are measured signed in only (the admins' user list)."""
    results: dict[tuple[str, str], dict[str, float]] = {}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="callgrind-") as folder:
        for server, module in (("floor", "serve_raw"), ("graphql_api", "serve_api")):
            out = Path(folder) / module
            base, process = start_server(
                module,
                url,
                stack,
                prefix=[
                    shutil.which("valgrind") or "valgrind",
                    "--quiet",
                    "--tool=callgrind",
                    "--instr-atstart=no",
                    f"--callgrind-out-file={out}",
                ],
                start_timeout=600,
            )
            if server == "graphql_api":
                _set_up(base)
            for name, per_server in cases.items():
                request = per_server["raw" if server == "floor" else "graphql_api"]
                identities = ["anonymous", "signed in"] if server == "graphql_api" else ["any"]
                if server == "graphql_api" and name in (signed_in or set()):
                    identities = ["signed in"]
                for who in identities:
                    user = token if who == "signed in" else None
                    _send(base, request, WARM_UP, user)
                    _control(process.pid, "--zero")
                    _control(process.pid, "--instr=on")
                    _send(base, request, requests, user)
                    _control(process.pid, "--instr=off")
                    _control(process.pid, "--dump")
                    millions = _dumped(out) / requests / 1e6
                    for row in ["anonymous", "signed in"] if who == "any" else [who]:
                        results.setdefault((name, row), {})[server] = millions
            stop(process)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="counted, per query")
    args = parser.parse_args()
    if not available():
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    with ExitStack() as stack:
        url = database_url(stack)
        base, process = start_server("serve_api", url, stack)  # builds the indexes
        user_id = bench.seed(url)
        token = bench.admin_token(base)
        stop(process)
        found = count(url, bench.cases(user_id), token, args.requests, bench.ADMIN_ONLY)
    print("| query | as | floor M instr/req | graphql_api M instr/req | ratio |")
    print("|---|---|---:|---:|---:|")
    for (name, who), cell in found.items():
        if "graphql_api" in cell:
            ratio = cell["graphql_api"] / cell["floor"]
            print(f"| {name} | {who} | {cell['floor']:.2f} | {cell['graphql_api']:.2f} | "
                  f"{ratio:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
