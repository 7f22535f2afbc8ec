"""`graphql-api seed`: demo data for the explorer and for demos.

The data set itself (deterministic, upserted by natural keys) is built by
`graphql_api.seed`; this module only parses the sizes, finds the database and
reports what was created.
"""

from __future__ import annotations

import argparse
import contextlib

from graphql_api.cli.common import configure_command_logging, database_url
from graphql_api.settings import get_settings

HELP = (
    "Fill the database with demo data (idempotent: run it as often as you like). "
    "Uses MONGODB_URL, else the running embedded server, else starts it."
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `seed` and its options to the subcommands of `graphql-api`."""
    parser = commands.add_parser("seed", help=HELP, description=HELP)
    parser.add_argument("--users", type=int, default=50, help="(default: %(default)s)")
    parser.add_argument("--posts-per-user", type=int, default=8, help="(default: %(default)s)")
    parser.add_argument("--products", type=int, default=100, help="(default: %(default)s)")
    parser.add_argument("--orders", type=int, default=300, help="(default: %(default)s)")
    parser.add_argument("--reset", action="store_true", help="Empty the collections first.")
    parser.set_defaults(handler=seed)


def seed(args: argparse.Namespace) -> int:
    """Fill the database with demo data (idempotent; --reset empties the collections first)."""
    from graphql_api.seed import DEMO_PASSWORD, Size
    from graphql_api.seed import seed as run_seed

    settings = get_settings()
    configure_command_logging("WARNING")
    size = Size(
        users=args.users,
        posts_per_user=args.posts_per_user,
        products=args.products,
        orders=args.orders,
    )
    with contextlib.ExitStack() as stack:
        url = database_url(stack, settings)
        if url is None:
            return 1
        counts = run_seed(url, settings, size, reset=args.reset)
    print(
        "Created "
        + ", ".join(f"{n} {name}" for name, n in counts.items() if name != "paid_orders")
        + " (existing documents are kept)."
    )
    print(f"Sign in as `admin` (an administrator) or any seeded user, password {DEMO_PASSWORD!r}.")
    return 0
