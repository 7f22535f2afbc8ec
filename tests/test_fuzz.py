"""Hostile input: generated operations, valid and invalid, against the running server.

hypothesis-graphql builds queries and mutations from `schema.graphql` (with
unicode, NUL bytes and extreme numbers in every argument), in its positive mode
(valid documents) and negative mode (documents that break the schema). Whatever
arrives, the server answers with a 2xx/4xx and GraphQL errors that carry a code,
never a 5xx or a leaked internal error, and it is still healthy afterwards.
"""

from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from tests.servers import clean_env, graphql, serve, status, wait_for

SCHEMA = (Path(__file__).resolve().parent.parent / "schema.graphql").read_text()
SCALARS = {
    "DateTime": st.datetimes(timezones=st.just(__import__("datetime").UTC)).map(
        lambda value: nodes.String(value.isoformat())
    ),
    "Decimal": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(
        lambda value: nodes.String(str(value))
    ),
    "JSON": st.dictionaries(st.text(max_size=5), st.integers(), max_size=3).map(
        lambda _: nodes.Object([])
    ),
}
LEAKS = ("traceback", "pymongo", "bson", "errmsg", 'file "')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    env = clean_env(EMBEDDED_DATA_DIR=str(folder / "data"), MONGODB_DATABASE="fuzz")
    with serve(env, folder) as (base, process):
        wait_for(lambda: status(base) == 200, 60, process)
        body = graphql(
            base,
            'mutation { signUp(input: {username: "fuzzer", email: "fuzz@example.com", '
            'password: "a long passphrase"}) { token } }',
        )
        yield base, body["data"]["signUp"]["token"]


def check(base: str, token: str | None, query: str) -> None:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{base}/graphql", json={"query": query}, headers=headers, timeout=60)
    assert response.status_code < 500, (query, response.text)
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        for error in body.get("errors") or ():
            code = (error.get("extensions") or {}).get("code")
            assert code, (query, error)
            assert code != "INTERNAL_SERVER_ERROR", (query, error)
        assert not any(leak in response.text.lower() for leak in LEAKS), (query, response.text)


FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
@pytest.mark.parametrize("signed_in", [False, True])
def test_generated_operations_never_break_the_server(server, mode, signed_in):
    base, token = server

    @FUZZ
    @given(query=from_schema(SCHEMA, custom_scalars=SCALARS, mode=mode))
    def run(query: str) -> None:
        check(base, token if signed_in else None, query)

    run()
    assert status(base) == 200


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00",
        "💥" * 50,
        "ǅ̈́\u202e\u200b",
        "a" * 10_000,
        "' OR 1=1 --",
        '{"$gt": ""}',
        "\ud800",
    ],
)
def test_unicode_and_injection_in_string_arguments(server, text):
    base, token = server
    variables = {"t": text}
    operations = [
        "query($t: String!) { product(sku: $t) { sku } }",
        "query($t: String!) { searchPosts(query: $t) { score } }",
        "query($t: String!) { posts(filter: {tag: $t, search: $t}) { totalCount } }",
        "query($t: ID!) { user(id: $t) { id } node(id: $t) { id } }",
        "mutation($t: String!) { login(input: {username: $t, password: $t}) { token } }",
        "mutation($t: String!) "
        "{ signUp(input: {username: $t, email: $t, password: $t}) { token } }",
        "mutation($t: String!) { createPost(input: {title: $t, content: $t, tags: [$t]}) { id } }",
        "mutation($t: String!) { updateProfile(input: {username: $t}) { id } }",
    ]
    for operation in operations:
        headers = {"authorization": f"Bearer {token}"}
        try:
            response = httpx.post(
                f"{base}/graphql",
                json={"query": operation, "variables": variables},
                headers=headers,
                timeout=60,
            )
        except UnicodeEncodeError:
            continue  # a lone surrogate cannot even be sent as JSON
        assert response.status_code < 500, (operation, response.text)
        for error in response.json().get("errors") or ():
            assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", (operation, error)
