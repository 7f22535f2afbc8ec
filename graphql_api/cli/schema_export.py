"""`graphql-api export-schema`: the schema as SDL, or what changed in it for clients.

The SDL is written from the running code, so `schema.graphql` in the repository
is a generated file that the tests compare byte for byte; `--check-breaking`
compares the code's schema with an older file (in CI, the previous commit's), so
a change that breaks clients is caught before it ships.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `export-schema` and its options to the subcommands of `graphql-api`."""
    parser = commands.add_parser("export-schema", help="Write the schema as SDL.")
    parser.add_argument(
        "--output", "-o", default="schema.graphql", help="File to write, or '-' for stdout."
    )
    parser.add_argument(
        "--check-breaking",
        metavar="OLD_SCHEMA",
        type=Path,
        help="Write nothing; list breaking and dangerous changes since OLD_SCHEMA (exit 1 "
        "on breaking ones; removing what OLD_SCHEMA deprecated is allowed).",
    )
    parser.set_defaults(handler=export_schema)


def export_schema(args: argparse.Namespace) -> int:
    """Write the SDL to `--output` ('-': stdout), or run `--check-breaking` instead."""
    from graphql_api.schema import schema

    if args.check_breaking is not None:
        return check_breaking(args.check_breaking, schema)
    text = schema.as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}")
    return 0


def check_breaking(old_path: Path, schema: Any) -> int:
    """List what changed since `old_path` for its clients; 1 if something breaks them,
    2 if the old schema cannot be read."""
    from graphql import GraphQLError

    from graphql_api.schema_evolution import compare

    try:
        report = compare(old_path.read_text(encoding="utf-8"), schema.as_str())
    except (OSError, GraphQLError, TypeError) as error:
        print(f"Cannot read the old schema {old_path}: {error}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    if report.breaking:
        print(
            "Breaking changes: deprecate first (@deprecated(reason: ...)) and remove in a "
            "later release; see the README's schema section.",
            file=sys.stderr,
        )
        return 1
    return 0
