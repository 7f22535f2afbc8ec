"""Keep the embedded server alive for `serve`: restart it with backoff, report its health.

A development server that dies (killed, out of memory, a crash) should not take
the API down with it until someone notices: the supervisor brings it back on the
same port and folder, and writes what happened to a small JSON file that
`/health` reads, since the app may run in other (worker) processes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

from graphql_api.embedded.process import EmbeddedMongo

logger = logging.getLogger("graphql_api.embedded")  # one logger for the whole package


class Supervisor:
    """Restart the embedded server when it dies, on the same port and data folder.

    A thread waits on the child; when it exits without being asked to, the
    death is logged and the server started again after a pause. The pause starts
    at `first_backoff` and doubles (up to `max_backoff`) with each failed restart
    and each death sooner than `stable_after` seconds after a start, so a server
    that cannot stay up is not restarted in a tight loop. The app's client reconnects to the same
    port by itself. The state is written as JSON to `state_file` so that
    `/health` (in any worker process) can show it.
    """

    def __init__(
        self,
        server: EmbeddedMongo,
        state_file: Path,
        *,
        first_backoff: float = 0.5,
        max_backoff: float = 10.0,
        stable_after: float = 60.0,
    ) -> None:
        self.server = server
        self.state_file = Path(state_file)
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.stable_after = stable_after
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # held while starting or stopping the server
        self._thread: threading.Thread | None = None
        self._state: dict[str, object] = {}

    def start(self) -> None:
        self._report("up")
        self._thread = threading.Thread(target=self._watch, name="embedded-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            self.server.stop()
        if self._thread is not None:
            self._thread.join(30)
        self._report("stopped")

    def _watch(self) -> None:
        delay = self.first_backoff
        while not self._stopping.is_set():
            process = self.server.process
            if process is None:
                return
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started > self.stable_after:
                delay = self.first_backoff
            self._report("down", last_exit_code=code, last_exit_at=_now())
            logger.error(
                "Embedded MongoDB (pid %s) exited with code %s; restarting in %.1fs",
                process.pid,
                code,
                delay,
            )
            while not self._stopping.wait(delay):
                delay = min(delay * 2, self.max_backoff)
                with self._lock:
                    if self._stopping.is_set():
                        return
                    try:
                        self.server.start()
                    except Exception as error:  # disk full, a missing executable...
                        # The supervisor must outlive any failure: keep trying, with backoff.
                        logger.error("Restarting the embedded MongoDB failed: %s", error)
                        self._report("down")
                        continue
                self.restarts += 1
                self._report("up")
                logger.warning(
                    "Embedded MongoDB restarted (restart %d, pid %s)",
                    self.restarts,
                    self.server.process.pid if self.server.process else None,
                )
                break

    def _report(self, state: str, **details: object) -> None:
        """Write the state whole (a temporary file, then a rename): readers never see half."""
        process = self.server.process
        self._state.update(details)
        self._state.update(
            state=state,
            restarts=self.restarts,
            pid=process.pid if process is not None and state == "up" else None,
            port=self.server.port,
            since=_now(),
        )
        with contextlib.suppress(OSError):
            temporary = self.state_file.with_suffix(".tmp")
            temporary.write_bytes(orjson.dumps(self._state))
            os.replace(temporary, self.state_file)


def read_state(state_file: Path) -> dict | None:
    """What a `Supervisor` last reported, or None."""
    with contextlib.suppress(OSError, orjson.JSONDecodeError):
        return orjson.loads(Path(state_file).read_bytes())
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
