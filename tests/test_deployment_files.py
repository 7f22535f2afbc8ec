"""The container files say what docs/deployment.md promises (no Docker engine runs the tests:
these check the files themselves)."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def locked(path: Path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", path.read_text(), re.MULTILINE)
    return {name.lower(): version for name, version in pins}


def test_the_image_runs_unprivileged_from_the_production_lock_with_a_health_check():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r /src/requirements-prod.lock" in dockerfile
    assert "pip install --no-deps /src" in dockerfile
    assert "[embedded" not in dockerfile and "/src[" not in dockerfile  # no extra installed
    final_stage = dockerfile.rsplit("FROM", 1)[1]
    assert re.search(r"^USER app$", final_stage, re.MULTILINE)
    assert "HEALTHCHECK" in final_stage and "/livez" in final_stage
    assert '"--factory", "graphql_api.app:create_app"' in final_stage


def test_the_production_lock_has_no_embedded_database_and_matches_the_dev_lock():
    production = locked(ROOT / "requirements-prod.lock")
    development = locked(ROOT / "requirements.lock")
    assert "secantusdb" not in production and "numpy" not in production
    assert "secantusdb" in development
    assert {"prometheus-client", "strawberry-graphql", "opentelemetry-sdk"} <= production.keys()
    assert all(development.get(name) == version for name, version in production.items())


def test_the_locks_pin_every_dependency_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    development = locked(ROOT / "requirements.lock")
    wanted = project["dependencies"] + [
        requirement
        for extra in ("dev", "embedded", "otel")
        for requirement in project["optional-dependencies"][extra]
        if not requirement.startswith("graphql-api")
    ]
    for requirement in wanted:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()
        assert name in development, f"{name} is not in requirements.lock: run `make lock`"


def test_compose_runs_two_api_containers_on_a_three_member_replica_set():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    members = [name for name, s in services.items() if "--replSet" in (s.get("command") or [])]
    assert len(members) == 3
    init = services["mongo-init"]
    assert set(init["depends_on"]) == set(members)
    script = init["command"][-1]
    for member in members:
        assert f'host: "{member}:27017"' in script
    apis = [name for name, s in services.items() if s.get("build")]
    assert len(apis) == 2
    for name in apis:
        api = services[name]
        url = api["environment"]["MONGODB_URL"]
        assert "replicaSet=rs0" in url and all(member in url for member in members)
        assert api["depends_on"]["mongo-init"]["condition"] == "service_completed_successfully"
