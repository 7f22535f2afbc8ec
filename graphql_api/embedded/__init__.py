"""The embedded development database: SecantusDB started as a child process.

SecantusDB speaks MongoDB's wire protocol (transactions and change streams
included) and is GPL-2.0, so it is only ever run through its `secantusd-py`
command as a separate process, never imported. Its data lives in a folder that
survives restarts.

`executable` finds the command, `process` starts and stops one server, and
`supervisor` restarts it when it dies and reports its state for `/health`.
"""

from graphql_api.embedded.executable import (
    EXECUTABLE,
    EmbeddedServerError,
    find_executable,
    free_port,
)
from graphql_api.embedded.process import EmbeddedMongo
from graphql_api.embedded.supervisor import Supervisor, read_state

__all__ = [
    "EXECUTABLE",
    "EmbeddedMongo",
    "EmbeddedServerError",
    "Supervisor",
    "find_executable",
    "free_port",
    "read_state",
]
