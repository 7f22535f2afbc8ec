"""`graphql-api serve`: uvicorn in front of the app, and the embedded database if needed.

Everything that could fail is checked before anything starts (the port, the
embedded server's installation and data folder), so a mistake is one line and
leaves nothing running. Without MONGODB_URL the embedded server is started here,
once, under a supervisor; workers and the reloader's children find it through
the environment (MONGODB_URL, EMBEDDED_STATE_FILE).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
from pathlib import Path

from graphql_api.cli.common import CommandError, check_embedded_available
from graphql_api.log_config import configure_logging
from graphql_api.settings import get_settings

logger = logging.getLogger("graphql_api")

HELP = (
    "Serve the API with uvicorn: GraphQL (and GraphiQL) on /graphql, /livez, /readyz, "
    "/health, /metrics. Starts the embedded database when MONGODB_URL is unset."
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` and its options to the subcommands of `graphql-api`."""
    parser = commands.add_parser("serve", help=HELP, description=HELP)
    parser.add_argument(
        "--host", default="127.0.0.1", help="Address to listen on (default: %(default)s)."
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="Port to listen on (default: %(default)s)."
    )
    parser.add_argument("--reload", action="store_true", help="Restart on code changes.")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="Worker processes (default: one). Several share /metrics automatically.",
    )
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    """Run uvicorn until it is stopped; the embedded server, if started here, stops last."""
    import uvicorn

    from graphql_api.embedded import EmbeddedMongo, EmbeddedServerError, Supervisor

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    _check_port_free(args.host, args.port)
    if not settings.mongodb_url:
        check_embedded_available(settings)
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
    # One uvicorn server re-raises the signal that stopped it once it has shut down
    # (with --workers or --reload, its supervisor returns instead); turn a SIGTERM
    # into an exception so that `finally` stops the embedded server.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(
            "graphql_api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            reload=args.reload,
            # The whole graphql_api package (this file is in graphql_api/cli/).
            reload_dirs=[str(Path(__file__).parent.parent)] if args.reload else None,
            workers=args.workers,
            log_level=settings.log_level.lower(),
            log_config=None,  # the app's factory configures logging (LOG_FORMAT)
            lifespan="on",
            # Past this, requests still in flight at a SIGTERM are cancelled (the
            # lifespan's own steps are bounded by the same figure, `close_within`).
            timeout_graceful_shutdown=settings.shutdown_timeout_s,
            # The app reads X-Forwarded-For itself, from TRUSTED_PROXIES only: uvicorn's
            # own handling (on by default, trusting 127.0.0.1) would let a local
            # client pick its address.
            proxy_headers=False,
            # WebSockets: the sans-I/O implementation (the lighter one per socket), with
            # less state per socket (WEBSOCKET_LEAN_PROTOCOL), and no per-message
            # deflate unless asked for (WEBSOCKET_COMPRESSION).
            ws=LEAN_PROTOCOL if settings.websocket_lean_protocol else "websockets-sansio",
            ws_per_message_deflate=settings.websocket_compression,
            ws_ping_interval=settings.websocket_ping_interval_s,
            ws_ping_timeout=settings.websocket_ping_timeout_s,
        )
    finally:
        if supervisor is not None:
            supervisor.stop()
    return 0


LEAN_PROTOCOL = "graphql_api.realtime.websocket_protocol:LeanWebSocketProtocol"


def _check_port_free(host: str, port: int) -> None:
    """Fail in one line now, rather than after the embedded server has started."""
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


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)  # uvicorn has shut down cleanly by the time this runs


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
