"""One SecantusDB server, started as a child process and stopped with it.

SecantusDB is GPL-2.0: it is run through its `secantusd-py` command, never
imported, so this module only builds an argv, waits for the server to answer a
ping, and signals it. The server gets its own process group (Ctrl-C reaches the
app first, which stops the server last) and, on Linux, dies with its parent.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from graphql_api.embedded.executable import (
    EmbeddedServerError,
    die_with_parent,
    find_executable,
    free_port,
)

logger = logging.getLogger("graphql_api.embedded")  # one logger for the whole package


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
        """Where a running server leaves its URL, for other commands (`promote`, `seed`,
        and a second `serve`, which refuses the folder)."""
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
        """Start the server (on a free port unless one was given); its URL once it answers."""
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
                preexec_fn=die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
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
