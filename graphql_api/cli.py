"""The `graphql-api` command: `serve` and `export-schema`."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

from graphql_api.settings import Settings, get_settings

logger = logging.getLogger("graphql_api")


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)  # uvicorn has shut down cleanly by the time this runs


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from graphql_api.embedded import EmbeddedMongo, EmbeddedServerError

    settings = get_settings()
    _configure_logging(settings.log_level)
    embedded = None
    if not settings.mongodb_url:
        embedded = EmbeddedMongo(
            settings.embedded_data_dir, startup_timeout=settings.embedded_startup_timeout_s
        )
        try:
            embedded.start()
        except EmbeddedServerError as error:
            logger.error("%s", error)
            return 1
        # Workers (and the reloader's children) read it from the environment.
        os.environ["MONGODB_URL"] = embedded.url
        get_settings.cache_clear()
    host_for_url = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104
    logger.info("GraphiQL: http://%s:%s/graphql", host_for_url, args.port)
    # uvicorn re-raises the signal that stopped it once it has shut down; turn a
    # SIGTERM into an exception so that `finally` stops the embedded server.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(
            "graphql_api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            reload=args.reload,
            reload_dirs=[str(Path(__file__).parent)] if args.reload else None,
            workers=args.workers,
            log_level=settings.log_level.lower(),
            lifespan="on",
        )
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def export_schema(args: argparse.Namespace) -> int:
    from graphql_api.schema import schema

    text = schema.as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}")
    return 0


def _database_url(stack: contextlib.ExitStack, settings: Settings) -> str | None:
    """MONGODB_URL, else the running embedded server, else an embedded one started for us."""
    from graphql_api.embedded import EmbeddedMongo, EmbeddedServerError

    if settings.mongodb_url:
        return settings.mongodb_url
    embedded = EmbeddedMongo(settings.embedded_data_dir)
    url = embedded.running_url()  # `serve` is running: use its server
    if url is not None:
        return url
    try:
        return stack.enter_context(embedded).url
    except EmbeddedServerError as error:
        print(error, file=sys.stderr)
        return None


def promote(args: argparse.Namespace) -> int:
    """Grant (or revoke) the admin role: the only way to make the first administrator."""
    from pymongo import MongoClient

    settings = get_settings()
    _configure_logging("WARNING")
    with contextlib.ExitStack() as stack:
        url = _database_url(stack, settings)
        if url is None:
            return 1
        client: MongoClient = stack.enter_context(MongoClient(url, serverSelectionTimeoutMS=5000))
        users = client[settings.mongodb_database]["users"]
        change = {"$pull" if args.revoke else "$addToSet": {"roles": "admin"}}
        result = users.update_one({"username": args.username}, change)
        if not result.matched_count:
            print(f"No user named {args.username!r}.", file=sys.stderr)
            return 1
        verb = "is no longer" if args.revoke else "is now"
        print(f"{args.username} {verb} an administrator (effective on their next request).")
    return 0


def seed(args: argparse.Namespace) -> int:
    """Fill the database with demo data (idempotent)."""
    from graphql_api.seed import DEMO_PASSWORD, Size
    from graphql_api.seed import seed as run_seed

    settings = get_settings()
    _configure_logging("WARNING")
    size = Size(
        users=args.users,
        posts_per_user=args.posts_per_user,
        products=args.products,
        orders=args.orders,
    )
    with contextlib.ExitStack() as stack:
        url = _database_url(stack, settings)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphql-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser(
        "serve",
        help="Serve the API (starts the embedded database when MONGODB_URL is unset).",
    )
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--reload", action="store_true", help="Restart on code changes.")
    serve_parser.add_argument("--workers", type=int, default=None, help="Worker processes.")
    serve_parser.set_defaults(handler=serve)

    export_parser = commands.add_parser("export-schema", help="Write the schema as SDL.")
    export_parser.add_argument(
        "--output", "-o", default="schema.graphql", help="File to write, or '-' for stdout."
    )
    export_parser.set_defaults(handler=export_schema)

    promote_parser = commands.add_parser("promote", help="Make a user an administrator.")
    promote_parser.add_argument("username")
    promote_parser.add_argument("--revoke", action="store_true", help="Take the role away.")
    promote_parser.set_defaults(handler=promote)

    seed_parser = commands.add_parser(
        "seed", help="Fill the database with demo data (idempotent: run it as often as you like)."
    )
    seed_parser.add_argument("--users", type=int, default=50)
    seed_parser.add_argument("--posts-per-user", type=int, default=8)
    seed_parser.add_argument("--products", type=int, default=100)
    seed_parser.add_argument("--orders", type=int, default=300)
    seed_parser.add_argument("--reset", action="store_true", help="Empty the collections first.")
    seed_parser.set_defaults(handler=seed)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
