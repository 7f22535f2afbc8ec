"""`graphql-api export-schema --check-breaking OLD`: what would break clients generated
from OLD fails; what the deprecation policy allows, or what is merely additive, does not."""

import subprocess
import sys
from pathlib import Path

import pytest

from graphql_api.schema import schema
from graphql_api.schema_evolution import compare

OLD = """
type Query {
  user(id: ID!): User
  users(first: Int): [User!]!
  legacy: String @deprecated(reason: "Use `user`.")
  status: Status!
}
type User { id: ID! name: String! nickname: String @deprecated(reason: "Use `name`.") }
enum Status { OK DOWN GONE @deprecated(reason: "Never sent.") }
input Filter { name: String, old: String @deprecated(reason: "Ignored.") }
type Mutation { find(filter: Filter, limit: Int @deprecated(reason: "Paged now.")): [User!]! }
"""


def changed(old: str, new: str) -> str:
    assert old in OLD, old
    return OLD.replace(old, new)


@pytest.mark.parametrize(
    ("new", "kind"),
    [
        (changed("  users(first: Int): [User!]!\n", ""), "FIELD_REMOVED"),
        (changed("name: String! nickname", "nickname"), "FIELD_REMOVED"),
        (changed("Status { OK DOWN", "Status { OK"), "VALUE_REMOVED_FROM_ENUM"),
        (changed("users(first: Int)", "users(first: Int, after: String!)"), "REQUIRED_ARG_ADDED"),
        (changed("users(first: Int)", "users(first: String)"), "ARG_CHANGED_KIND"),
        (changed("user(id: ID!): User", "user(id: ID!): String"), "FIELD_CHANGED_KIND"),
        (
            changed("input Filter { name: String,", "input Filter { name: String, x: Int!,"),
            "REQUIRED_INPUT_FIELD_ADDED",
        ),
        # A deprecated field is announced for removal, not for a change of type.
        (changed("legacy: String @dep", "legacy: Int @dep"), "FIELD_CHANGED_KIND"),
    ],
)
def test_breaking_changes_are_reported(new, kind):
    report = compare(OLD, new)
    assert len(report.breaking) == 1, report.lines()
    assert report.breaking[0].startswith(kind), report.breaking


@pytest.mark.parametrize(
    "new",
    [
        OLD,
        changed('  legacy: String @deprecated(reason: "Use `user`.")\n', ""),
        changed(' nickname: String @deprecated(reason: "Use `name`.")', ""),
        changed(' GONE @deprecated(reason: "Never sent.")', ""),
        changed(', old: String @deprecated(reason: "Ignored.")', ""),
        changed(', limit: Int @deprecated(reason: "Paged now.")', ""),
        changed("users(first: Int)", "users(first: Int, after: String)"),
        changed("  status: Status!\n", "  status: Status!\n  added: Int\n"),
        changed(" name: String! ", ' name: String! @deprecated(reason: "Later.") '),
    ],
)
def test_additions_deprecations_and_announced_removals_do_not_break(new):
    report = compare(OLD, new)
    assert report.breaking == [], report.lines()


def test_announced_removals_are_listed_and_dangerous_changes_reported():
    report = compare(OLD, changed(' GONE @deprecated(reason: "Never sent.")', ""))
    assert len(report.deprecated_removals) == 1 and "GONE" in report.deprecated_removals[0]
    report = compare(OLD, changed("Status { OK DOWN", "Status { OK DOWN UP"))
    assert report.breaking == [] and report.dangerous[0].startswith("VALUE_ADDED_TO_ENUM")


def run(tmp_path: Path, old_sdl: str) -> subprocess.CompletedProcess:
    old = tmp_path / "old.graphql"
    old.write_text(old_sdl, encoding="utf-8")
    output = tmp_path / "untouched.graphql"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "graphql_api.cli",
            "export-schema",
            "-o",
            str(output),
            "--check-breaking",
            str(old),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert not output.exists()  # checking writes nothing
    return result


def test_the_command_against_the_served_schema(tmp_path):
    served = schema.as_str() + "\n"
    assert run(tmp_path, served).returncode == 0

    # An old schema with a field we no longer serve: clients built from it break.
    gone = served.replace("type Query {\n", "type Query {\n  retired: String\n", 1)
    result = run(tmp_path, gone)
    assert result.returncode == 1
    assert "BREAKING   FIELD_REMOVED" in result.stdout and "retired" in result.stdout

    # The same field, deprecated in the old schema: its removal was announced.
    announced = served.replace(
        "type Query {\n", 'type Query {\n  retired: String @deprecated(reason: "Gone.")\n', 1
    )
    result = run(tmp_path, announced)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "REMOVED" in result.stdout and "retired" in result.stdout

    assert run(tmp_path, "type Query {").returncode == 2  # unreadable: neither pass nor fail
