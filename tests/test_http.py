"""GraphQL over HTTP at the edge: media types and status codes, coded transport errors,
CSRF prevention, CORS, compression, and no name suggestions without introspection.

In-process over ASGI (the same app `serve` runs); tests/test_http_serve.py repeats the
essentials against the real server and runs the graphql-http conformance audit.
"""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
from pydantic import ValidationError

from graphql_api.app import create_app
from graphql_api.extensions.suggestions import without_suggestions
from graphql_api.http.negotiation import GRAPHQL_RESPONSE_JSON, JSON, negotiate
from tests.conftest import make_settings
from tests.factories import without_cost

GR = GRAPHQL_RESPONSE_JSON
PREFLIGHT = {"apollo-require-preflight": "true"}


@asynccontextmanager
async def client_for(mongodb_url: str, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app built with other settings (CORS, CSRF, compression, introspection).

    No lifespan: Beanie's models are bound once per process (by the session's app), and
    these tests send only operations that never reach the database.
    """
    app = create_app(make_settings(mongodb_url, **overrides))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def post(http: httpx.AsyncClient, body: Any, accept: str | None = None, **headers: str):
    if accept is not None:
        headers["accept"] = accept
    return http.post(
        "/graphql",
        content=orjson.dumps(body),
        headers={"content-type": "application/json", **headers},
    )


def code_of(response: httpx.Response) -> str:
    assert response.headers["content-type"].split(";")[0] in (JSON, GR), response.headers
    return response.json()["errors"][0]["extensions"]["code"]


# --- media types and status codes ------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (JSON, JSON),
        (GR, GR),
        (f"{GR}, {JSON};q=0.9", GR),
        (f"{JSON}, {GR};q=0.9", JSON),
        (f"{JSON};q=0.5, {GR};q=0.8", GR),
        (f"{JSON}, {GR}", GR),  # both named: the new type
        (f"{GR};q=0, */*", JSON),
        (f"{GR}, {JSON};q=0", GR),
        (f"{JSON};q=0, {GR};q=0", None),
        ("text/csv", None),
        ("text/html;q=0.9", None),
        ("multipart/mixed", JSON),
        (f"{GR};q=nonsense, {JSON}", JSON),
        (f"{GR.upper()}", GR),
    ],
)
def test_accept_negotiation(accept, expected):
    assert negotiate(accept) == expected


@pytest.mark.parametrize("accept", [None, "*/*", JSON, GR, f"{GR}, {JSON};q=0.9"])
async def test_a_result_is_200_in_the_negotiated_type(http, accept):
    response = await post(http, {"query": "query Q { __typename }", "operationName": "Q"}, accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == negotiate(accept)
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


async def test_answers_vary_by_accept(http):
    # A cache in front of GET queries must not serve one media type for the other.
    response = await http.get("/graphql", params={"query": "{ __typename }"}, headers=PREFLIGHT)
    assert "accept" in [v.strip().lower() for v in response.headers["vary"].split(",")]
    response = await post(http, {"query": "{"}, GR)
    assert "accept" in [v.strip().lower() for v in response.headers["vary"].split(",")]


REQUEST_ERRORS = [
    pytest.param({"query": "{"}, "GRAPHQL_PARSE_FAILED", id="parse"),
    pytest.param({"query": "{ noSuchField }"}, "GRAPHQL_VALIDATION_FAILED", id="validation"),
    pytest.param(
        {"query": "query ($id: ID!) { user(id: $id) { id } }", "variables": {"id": None}},
        None,
        id="variables",
    ),
]


@pytest.mark.parametrize(("body", "code"), REQUEST_ERRORS)
async def test_request_errors_are_400_without_data_in_graphql_response_json(http, body, code):
    response = await post(http, body, GR)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == GR
    payload = response.json()
    assert "data" not in payload
    assert payload["errors"]
    if code:
        assert payload["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize(("body", "code"), REQUEST_ERRORS)
async def test_request_errors_stay_200_in_application_json(http, body, code):
    response = await post(http, body, JSON)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON
    assert response.json()["errors"]


async def test_field_errors_are_200_with_data_in_both_types(http):
    # `users` is for admins: a resolver error, with a path; the operation ran.
    for accept in (GR, JSON):
        response = await post(http, {"query": "{ users { totalCount } }"}, accept)
        assert response.status_code == 200, response.text
        payload = response.json()
        assert "data" in payload
        assert payload["errors"][0]["path"] == ["users"]
        assert payload["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- transport errors -------------------------------------------------------------

TRANSPORT_ERRORS = [
    pytest.param(b"", JSON, 400, "BAD_REQUEST", id="empty body"),
    pytest.param(b"   \n", JSON, 400, "BAD_REQUEST", id="blank body"),
    pytest.param(b"null", JSON, 400, "BAD_REQUEST", id="null"),
    pytest.param(b"42", JSON, 400, "BAD_REQUEST", id="number"),
    pytest.param(b'"{ __typename }"', JSON, 400, "BAD_REQUEST", id="string"),
    pytest.param(b"{not json", JSON, 400, "BAD_REQUEST", id="bad json"),
    pytest.param(b'{"query": "\xff\xfe"}', JSON, 400, "BAD_REQUEST", id="invalid utf-8"),
    pytest.param(b'{"query": "\xed\xa0\x80"}', JSON, 400, "BAD_REQUEST", id="utf-8 surrogate"),
    pytest.param(b"\xef\xbb\xbf{}", JSON, 400, "BAD_REQUEST", id="bom"),
    pytest.param(b'[{"query": "{ __typename }"}]', JSON, 400, "BATCH_NOT_SUPPORTED", id="batch"),
    pytest.param(b"[]", JSON, 400, "BATCH_NOT_SUPPORTED", id="empty batch"),
    pytest.param(b"{}", JSON, 400, "BAD_REQUEST", id="no query"),
    pytest.param(b'{"query": null}', JSON, 400, "BAD_REQUEST", id="null query"),
    pytest.param(b'{"query": 1}', JSON, 400, "BAD_REQUEST", id="number query"),
    pytest.param(b'{"query": ["{ a }"]}', JSON, 400, "BAD_REQUEST", id="list query"),
    pytest.param(b'{"query": {"a": 1}}', JSON, 400, "BAD_REQUEST", id="object query"),
    pytest.param(
        b'{"query": "{ __typename }", "variables": []}', JSON, 400, "BAD_REQUEST", id="vars list"
    ),
    pytest.param(
        b'{"query": "{ __typename }", "variables": "{}"}', JSON, 400, "BAD_REQUEST", id="vars str"
    ),
    pytest.param(
        b'{"query": "{ __typename }", "extensions": 1}', JSON, 400, "BAD_REQUEST", id="ext num"
    ),
    pytest.param(
        b'{"query": "{ __typename }", "operationName": 7}', JSON, 400, "BAD_REQUEST", id="op num"
    ),
    pytest.param(
        b'{"query": "{ __typename }"}', "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE", id="text"
    ),
    pytest.param(
        b'{"query": "{ __typename }"}', "application/xml", 415, "UNSUPPORTED_MEDIA_TYPE", id="xml"
    ),
    pytest.param(
        b"query=%7B__typename%7D",
        "application/x-www-form-urlencoded",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        id="form",
    ),
    pytest.param(
        b'{"query": "{ __typename }"}', None, 415, "UNSUPPORTED_MEDIA_TYPE", id="no content type"
    ),
]


@pytest.mark.parametrize(("body", "content_type", "status", "code"), TRANSPORT_ERRORS)
@pytest.mark.parametrize("accept", [None, GR])
async def test_transport_errors_are_coded_json(http, body, content_type, status, code, accept):
    headers = dict(PREFLIGHT)  # past CSRF prevention: these test the view itself
    if content_type:
        headers["content-type"] = content_type
    if accept:
        headers["accept"] = accept
    response = await http.post("/graphql", content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == (accept or JSON)
    assert code_of(response) == code
    assert "data" not in response.json()


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
async def test_other_methods_are_405_in_json(http, method):
    response = await http.request(method, "/graphql", headers=PREFLIGHT)
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    if method != "HEAD":
        assert code_of(response) == "METHOD_NOT_ALLOWED"


async def test_a_mutation_over_get_is_405_and_not_executed(http, db):
    mutation = (
        'mutation { signUp(input: {username: "viaget", email: "viaget@example.com", '
        'password: "a long password"}) { token } }'
    )
    for accept in (None, GR):
        headers = PREFLIGHT | ({"accept": accept} if accept else {})
        response = await http.get("/graphql", params={"query": mutation}, headers=headers)
        assert response.status_code == 405, response.text
        assert response.headers["allow"] == "POST"
        assert code_of(response) == "METHOD_NOT_ALLOWED"
    assert await db["users"].count_documents({}) == 0


async def test_get_with_bad_variables_is_coded(http):
    query = "query%20(%24n%3A%20Int)%20%7B%20__typename%20%7D"
    for variables in ("%7Bnot%20json", "%5B1%5D", "%22x%22", "%FF", "%7B%22n%22%3A%FF%7D"):
        response = await http.get(
            f"/graphql?query={query}&variables={variables}", headers=PREFLIGHT
        )
        assert response.status_code == 400, response.text
        assert code_of(response) == "BAD_REQUEST"


async def test_an_unacceptable_accept_is_406(http):
    response = await post(http, {"query": "{ __typename }"}, "text/csv")
    assert response.status_code == 406
    assert code_of(response) == "NOT_ACCEPTABLE"


@pytest.mark.parametrize(
    "body",
    [
        {"query": "subscription { postPublished { id } }"},
        {
            "query": "query A { __typename } subscription B { postPublished { id } }",
            "operationName": "B",
        },
    ],
)
async def test_a_subscription_over_http_points_to_the_websocket(http, body):
    response = await post(http, body, JSON)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "WEBSOCKET_REQUIRED"
    assert "WebSocket" in error["message"]
    params = {"query": body["query"]} | (
        {"operationName": body["operationName"]} if "operationName" in body else {}
    )
    response = await http.get("/graphql", params=params, headers=PREFLIGHT)
    assert code_of(response) == "WEBSOCKET_REQUIRED"
    # The query of the same document still runs.
    response = await post(http, {**body, "operationName": "A"}, JSON)
    if "query A" in body["query"]:
        assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


# --- CSRF prevention --------------------------------------------------------------

SIGN_UP = (
    'mutation { signUp(input: {username: "csrf", email: "csrf@example.com", '
    'password: "a long password"}) { token } }'
)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
        None,
    ],
)
async def test_simple_posts_are_refused_before_anything_runs(http, db, content_type):
    headers = {} if content_type is None else {"content-type": content_type}
    body = orjson.dumps({"query": SIGN_UP})
    response = await http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 400
    assert code_of(response) == "PREFLIGHT_REQUIRED"
    assert await db["users"].count_documents({}) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"cookie": "session=1"},
        {"cookie": "session=1", "apollo-require-preflight": ""},
        {"cookie": "session=1", "x-apollo-operation-name": "  "},
        {"authorization": "Basic YWRtaW46YWRtaW4="},  # browsers attach cached Basic creds
        {"cookie": "session=1", "content-type": "text/plain"},
    ],
)
async def test_gets_with_ambient_credentials_and_no_preflight_are_refused(http, headers):
    response = await http.get("/graphql", params={"query": "{ __typename }"}, headers=headers)
    assert response.status_code == 400
    assert code_of(response) == "PREFLIGHT_REQUIRED"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # nothing a browser attaches by itself: it runs as anyone could run it
        {"cookie": "session=1", "apollo-require-preflight": "true"},
        {"cookie": "session=1", "x-apollo-operation-name": "Q"},
        {"cookie": "session=1", "content-type": "application/json"},
    ],
)
async def test_gets_a_browser_must_preflight_or_without_credentials_run(http, headers):
    response = await http.get("/graphql", params={"query": "{ __typename }"}, headers=headers)
    assert response.status_code == 200, response.text
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


async def test_a_get_with_a_bearer_token_passes_csrf_prevention(http):
    # No browser adds a bearer token by itself: the operation runs (and this token is refused).
    headers = {"cookie": "session=1", "authorization": "Bearer not-a-real-token"}
    response = await http.get("/graphql", params={"query": "{ __typename }"}, headers=headers)
    assert code_of(response) == "UNAUTHENTICATED"


async def test_the_explorer_page_needs_no_preflight(http):
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_csrf_prevention_can_be_turned_off(mongodb_url):
    async with client_for(mongodb_url, csrf_prevention=False) as http:
        response = await http.get("/graphql", params={"query": "{ __typename }"})
        assert response.status_code == 200


# --- CORS ---------------------------------------------------------------------------

APP_ORIGIN = "https://app.example.com"


def preflight(http: httpx.AsyncClient, origin: str, headers: str = "content-type"):
    return http.options(
        "/graphql",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": headers,
        },
    )


async def test_by_default_no_other_origin_is_allowed(http):
    response = await preflight(http, APP_ORIGIN)
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    assert code_of(response) == "CORS_NOT_ALLOWED"
    response = await post(http, {"query": "{ __typename }"}, origin=APP_ORIGIN)
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_allowed_origins_get_preflights_and_headers(mongodb_url):
    async with client_for(mongodb_url, allowed_origins=f"{APP_ORIGIN}/") as http:
        response = await preflight(http, APP_ORIGIN, "content-type, authorization")
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == APP_ORIGIN
        assert "POST" in response.headers["access-control-allow-methods"]
        allowed = response.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed
        assert "apollo-require-preflight" in allowed
        assert "access-control-allow-credentials" not in response.headers

        response = await post(http, {"query": "{ __typename }"}, origin=APP_ORIGIN)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == APP_ORIGIN
        assert "origin" in response.headers["vary"].lower()

        evil = "https://app.example.com.evil.test"
        response = await preflight(http, evil)
        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers
        response = await post(http, {"query": "{ __typename }"}, origin=evil)
        assert "access-control-allow-origin" not in response.headers

        response = await preflight(http, APP_ORIGIN, "x-not-allowed")
        assert response.status_code == 400


async def test_credentials_are_only_for_named_origins(mongodb_url):
    async with client_for(
        mongodb_url, allowed_origins=APP_ORIGIN, cors_allow_credentials=True
    ) as http:
        response = await preflight(http, APP_ORIGIN)
        assert response.headers["access-control-allow-origin"] == APP_ORIGIN
        assert response.headers["access-control-allow-credentials"] == "true"
    async with client_for(mongodb_url, allowed_origins="*") as http:
        response = await post(
            http, {"query": "{ __typename }"}, origin="https://any.test", cookie="a=b"
        )
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
    with pytest.raises(ValidationError, match="CORS_ALLOW_CREDENTIALS"):
        make_settings(mongodb_url, allowed_origins="*", cors_allow_credentials=True)
    with pytest.raises(ValidationError, match="not an origin"):
        make_settings(mongodb_url, allowed_origins="https://app.example.com/path")


# --- compression --------------------------------------------------------------------

BIG = "{ __schema { types { name description fields { name description } } } }"


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
async def test_large_responses_are_compressed(http, encoding):
    response = await post(http, {"query": BIG}, GR, **{"accept-encoding": encoding})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == encoding
    assert "accept-encoding" in response.headers["vary"].lower()
    assert int(response.headers["content-length"]) < len(response.content) / 3
    assert response.json()["data"]["__schema"]["types"]  # httpx decoded it


async def test_compression_prefers_what_the_client_accepts(http):
    response = await post(http, {"query": BIG}, None, **{"accept-encoding": "gzip;q=1, br;q=0"})
    assert response.headers["content-encoding"] == "gzip"


async def test_gzip_bytes_are_real_gzip(app, db):
    # Read the bytes on the wire, undecoded.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        request = http.build_request(
            "POST",
            "/graphql",
            content=orjson.dumps({"query": BIG}),
            headers={"content-type": JSON, "accept-encoding": "gzip"},
        )
        response = await http.send(request, stream=True)
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
    assert orjson.loads(gzip.decompress(raw))["data"]["__schema"]


async def test_small_responses_and_no_accept_encoding_are_not_compressed(http):
    response = await post(http, {"query": "{ __typename }"}, None, **{"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers
    response = await post(http, {"query": BIG}, None, **{"accept-encoding": "identity"})
    assert "content-encoding" not in response.headers


async def test_compression_threshold_is_a_setting(mongodb_url):
    async with client_for(mongodb_url, compression_min_bytes=0) as http:
        response = await post(http, {"query": BIG}, None, **{"accept-encoding": "gzip"})
        assert "content-encoding" not in response.headers
    async with client_for(mongodb_url, compression_min_bytes=10) as http:
        response = await post(http, {"query": "{ __typename }"}, None, **{"accept-encoding": "br"})
        assert response.headers["content-encoding"] == "br"


# --- no suggestions without introspection ------------------------------------------

TYPOS = [
    pytest.param({"query": "{ me { usernme } }"}, id="field"),
    pytest.param({"query": "{ posts(frist: 1) { totalCount } }"}, id="argument"),
    pytest.param({"query": "{ posts(sort: NEWEST_FIRTS) { totalCount } }"}, id="enum literal"),
    # (a typo in a variable's enum value: tests/test_http_serve.py, it needs the database)
    pytest.param(
        {"query": "query ($f: PostFiltr) { posts(filter: $f) { totalCount } }"}, id="type"
    ),
]


@pytest.mark.parametrize("body", TYPOS)
async def test_suggestions_only_with_introspection(http, mongodb_url, body):
    response = await post(http, body, JSON)
    with_introspection = response.json()["errors"]
    assert any("Did you mean" in error["message"] for error in with_introspection)

    async with client_for(mongodb_url, introspection=False) as closed:
        for accept in (JSON, GR):
            response = await post(closed, body, accept)
            errors = response.json()["errors"]
            assert errors, response.text
            messages = " ".join(error["message"] for error in errors)
            assert "Did you mean" not in messages
            assert any(typo in messages for typo in ("usernme", "frist", "FIRTS", "PostFiltr"))


def test_without_suggestions():
    assert without_suggestions("Cannot query field 'a' on type 'B'. Did you mean 'b'?") == (
        "Cannot query field 'a' on type 'B'."
    )
    assert without_suggestions("x. Did you mean 'a', 'b', or 'c'?") == "x."
    assert without_suggestions("x. Did you mean the enum value 'A'?") == "x."
    assert without_suggestions("no suggestion here") == "no suggestion here"


async def test_incremental_directives_are_read_from_the_document(http):
    # `@ defer` is the same directive: it needs multipart/mixed like `@defer`.
    spaced = {"query": "{ ... @ defer { __typename } }"}
    response = await post(http, spaced, JSON)
    assert response.status_code == 406
    assert code_of(response) == "NOT_ACCEPTABLE"
    # "@defer" in a comment is no directive: an ordinary answer.
    commented = {"query": "{ __typename # not @defer, not @stream\n}"}
    response = await post(http, commented, JSON)
    assert response.status_code == 200, response.text
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


async def test_csrf_prevention_holds_under_a_root_path(mongodb_url):
    app = create_app(make_settings(mongodb_url))
    transport = httpx.ASGITransport(app=app, root_path="/api")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get(
            "/api/graphql", params={"query": "{ __typename }"}, headers={"cookie": "a=b"}
        )
    assert response.status_code == 400
    assert code_of(response) == "PREFLIGHT_REQUIRED"


async def test_a_deferred_get_is_never_cached_publicly(mongodb_url):
    async with client_for(mongodb_url, get_cache_max_age_s=60) as client:
        response = await client.get(
            "/graphql",
            params={"query": "{ ... @defer { __typename } }"},
            headers={"accept": "multipart/mixed"},
        )
    assert response.status_code == 200
    assert "errors" not in response.text.split("\r\n\r\n", 1)[-1][:200]
    assert "public" not in response.headers.get("cache-control", "")


async def test_a_body_is_decoded_once(http, monkeypatch):
    # The view's transport check decodes the body; Strawberry's parse reuses it.
    # Both look the decoder up in graphql_api.http.body, so it is counted there.
    import graphql_api.http.body as body

    calls = []
    original = body.decode_json
    monkeypatch.setattr(body, "decode_json", lambda data: calls.append(1) or original(data))
    response = await http.post("/graphql", json={"query": "{ __typename }"})
    assert response.json()["data"] == {"__typename": "Query"}
    assert len(calls) == 1


@pytest.mark.parametrize(
    "data",
    [
        b'{"query": "{ __typename }"}',
        '{"query": "{ __typename }"}',
        b'\xef\xbb\xbf{"a": 1}',  # a UTF-8 BOM in bytes: accepted, as json.loads does
        "\ufeff{}",  # ... in text: refused
        '{"a": 1}'.encode("utf-16"),
        '{"a": 1}'.encode("utf-16-le"),
        '{"a": 1}'.encode("utf-32"),
        b"{\x00",
        b'{"a": "\xff"}',
        b'{"a": "\\ud800"}',
        b'{"a": NaN}',
        b"{",
        b"",
        b"[1, 2]",
        b'{"x": 1e400, "y": 123456789012345678901234567890}',
    ],
)
def test_the_shared_decoder_reads_as_json_loads_would(data):
    """One decoder for every body (json.loads with a keyword builds one per call):
    the same values, and the same errors, as `json.loads(data, parse_constant=...)`."""
    import json

    from graphql_api.validation import _loads, _no_constant

    def outcome(decode: Any) -> tuple:
        try:
            return ("value", decode(data))
        except Exception as error:  # the error is what is compared
            return (type(error), str(error))

    assert outcome(_loads) == outcome(lambda d: json.loads(d, parse_constant=_no_constant))
