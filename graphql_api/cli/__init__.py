"""The `graphql-api` command (`[project.scripts]` points at `main`).

One module per command, each adding its own parser (`register`) and importing
what it needs only when it runs: `--help` and a bad setting answer at once,
without loading the schema, uvicorn or the driver. Settings are read (and a bad
one reported in one line) before any command starts.
"""

from __future__ import annotations

import argparse
import sys

from graphql_api.cli import admins, demo_data, schema_export, server
from graphql_api.cli.admins import promote
from graphql_api.cli.common import EMBEDDED_MISSING, CommandError
from graphql_api.cli.demo_data import seed
from graphql_api.cli.schema_export import check_breaking, export_schema
from graphql_api.cli.server import serve
from graphql_api.settings import get_settings

__all__ = [
    "EMBEDDED_MISSING",
    "CommandError",
    "build_parser",
    "check_breaking",
    "export_schema",
    "main",
    "promote",
    "seed",
    "serve",
]

DESCRIPTION = """\
The `graphql-api` command: serve the API, export its schema, seed demo data,
promote an administrator.

Settings come from environment variables (or a `.env` file): see the README.
"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, in the order `--help` lists them."""
    parser = argparse.ArgumentParser(
        prog="graphql-api",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (server, schema_export, admins, demo_data):
        command.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code (1 and one line on stderr for a CommandError)."""
    args = build_parser().parse_args(argv)
    get_settings()  # a bad setting ends here, in one line naming it
    try:
        return args.handler(args)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
