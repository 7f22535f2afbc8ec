"""What several commands share: the one-line user error, and finding the database.

`promote` and `seed` work on whatever database `serve` would use: MONGODB_URL,
else the embedded server a running `serve` left its URL for, else one they start
for themselves and stop when done.
"""

from __future__ import annotations

import contextlib
import sys

from graphql_api.log_config import configure_logging
from graphql_api.settings import Settings, get_settings

EMBEDDED_MISSING = (
    "MONGODB_URL is not set and the embedded database is not installed. Install it with "
    "pip install -e '.[embedded]' (or graphql-api[embedded]), or set MONGODB_URL."
)


class CommandError(Exception):
    """A problem the user can fix: printed as one line, exit code 1 (no traceback)."""


def configure_command_logging(level: str) -> None:
    """Logging at `level` in the configured format (commands other than `serve` want quiet)."""
    configure_logging(level, get_settings().log_format)


def check_embedded_available(settings: Settings) -> None:
    """Before starting the embedded server: installed, and its data folder not in use."""
    # Looked up on the package at call time, where tests replace `find_executable`.
    from graphql_api.embedded import EmbeddedMongo, EmbeddedServerError, find_executable

    try:
        find_executable()
    except EmbeddedServerError:
        raise CommandError(EMBEDDED_MISSING) from None
    if url := EmbeddedMongo(settings.embedded_data_dir).running_url():
        raise CommandError(
            f"another `graphql-api serve` is already using the data folder "
            f"{settings.embedded_data_dir} (its database: {url}). Stop it first, or set "
            "EMBEDDED_DATA_DIR to another folder."
        )


def database_url(stack: contextlib.ExitStack, settings: Settings) -> str | None:
    """MONGODB_URL, else the running embedded server, else an embedded one started for us.

    A server started here is stopped when `stack` closes; None: it failed to start
    (its log was printed).
    """
    from graphql_api.embedded import EmbeddedMongo, EmbeddedServerError, find_executable

    if settings.mongodb_url:
        return settings.mongodb_url
    try:
        find_executable()
    except EmbeddedServerError:
        raise CommandError(EMBEDDED_MISSING) from None
    embedded = EmbeddedMongo(
        settings.embedded_data_dir, sync_on_commit=settings.embedded_sync_on_commit
    )
    url = embedded.running_url()  # `serve` is running: use its server
    if url is not None:
        return url
    try:
        return stack.enter_context(embedded).url
    except EmbeddedServerError as error:
        print(error, file=sys.stderr)
        return None
