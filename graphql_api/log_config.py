"""Logging for the whole process: one JSON object per line, on stderr.

Configured by the app factory, so every way of launching the app (`graphql-api
serve`, `uvicorn --factory graphql_api.app:create_app`, gunicorn's uvicorn
workers) logs the same lines. uvicorn's own loggers (errors, access log) are
routed through the same handler. Each line has the request id of the request
that caused it (`graphql_api.request_id`), and records may add structured
fields with `extra={"fields": {...}}`.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from graphql_api import request_id

LogFormat = Literal["json", "text"]
# uvicorn's loggers: they have handlers of their own and do not propagate.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_HANDLER_NAME = "graphql_api"


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line["message"] = getattr(record, "event", record.name)
            line.update(fields)
        elif record.name == "uvicorn.access" and isinstance(record.args, tuple):
            line["message"] = "access"
            if len(record.args) == 5:
                client, method, path, _version, status = record.args
                line |= {"client": client, "method": method, "path": path, "status": status}
        else:
            line["message"] = record.getMessage()
        rid = getattr(record, "request_id", None)
        if rid:
            line["request_id"] = rid
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{text} [request_id={rid}]" if rid else text


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (a context variable)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.current.get()
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def configure_logging(level: str = "INFO", log_format: LogFormat = "json") -> None:
    """Idempotent: the handler is installed once; later calls update level and format.

    `level` applies to this app's loggers and uvicorn's; other libraries log
    warnings and above (PyMongo at DEBUG would log every command).
    """
    level = level.upper()
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = _StderrHandler()
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(JSONFormatter() if log_format == "json" else TextFormatter())
    root.setLevel(max(logging.getLevelNamesMapping()[level], logging.WARNING))
    logging.getLogger("graphql_api").setLevel(level)
    for name in UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.setLevel(level)
        if uvicorn_logger.handlers:  # uvicorn's own (none: its access log is switched off)
            uvicorn_logger.handlers.clear()
            uvicorn_logger.propagate = True
