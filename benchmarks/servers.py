"""Starting benchmark servers as processes of their own, and reading their CPU and memory.

Every server runs in its own process and every load client in another, so
what `/proc/<pid>` says about a server is the server's work alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from graphql_api.cli.server import LEAN_PROTOCOL
from graphql_api.embedded import EmbeddedMongo, free_port

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "graphql_api_bench"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time the process (all its threads, living or gone) has used so far.

    Its CPU clock (`clock_getcpuclockid`: ~pid << 3 | CPUCLOCK_SCHED) counts in
    nanoseconds; /proc/<pid>/stat counts in clock ticks (10 ms), too coarse for
    requests that take a millisecond. The ticks remain where the clock is refused.
    """
    try:
        return time.clock_gettime((~pid << 3) | 2)
    except OSError:
        pass
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_bytes(pid: int) -> int:
    """Resident memory now (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise ValueError(f"no VmRSS for {pid}")


def database_url(stack: ExitStack) -> str:
    """MONGODB_URL, or an embedded server in a temporary folder for this run."""
    url = os.environ.get("MONGODB_URL")
    if not url:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-mongo-"))
        url = stack.enter_context(EmbeddedMongo(data_dir)).url
    return url


def start_server(
    module: str,
    url: str,
    stack: ExitStack,
    *,
    database: str = DATABASE,
    env: dict[str, str] | None = None,
    prefix: list[str] | None = None,
    start_timeout: float = 60,
) -> tuple[str, subprocess.Popen]:
    """`benchmarks.<module>:app` under uvicorn (run by `prefix`, a profiler, if
    given); its base URL once it answers."""
    port = free_port()
    environment = {
        **os.environ,
        "MONGODB_URL": url,
        "MONGODB_DATABASE": database,
        "LOG_LEVEL": "WARNING",
        # One load client is one address: a budget it cannot spend (still checked per request).
        "COST_BUDGET_CAPACITY": str(10**9),
        **(env or {}),
    }
    process = subprocess.Popen(  # noqa: S603 (our own argv)
        [
            *(prefix or ()),
            *(sys.executable, "-m", "uvicorn", "--factory", f"benchmarks.{module}:app"),
            *("--port", str(port), "--log-level", "warning", "--no-access-log"),
            # WebSockets as `graphql-api serve` runs them (graphql_api/cli/server.py).
            *("--ws", LEAN_PROTOCOL, "--ws-per-message-deflate", "false"),
        ],
        cwd=ROOT,
        env=environment,
    )
    stack.callback(stop, process)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_timeout
    while True:
        try:
            if httpx.get(f"{base}/_bench/commands", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"{module} did not start")
        time.sleep(0.2)
    return base, process


def stop(process: subprocess.Popen) -> None:
    """SIGINT (uvicorn's graceful stop), then SIGKILL if it is still there after 20 s."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
