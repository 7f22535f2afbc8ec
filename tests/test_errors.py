"""What clients see when things go wrong: a code for everything, no internals."""

import logging

import pytest
from bson import ObjectId
from graphql import GraphQLError
from pymongo.errors import (
    AutoReconnect,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    ServerSelectionTimeoutError,
)

from graphql_api.extensions.errors import expected_error


async def test_syntax_error_has_a_code(gql):
    body = await gql.execute("{ users(first: }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_unknown_field_is_a_validation_error(gql):
    body = await gql.execute("{ users { nope } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nope" in body["errors"][0]["message"]


async def test_wrongly_typed_variables_are_bad_user_input(gql):
    body = await gql.execute(
        "query($p: Decimal) { products(filter: {maxPrice: $p}) { totalCount } }", {"p": "cheap"}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await gql.execute("query($n: Int) { users(first: $n) { totalCount } }", {"n": "ten"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unexpected_errors_are_masked_for_clients_and_logged(gql, db, caplog):
    # A document the code does not expect (written by hand, missing fields). Only the
    # fields a query selects are read, so select one that is missing and non-null.
    # (`email` used to be that field; it is nullable now, null for all but self and admins.)
    broken = await db.users.insert_one({"username": "ghost"})
    with caplog.at_level(logging.ERROR, logger="graphql_api.errors"):
        body = await gql.execute(
            "query($id: ID!) { user(id: $id) { username isActive } }",
            {"id": str(broken.inserted_id)},
        )
    error = body["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "isActive" not in error["message"]
    assert "is_active" not in error["message"]
    assert "Traceback" not in str(body)
    logged = [r for r in caplog.records if r.name == "graphql_api.errors"]
    assert logged
    assert logged[0].exc_info is not None  # operators get the traceback


async def test_malformed_requests_are_4xx_not_500(http):
    response = await http.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    response = await http.post("/graphql", json={"variables": {}})
    assert 400 <= response.status_code < 500
    response = await http.post("/graphql", content=b"query", headers={"content-type": "text/plain"})
    assert 400 <= response.status_code < 500


async def test_queries_over_get_and_no_mutations_over_get(http, admin):
    # `users` is for admins now: the bearer token works over GET too (the admin is the one user).
    response = await http.get(
        "/graphql",
        params={"query": "{ users { totalCount } }"},
        headers={"authorization": f"Bearer {admin.token}"},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"users": {"totalCount": 1}}

    response = await http.get(
        "/graphql",
        params={"query": f'mutation {{ deactivateUser(id: "{ObjectId()}") {{ id }} }}'},
        headers={"authorization": f"Bearer {admin.token}"},
    )
    assert response.status_code == 405  # GraphQL over HTTP: a mutation over GET is 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_browsers_get_graphiql(http):
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (ServerSelectionTimeoutError("no server"), "DB_UNAVAILABLE"),  # a timeout, but no server
        (AutoReconnect("connection closed"), "DB_UNAVAILABLE"),
        (NetworkTimeout("timed out (timeoutMS: 3000)"), "DB_TIMEOUT"),  # there, but slow
        (ExecutionTimeout("operation exceeded time limit", 50), "DB_TIMEOUT"),
        (OperationFailure("bad", 2), None),  # unexpected: masked
    ],
)
def test_database_failures_are_told_apart(failure, code):
    expected = expected_error(GraphQLError("failed", original_error=failure))
    assert (expected.code if expected else None) == code
