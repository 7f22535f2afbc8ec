"""`graphql-api promote`: grant or revoke the admin role from the command line.

The API has no operation that grants a role, so administrators are made here,
by someone with access to the database. It writes to the users collection
directly (no app, no session), keeping the API's rule that the last active
administrator cannot be lost (services.users.revoke_admin).
"""

from __future__ import annotations

import argparse
import contextlib
import sys

from graphql_api.cli.common import configure_command_logging, database_url
from graphql_api.settings import get_settings

HELP = (
    "Make a user an administrator (the only way to make the first one). Uses "
    "MONGODB_URL, else the running embedded server, else starts it."
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `promote` and its options to the subcommands of `graphql-api`."""
    parser = commands.add_parser("promote", help=HELP, description=HELP)
    parser.add_argument("username", help="The user's username.")
    parser.add_argument("--revoke", action="store_true", help="Take the role away.")
    parser.set_defaults(handler=promote)


def promote(args: argparse.Namespace) -> int:
    """Grant (or, with --revoke, take away) the admin role of the user named `username`.

    The username matches as at sign-in: in any case and Unicode compatibility form
    (NFKC). Revoking the last active administrator's role is refused (LAST_ADMIN,
    as the API refuses to deactivate them). Sessions are not touched: the role
    counts from the user's next request.
    """
    import asyncio

    from pymongo import AsyncMongoClient

    from graphql_api.errors import LastAdmin
    from graphql_api.models.user import username_key
    from graphql_api.services.users import revoke_admin

    settings = get_settings()
    configure_command_logging("WARNING")
    who = {"$or": [{"username_key": username_key(args.username)}, {"username": args.username}]}

    async def change(url: str) -> dict | None:
        client: AsyncMongoClient = AsyncMongoClient(url, serverSelectionTimeoutMS=5000)
        try:
            users = client[settings.mongodb_database]["users"]
            if args.revoke:
                if await users.find_one(who, {"_id": 1}) is None:
                    return None
                await revoke_admin(users, who)  # not an admin: nothing to do
                return {}
            return await users.find_one_and_update(who, {"$addToSet": {"roles": "admin"}})
        finally:
            await client.close()

    with contextlib.ExitStack() as stack:
        url = database_url(stack, settings)
        if url is None:
            return 1
        try:
            found = asyncio.run(change(url))
        except LastAdmin as error:
            print(error.message, file=sys.stderr)
            return 1
        if found is None:
            print(f"No user named {args.username!r}.", file=sys.stderr)
            return 1
        verb = "is no longer" if args.revoke else "is now"
        print(f"{args.username} {verb} an administrator (effective on their next request).")
    return 0
