"""The HTTP edge of the real `graphql-api serve`: the graphql-http conformance audit
(GraphQL over HTTP, every MUST, SHOULD and MAY) and the transport guarantees over a
real socket (uvicorn's parsing, not the in-process ASGI client)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import without_cost
from tests.servers import clean_env, serve, status, wait_for
from tests.ws import GraphQLWebSocket, errors_of

AUDIT_DIR = Path(__file__).parent / "http_audit"
APP_ORIGIN = "https://app.example.com"


@pytest.fixture(scope="module")
def server(mongodb_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = clean_env(
        MONGODB_URL=mongodb_url,
        MONGODB_DATABASE=f"graphql_api_http_{uuid.uuid4().hex[:8]}",
        ALLOWED_ORIGINS=APP_ORIGIN,
    )
    with serve(env, tmp_path_factory.mktemp("http")) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        yield base


def audit(url: str, *flags: str) -> tuple[int, dict]:
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node and npm are not installed: the graphql-http audit needs them")
    if not (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=AUDIT_DIR, check=True, timeout=600
        )
    result = subprocess.run(
        ["node", "audit.mjs", url, "--json", *flags],
        cwd=AUDIT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_the_graphql_over_http_audit_passes_every_must_should_and_may(server):
    returncode, report = audit(f"{server}/graphql")
    assert report["failures"] == [], json.dumps(report["failures"], indent=2)
    assert returncode == 0
    levels = report["levels"]
    # The audit of graphql-http 1.23.1 (pinned in the lock file): 13 MUST, 23 SHOULD, 25 MAY.
    assert {level: counts["ok"] for level, counts in levels.items()} == {
        "MUST": 13,
        "SHOULD": 23,
        "MAY": 25,
    }


def test_with_ambient_credentials_only_the_get_audits_are_refused(server):
    # CSRF prevention at work: a GET carrying what a browser attaches by itself
    # (a cookie), with no preflight header, is not executed.
    returncode, report = audit(f"{server}/graphql", "--with-cookie")
    assert returncode == 1
    assert {failure["id"] for failure in report["failures"]} == {"5A70", "D6D5", "6A70"}
    for failure in report["failures"]:
        assert failure["status"] == 400
        assert json.loads(failure["body"])["errors"][0]["extensions"]["code"] == (
            "PREFLIGHT_REQUIRED"
        )


@pytest.mark.parametrize(
    ("body", "content_type", "status_code", "code"),
    [
        (b'{"query": "{ \xff }"}', "application/json", 400, "BAD_REQUEST"),
        (b"null", "application/json", 400, "BAD_REQUEST"),
        (b"", "application/json", 400, "BAD_REQUEST"),
        (b'[{"query": "{ __typename }"}]', "application/json", 400, "BATCH_NOT_SUPPORTED"),
        (b'{"query": "{ __typename }"}', "application/xml", 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b'{"query": "{ __typename }"}', "text/plain", 400, "PREFLIGHT_REQUIRED"),
    ],
)
def test_transport_errors_over_a_real_socket(server, body, content_type, status_code, code):
    response = httpx.post(
        f"{server}/graphql", content=body, headers={"content-type": content_type}, timeout=10
    )
    assert response.status_code == status_code, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"][0]["extensions"]["code"] == code


def test_a_chunked_body_without_length_is_parsed_and_checked(server):
    def chunks() -> Iterator[bytes]:
        yield b'{"query": '
        yield b'"{ __typename }"}'

    response = httpx.post(
        f"{server}/graphql",
        content=chunks(),
        headers={"content-type": "application/json", "accept": "application/graphql-response+json"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/graphql-response+json"
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


def test_a_form_post_cannot_sign_up(server):
    mutation = (
        'mutation { signUp(input: {username: "formpost", email: "formpost@example.com", '
        'password: "a long password"}) { token } }'
    )
    response = httpx.post(
        f"{server}/graphql",
        data={"query": mutation},  # what an HTML form on another site sends
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PREFLIGHT_REQUIRED"
    login = httpx.post(
        f"{server}/graphql",
        json={
            "query": 'mutation { login(input: {username: "formpost", '
            'password: "a long password"}) { token } }'
        },
        timeout=30,
    )
    assert login.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_cors_preflight_and_compression_over_a_real_socket(server):
    response = httpx.options(
        f"{server}/graphql",
        headers={
            "origin": APP_ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, authorization",
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    response = httpx.options(
        f"{server}/graphql",
        headers={"origin": "https://evil.test", "access-control-request-method": "POST"},
        timeout=10,
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers

    for encoding in ("gzip", "br"):
        response = httpx.post(
            f"{server}/graphql",
            json={"query": "{ __schema { types { name fields { name } } } }"},
            headers={"accept-encoding": encoding, "origin": APP_ORIGIN},
            timeout=10,
        )
        assert response.headers["content-encoding"] == encoding
        assert response.headers["access-control-allow-origin"] == APP_ORIGIN
        assert response.json()["data"]["__schema"]["types"]


def test_no_suggestions_without_introspection(mongodb_url, tmp_path):
    from tests.test_http import TYPOS

    typos = [param.values[0] for param in TYPOS] + [
        {
            "query": "query ($s: PostSort!) { posts(sort: $s) { totalCount } }",
            "variables": {"s": "NEWEST_FIRTS"},
        }
    ]
    env = clean_env(
        MONGODB_URL=mongodb_url,
        MONGODB_DATABASE=f"graphql_api_http_{uuid.uuid4().hex[:8]}",
        INTROSPECTION="false",
    )
    with serve(env, tmp_path) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        for body in typos:
            for accept in ("application/json", "application/graphql-response+json"):
                response = httpx.post(
                    f"{base}/graphql", json=body, headers={"accept": accept}, timeout=10
                )
                messages = " ".join(error["message"] for error in response.json()["errors"])
                assert "Did you mean" not in messages, body
                assert any(t in messages for t in ("usernme", "frist", "FIRTS", "PostFiltr"))
        # Over WebSocket too: Strawberry sends a refusal there before the operation ends.
        asyncio.run(_no_suggestions_over_websocket(base, typos))


async def _no_suggestions_over_websocket(base: str, typos: list[dict]) -> None:
    async with GraphQLWebSocket(base) as ws:
        for body in typos:
            operation = await ws.subscribe(body["query"], body.get("variables"))
            messages = " ".join(e["message"] for e in errors_of(await ws.next_payload(operation)))
            assert messages, body
            assert "Did you mean" not in messages, body
