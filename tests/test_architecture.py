"""The layers point only downward: schema -> services -> data access -> the driver.

Read from the source (imports and calls), so a shortcut fails here at once,
before it is copied: nothing in `schema/` talks to MongoDB, nothing below the
schema knows GraphQL.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "graphql_api"
DRIVER = ("pymongo", "bson", "beanie", "motor")
GRAPHQL = ("strawberry", "graphql")


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def called_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }


def starts_with(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def offending(paths: list[Path], prefixes: tuple[str, ...]) -> dict[str, list[str]]:
    found = {
        str(path.relative_to(PACKAGE)): sorted(n for n in imports(path) if starts_with(n, prefixes))
        for path in paths
    }
    return {path: names for path, names in found.items() if names}


def test_the_schema_never_imports_the_driver():
    assert offending(modules("schema"), DRIVER) == {}


def test_the_schema_never_touches_a_collection():
    database_calls = {
        "collection",
        "get_pymongo_collection",
        "find",
        "find_one",
        "find_one_and_update",
        "aggregate",
        "insert_one",
        "update_one",
        "delete_one",
        "count_documents",
    }
    touched = {
        str(path.relative_to(PACKAGE)): sorted(called_names(path) & database_calls)
        for path in modules("schema")
    }
    assert {path: calls for path, calls in touched.items() if calls} == {}


@pytest.mark.parametrize("folder", ["services", "models", "pagination"])
def test_layers_below_the_schema_never_import_it(folder):
    paths = modules(folder) if (PACKAGE / folder).is_dir() else [PACKAGE / f"{folder}.py"]
    assert offending(paths, ("graphql_api.schema", "graphql_api.http", "graphql_api.app")) == {}


@pytest.mark.parametrize("folder", ["services", "models", "pagination"])
def test_layers_below_the_schema_know_no_graphql(folder):
    paths = modules(folder) if (PACKAGE / folder).is_dir() else [PACKAGE / f"{folder}.py"]
    assert offending(paths, GRAPHQL) == {}


def test_limits_sit_below_the_schema():
    """Budgets, pricing and the scan gate serve the schema's extensions; pricing reads
    graphql-core's syntax tree, but nothing there knows Strawberry or the schema."""
    assert offending(modules("limits"), ("strawberry", "graphql_api.schema")) == {}


def test_models_are_the_bottom_layer():
    upper = (
        "graphql_api.services",
        "graphql_api.dataloaders",
        "graphql_api.pagination",
        "graphql_api.auth",
        "graphql_api.realtime",
    )
    assert offending(modules("models"), upper) == {}


def test_the_checks_can_fail(tmp_path):
    """The reader sees what a leaking module would look like."""
    leaking = tmp_path / "leak.py"
    leaking.write_text(
        "from pymongo import ReturnDocument\nasync def f(s):\n    await s.collection().find({})\n"
    )
    assert "pymongo" in imports(leaking)
    assert {"collection", "find"} <= called_names(leaking)
