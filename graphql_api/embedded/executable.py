"""The `secantusd-py` command and what launching it needs.

Finding the command (the project's venv first), a free port to give it, and, on
Linux, a kernel promise that it dies with us: the rest of the package only ever
runs SecantusDB through this command, never imports it (it is GPL-2.0).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import sys
from pathlib import Path

EXECUTABLE = "secantusd-py"


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be started."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the server, and tests, bind it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def find_executable() -> str:
    """The `secantusd-py` command; EmbeddedServerError when it is not installed.

    The one beside this interpreter (the project's venv) comes first, so an
    activated venv is not needed.
    """
    beside_python = Path(sys.executable).parent
    found = shutil.which(EXECUTABLE, path=os.pathsep.join([str(beside_python), os.defpath]))
    found = found or shutil.which(EXECUTABLE)
    if not found:
        raise EmbeddedServerError(
            f"`{EXECUTABLE}` was not found. Install the project with its embedded extra "
            "(`pip install -e '.[embedded]'`, which brings the `secantusdb` package; "
            "`make install` does), or set MONGODB_URL to use another MongoDB."
        )
    return found


def die_with_parent() -> None:
    """Linux: have the kernel SIGTERM the server if we die without stopping it."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
