"""Persisted operations: APQ as Apollo clients speak it (POST and cacheable GET), the
bounded registry, and the trusted-documents mode that refuses every other document."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.persisted import QueryRegistry, document_hash, load_manifest
from tests.conftest import make_settings
from tests.factories import without_cost
from tests.servers import clean_env, serve, status, wait_for

# Introspection-only documents: these apps run without a database (a second app with a
# lifespan would re-bind Beanie's models to its own client, which then closes).
MULTILINE = 'query Count {\n  __type(name: "Query") {\n    name\n  }\n}'
QUERY = MULTILINE
OTHER = "query Other { __typename }"
CODEGEN = Path(__file__).resolve().parent.parent / "codegen"
MANIFESTS = [
    CODEGEN / "typescript" / "src" / "gql" / "persisted-documents.json",
    CODEGEN / "python" / "persisted-documents.json",
]
# Apollo clients send one of these on GET, which the CSRF protection asks for.
PREFLIGHT = {"apollo-require-preflight": "true"}


def apq(key: str, version: int = 1) -> dict:
    return {"persistedQuery": {"version": version, "sha256Hash": key}}


async def client_for(mongodb_url: str, **overrides) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(mongodb_url, **overrides))  # no lifespan: see above
    transport = httpx.ASGITransport(app=app)
    # JSON as Apollo clients ask for it (answers stay 200 with errors, whatever else
    # the server negotiates for application/graphql-response+json).
    headers = {"accept": "application/json"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as http:
        yield http


@pytest.fixture
async def http(mongodb_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(mongodb_url, get_cache_max_age_s=60):
        yield client


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({document_hash(QUERY): QUERY}))
    return path


def code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


async def test_apq_registers_on_retry_then_runs_by_hash(http):
    key = document_hash(QUERY)
    for name in (None, "Count"):  # Apollo clients name their operations
        miss = (
            await http.post("/graphql", json={"extensions": apq(key), "operationName": name})
        ).json()
        assert without_cost(miss) == {
            "data": None,
            "errors": [
                {
                    "message": "PersistedQueryNotFound",  # what Apollo Link checks
                    "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
                }
            ],
        }

    full = await http.post("/graphql", json={"query": QUERY, "extensions": apq(key)})
    assert without_cost(full.json()) == {"data": {"__type": {"name": "Query"}}}

    by_hash = await http.post("/graphql", json={"extensions": apq(key), "operationName": "Count"})
    assert without_cost(by_hash.json()) == {"data": {"__type": {"name": "Query"}}}


async def test_apq_get_is_cacheable_for_anonymous_viewers_only(http):
    key = document_hash(QUERY)
    await http.post("/graphql", json={"query": QUERY, "extensions": apq(key)})
    params = {"extensions": json.dumps(apq(key)), "variables": "{}"}

    anonymous = await http.get("/graphql", params=params, headers=PREFLIGHT)
    assert without_cost(anonymous.json()) == {"data": {"__type": {"name": "Query"}}}
    assert anonymous.headers["cache-control"] == "public, max-age=60"
    assert "authorization" in anonymous.headers["vary"].lower()

    signed_in = await http.get(
        "/graphql", params=params, headers={**PREFLIGHT, "authorization": "Bearer whatever"}
    )
    assert signed_in.headers["cache-control"] == "private, no-store"

    unknown = await http.get(
        "/graphql",
        params={"extensions": json.dumps(apq(document_hash(OTHER)))},
        headers=PREFLIGHT,
    )
    assert code(unknown.json()) == "PERSISTED_QUERY_NOT_FOUND"
    assert unknown.headers["cache-control"] == "no-store"  # a CDN must not keep the miss


async def test_post_responses_carry_no_cache_header(http):
    response = await http.post("/graphql", json={"query": QUERY})
    assert "cache-control" not in response.headers


async def test_a_hash_that_does_not_match_the_query_is_refused_and_not_registered(http):
    key = document_hash(OTHER)
    bad = (await http.post("/graphql", json={"query": QUERY, "extensions": apq(key)})).json()
    assert code(bad) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert "data" not in bad or bad["data"] is None
    # The lie did not poison the registry: the hash still resolves to nothing.
    miss = (await http.post("/graphql", json={"extensions": apq(key)})).json()
    assert code(miss) == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    ("extensions", "expected"),
    [
        (apq(document_hash(QUERY), version=2), "PERSISTED_QUERY_NOT_SUPPORTED"),
        ({"persistedQuery": "x"}, "PERSISTED_QUERY_NOT_SUPPORTED"),
        (apq("NOT-A-HASH"), "BAD_USER_INPUT"),
        (apq(document_hash(QUERY).upper()), "BAD_USER_INPUT"),
        ({"persistedQuery": {"version": 1, "sha256Hash": 12}}, "BAD_USER_INPUT"),
    ],
)
async def test_malformed_persisted_queries_are_coded_errors(http, extensions, expected):
    response = await http.post("/graphql", json={"query": QUERY, "extensions": extensions})
    assert response.status_code == 200
    assert code(response.json()) == expected


async def test_invalid_queries_are_not_registered(http):
    broken = "{ noSuchField }"
    key = document_hash(broken)
    first = (await http.post("/graphql", json={"query": broken, "extensions": apq(key)})).json()
    assert code(first) == "GRAPHQL_VALIDATION_FAILED"
    again = (await http.post("/graphql", json={"extensions": apq(key)})).json()
    assert code(again) == "PERSISTED_QUERY_NOT_FOUND"


async def test_mutations_by_hash_are_still_refused_over_get(http):
    mutation = 'mutation { login(input: {username: "x", password: "y"}) { token } }'
    key = document_hash(mutation)
    await http.post("/graphql", json={"query": mutation, "extensions": apq(key)})
    response = await http.get(
        "/graphql", params={"extensions": json.dumps(apq(key))}, headers=PREFLIGHT
    )
    assert response.status_code in (400, 405)


def test_the_registry_is_bounded_in_count_and_size():
    registry = QueryRegistry(max_entries=3, max_chars=100)
    for index in range(5):
        registry.put(f"k{index}", "x" * 10)
    assert len(registry) == 3 and registry.get("k0") is None and registry.get("k4")
    registry.get("k2")  # recently used: survives the next eviction
    registry.put("big", "y" * 80)
    assert registry.get("k2") is not None and registry.get("k3") is None
    assert registry.chars <= 100
    registry.put("huge", "z" * 101)
    assert registry.get("huge") is None


def test_a_manifest_whose_hash_lies_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({document_hash(OTHER): QUERY}))
    with pytest.raises(ValueError, match="not the SHA-256"):
        load_manifest(path)
    apollo = tmp_path / "apollo.json"
    apollo.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": document_hash(QUERY), "body": QUERY, "name": "Count"}],
            }
        )
    )
    assert load_manifest(apollo) == {document_hash(QUERY): QUERY}


async def test_trusted_documents_only_runs_the_manifest(mongodb_url, manifest):
    async for http in client_for(
        mongodb_url, trusted_documents=str(manifest), trusted_documents_only=True
    ):
        key = document_hash(QUERY)
        ok = {"data": {"__type": {"name": "Query"}}}
        # By documentId (GraphQL over HTTP), by APQ hash, by the exact text, over GET too.
        assert (
            without_cost((await http.post("/graphql", json={"documentId": f"sha256:{key}"})).json())
            == ok
        )
        assert (
            without_cost((await http.post("/graphql", json={"extensions": apq(key)})).json()) == ok
        )
        assert without_cost((await http.post("/graphql", json={"query": QUERY})).json()) == ok
        # Indented as in a client's source: whitespace aside, it is the manifest's text.
        indented = "\n" + "\n".join("    " + line for line in MULTILINE.split("\n")) + "\n  "
        assert without_cost((await http.post("/graphql", json={"query": indented})).json()) == ok
        got = await http.get("/graphql", params={"documentId": key}, headers=PREFLIGHT)
        assert without_cost(got.json()) == ok

        # Anything else is refused, however it is sent; APQ cannot register it.
        for body in (
            {"query": OTHER},
            {"query": QUERY.replace('"Query"', '"Mutation"')},
            {"query": QUERY + " query Extra { __typename }"},
            {"query": OTHER, "extensions": apq(document_hash(OTHER))},
            {"query": "{ __schema { types { name } } }"},
        ):
            refused = (await http.post("/graphql", json=body)).json()
            assert code(refused) == "PERSISTED_QUERY_NOT_IN_LIST", body
            assert refused.get("data") is None
        for body in (
            {"extensions": apq(document_hash(OTHER))},
            {"documentId": document_hash(OTHER)},
        ):
            assert code((await http.post("/graphql", json=body)).json()) == (
                "PERSISTED_QUERY_NOT_FOUND"
            )
        both = await http.post("/graphql", json={"documentId": key, "query": QUERY})
        assert code(both.json()) == "BAD_USER_INPUT"


async def test_trusted_documents_without_only_still_run_other_queries(mongodb_url, manifest):
    async for http in client_for(mongodb_url, trusted_documents=str(manifest)):
        assert without_cost((await http.post("/graphql", json={"query": OTHER})).json()) == {
            "data": {"__typename": "Query"}
        }
        key = document_hash(QUERY)
        assert without_cost((await http.post("/graphql", json={"documentId": key})).json()) == {
            "data": {"__type": {"name": "Query"}}
        }


def test_trusted_only_without_a_manifest_does_not_start(mongodb_url, tmp_path):
    with pytest.raises(ValueError, match="TRUSTED_DOCUMENTS"):
        make_settings(mongodb_url, trusted_documents_only=True)
    with pytest.raises(ValueError, match="cannot read"):
        create_app(make_settings(mongodb_url, trusted_documents=str(tmp_path / "missing.json")))


def test_each_worker_of_a_real_server_answers_apq(tmp_path):
    """The real `serve`: an APQ miss, the retry, then hits over GET, all over TCP."""
    env = clean_env(
        EMBEDDED_DATA_DIR=str(tmp_path / "data"),
        MONGODB_DATABASE="persisted",
        GET_CACHE_MAX_AGE_S="30",
        TRUSTED_DOCUMENTS=str(MANIFESTS[0]),  # the TypeScript client's manifest
    )
    key = document_hash(OTHER)
    params = {"extensions": json.dumps(apq(key))}
    with serve(env, tmp_path) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        miss = httpx.get(f"{base}/graphql", params=params, headers=PREFLIGHT, timeout=10)
        assert code(miss.json()) == "PERSISTED_QUERY_NOT_FOUND"
        httpx.post(
            f"{base}/graphql", json={"query": OTHER, "extensions": apq(key)}, timeout=10
        ).raise_for_status()
        for _ in range(3):
            hit = httpx.get(f"{base}/graphql", params=params, headers=PREFLIGHT, timeout=10)
            assert without_cost(hit.json()) == {"data": {"__typename": "Query"}}
            assert hit.headers["cache-control"] == "public, max-age=30"
        # A document of the TypeScript client's manifest, by the id it carries in __meta__.
        feed = [k for k, d in load_manifest(MANIFESTS[0]).items() if d.startswith("query Feed")]
        body = httpx.post(
            f"{base}/graphql", json={"documentId": f"sha256:{feed[0]}"}, timeout=10
        ).json()
        assert body["data"]["posts"]["edges"] == [], body


async def test_every_document_of_the_codegen_manifests_is_valid_here(mongodb_url):
    """The manifests the clients ship run on this schema, by documentId, trusted-only."""
    async for http in client_for(
        mongodb_url,
        trusted_documents=",".join(map(str, MANIFESTS)),
        trusted_documents_only=True,
    ):
        for path in MANIFESTS:
            documents = load_manifest(path)
            assert len(documents) == 8, path
            for key, document in documents.items():
                if document.startswith("subscription"):
                    continue  # WebSockets: tested by tests/test_codegen.py
                body = (await http.post("/graphql", json={"documentId": key})).json()
                codes = {error["extensions"]["code"] for error in body.get("errors", [])}
                # Missing variables, no viewer, no database here (the real server below
                # runs one), but never an unknown or invalid document.
                allowed = {"BAD_USER_INPUT", "UNAUTHENTICATED", "DB_UNAVAILABLE"}
                assert body.get("errors") and codes <= allowed, (document, body)
