"""The embedded development database: SecantusDB started as a child process.

SecantusDB speaks MongoDB's wire protocol (transactions and change streams
included) and is GPL-2.0, so it is only ever run through its `secantusd-py`
command as a separate process, never imported. Its data lives in a folder that
survives restarts.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import orjson
from pymongo import MongoClient
from pymongo.errors import PyMongoError

logger = logging.getLogger(__name__)

EXECUTABLE = "secantusd-py"


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be started."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def find_executable() -> str:
    # Prefer the one installed beside this interpreter (the project's venv).
    beside_python = Path(sys.executable).parent
    found = shutil.which(EXECUTABLE, path=os.pathsep.join([str(beside_python), os.defpath]))
    found = found or shutil.which(EXECUTABLE)
    if not found:
        raise EmbeddedServerError(
            f"`{EXECUTABLE}` was not found. Install the project (`pip install -e .`), "
            "which brings the `secantusdb` package, or set MONGODB_URL to use another MongoDB."
        )
    return found


def _die_with_parent() -> None:
    """Linux: have the kernel SIGTERM the server if we die without stopping it."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class EmbeddedMongo:
    """Start, wait for, and stop one SecantusDB server.

    Use as a context manager; `url` is the connection string once started.
    """

    def __init__(
        self,
        data_dir: Path | str,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout: float = 30.0,
        sync_on_commit: bool = False,
        enable_test_commands: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        # Durable commits (fsync of the log on each commit): what `serve` runs.
        self.sync_on_commit = sync_on_commit
        # `configureFailPoint`, for fault-injection tests only: never in `serve`.
        self.enable_test_commands = enable_test_commands
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://{self.host}:{self.port}/?directConnection=true"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "secantusd.log"

    @property
    def url_path(self) -> Path:
        """Where a running server leaves its URL, for other commands (`promote`)."""
        return self.data_dir / "url"

    def running_url(self) -> str | None:
        """The URL of a server already running on this data folder, if it answers."""
        with contextlib.suppress(OSError):
            url = self.url_path.read_text().strip()
            client: MongoClient = MongoClient(url, serverSelectionTimeoutMS=500)
            try:
                client.admin.command("ping")
                return url
            except PyMongoError:
                return None
            finally:
                client.close()
        return None

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port(self.host)
        command = [
            find_executable(),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--storage-path",
            str(self.data_dir / "db"),
            "--log-level",
            "WARNING",
        ]
        if self.sync_on_commit:
            command.append("--sync-on-commit")
        if self.enable_test_commands:
            command.append("--enable-test-commands")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own argv, no shell)
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group: Ctrl-C goes to us, and we stop it last,
                # after the app has finished with it.
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
            )
        logger.info("Starting embedded MongoDB (SecantusDB) on %s:%s", self.host, self.port)
        self._wait_until_ready()
        self.url_path.write_text(self.url)
        logger.info("Embedded MongoDB ready, data in %s", self.data_dir.resolve())
        return self.url

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        client: MongoClient = MongoClient(self.url, serverSelectionTimeoutMS=250)
        try:
            while True:
                if self.process.poll() is not None:
                    log = self._log_tail()
                    hint = (
                        f"Another process is using {self.data_dir}: stop it, or set "
                        "EMBEDDED_DATA_DIR to another folder. "
                        if "already being managed by another process" in log
                        else ""
                    )
                    raise EmbeddedServerError(
                        f"The embedded server exited with code {self.process.returncode}. "
                        f"{hint}Its log:\n{log}"
                    )
                try:
                    client.admin.command("ping")
                except PyMongoError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise EmbeddedServerError(
                            f"The embedded server did not answer within {self.startup_timeout}s. "
                            f"Its log:\n{self._log_tail()}"
                        ) from None
                    time.sleep(0.1)
                else:
                    return
        finally:
            client.close()

    def _log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def stop(self, timeout: float = 15.0) -> None:
        """Stop gracefully (SIGTERM lets WiredTiger checkpoint), kill if it hangs."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        self.url_path.unlink(missing_ok=True)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning("Embedded MongoDB did not stop within %ss; killing it", timeout)
            process.kill()
            process.wait()
        logger.info("Embedded MongoDB stopped")

    def __enter__(self) -> EmbeddedMongo:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class Supervisor:
    """Restart the embedded server when it dies, on the same port and data folder.

    A thread waits on the child; when it exits without being asked to, the
    death is logged and the server started again after a pause that doubles
    (up to `max_backoff`) while restarts keep failing. The app's client
    reconnects to the same port by itself. The state is written as JSON to
    `state_file` so that `/health` (in any worker process) can show it.
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
