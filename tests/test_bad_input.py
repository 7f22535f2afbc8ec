"""Bad input is the client's error, never ours: one regression test per input that once
answered INTERNAL_SERVER_ERROR or a 500 (issue 12, section 6), and the rules found at the
edges (section 7). Each test sends the input as an inline literal and as a variable.

The property-based search for the whole class is tests/test_fuzz.py.
"""

from __future__ import annotations

import base64

import orjson
import pytest

from tests.factories import create_product, grant, place_order, sign_up, without_cost


async def answer(gql, query: str, variables: dict | None = None) -> dict:
    """The response body, after checking it is a client error and never ours."""
    headers = {"authorization": f"Bearer {gql.token}"} if gql.token else {}
    response = await gql.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code < 500, response.text
    body = response.json()
    for error in body.get("errors") or ():
        assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", error
    return body


async def refused(gql, query: str, variables: dict | None = None) -> dict:
    """The one error of a refusal; it must say BAD_USER_INPUT."""
    body = await answer(gql, query, variables)
    assert body.get("errors"), body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error


# --- Decimal -----------------------------------------------------------------

BAD_DECIMALS = [
    "1e6145",  # beyond Decimal128's exponent: was INTERNAL_SERVER_ERROR
    "-1e6145",
    "1e-6177",  # below Decimal128's smallest exponent
    "1" * 35,  # more digits than Decimal128 holds
    "1e16",  # past the documented bound
    "NaN",  # was accepted as a price bound
    "nan",
    "-NaN",
    "sNaN",  # signalling NaN: raised InvalidOperation on comparison
    "Infinity",  # was accepted
    "-Infinity",
    "inf",
    "0.1234567890123",  # more decimal places than the bound
    "1_000",  # Python accepts underscores; a decimal on the wire does not
    " 1",
    "1 ",
    "",
    "1" * 10_000,
    "١٢",  # Arabic-Indic digits: Python's Decimal reads them
]


@pytest.mark.parametrize("text", BAD_DECIMALS)
async def test_a_decimal_out_of_bounds_is_bad_input(gql, text):
    await refused(
        gql, "query($p: Decimal) { products(filter: {minPrice: $p}) { totalCount } }", {"p": text}
    )
    literal = orjson.dumps(text).decode()
    await refused(gql, f"{{ products(filter: {{maxPrice: {literal}}}) {{ totalCount }} }}")


@pytest.mark.parametrize("number", ["1e400", "1e16", "-1e400"])
async def test_a_decimal_given_as_a_huge_number_is_bad_input(gql, number):
    await refused(gql, f"{{ products(filter: {{minPrice: {number}}}) {{ totalCount }} }}")
    body = b'{"query": "query($p: Decimal) { products(filter: {minPrice: $p}) { totalCount } }", '
    body += b'"variables": {"p": ' + number.encode() + b"}}"
    response = await gql.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("-0", "0"), ("-0.00", "0.00"), ("0E-10", "0"), ("12.5", "12.5"), ("1E+3", "1E+3")],
)
async def test_decimals_in_bounds_still_filter(gql, admin, text, expected):
    await create_product(admin, sku="CHEAP", price="0.50")
    await create_product(admin, sku="DEAR", price="2000.00")
    query = "query($p: Decimal) { products(filter: {minPrice: $p}) { edges { node { sku } } } }"
    body = await answer(gql, query, {"p": text})
    assert not body.get("errors"), body
    skus = [edge["node"]["sku"] for edge in body["data"]["products"]["edges"]]
    threshold = float(expected)
    assert skus == [sku for sku, price in (("CHEAP", 0.5), ("DEAR", 2000)) if price >= threshold]


async def test_a_price_out_of_bounds_is_bad_input_in_mutations(admin):
    for price in ("1e6145", "NaN", "-Infinity", "1" * 40):
        await refused(
            admin,
            "mutation($p: Decimal!) { createProduct(input: "
            '{sku: "X", name: "x", category: "c", price: $p}) { sku } }',
            {"p": price},
        )
    await create_product(admin, sku="Y")
    await refused(admin, 'mutation { updateProduct(sku: "Y", input: {price: "1e6145"}) { sku } }')


# --- DateTime ----------------------------------------------------------------

BAD_DATETIMES = [
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC: was INTERNAL_SERVER_ERROR
    "0001-01-01T13:59:59+14:00",
    "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
    "9999-12-31T12:00:00-12:00",
    "2026-01-01T00:00:00+24:00",  # no such offset
    "2026-01-01T00:00:00",  # no offset at all
    "2026-02-30T00:00:00Z",
    "+2026-01-01T00:00:00Z",
    "2026-01-01",  # a date is not a datetime
    "",
    "9" * 1000,
    "\uff12\uff10\uff12\uff16-01-01T00:00:00Z",  # fullwidth digits
]


@pytest.mark.parametrize("text", BAD_DATETIMES)
async def test_a_datetime_out_of_range_is_bad_input(admin, text):
    for argument in ("createdAfter", "createdBefore"):
        for field in ("users", "orders"):
            await refused(
                admin,
                f"query($t: DateTime) {{ {field}(filter: {{{argument}: $t}}) {{ totalCount }} }}",
                {"t": text},
            )
        literal = orjson.dumps(text).decode()
        await refused(admin, f"{{ orders(filter: {{{argument}: {literal}}}) {{ totalCount }} }}")


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T14:00:00+14:00",
        "9999-12-31T23:59:59.999999Z",
        "9999-12-31T09:59:59-14:00",
        "2026-06-01T12:00:00.123456+05:30",
        "2026-06-01T12:00:00z",
    ],
)
async def test_datetimes_at_the_edges_of_the_calendar_still_filter(admin, text):
    body = await answer(
        admin,
        "query($t: DateTime) { users(filter: {createdAfter: $t}) { totalCount } }",
        {"t": text},
    )
    assert not body.get("errors"), body


# --- cursors -----------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def cursor_of(parts) -> str:
    return b64(orjson.dumps(parts))


BAD_CURSORS = [
    "!!!",
    "",
    "=",
    b64(b"\xff\xfe\x00"),
    b64(b"null"),
    b64(b"{}"),
    b64(b'"text"'),
    cursor_of([]),
    cursor_of(["d1", "o" + "0" * 24, "extra"]),
    cursor_of([1, 2]),  # not strings
    cursor_of([None, None]),
    cursor_of([["d1"], {"o": 1}]),
    cursor_of(["", ""]),
    cursor_of(["d" + "9" * 30, "o" + "0" * 24]),  # a date past year 9999
    cursor_of(["d-" + "9" * 30, "o" + "0" * 24]),
    cursor_of(["d1e3", "o" + "0" * 24]),
    cursor_of(["d" + "1" * 5000, "o" + "0" * 24]),  # past int()'s digit limit
    cursor_of(["n1e6145", "o" + "0" * 24]),
    cursor_of(["nNaN", "o" + "0" * 24]),
    cursor_of(["i" + "9" * 30, "o" + "0" * 24]),  # past BSON int64
    cursor_of(["s" + "x", "o" + "0" * 24]),  # a string where a date belongs
    cursor_of(["d0", "ozz"]),
    cursor_of(["d0", "s" + "0" * 24]),  # the right value, the wrong tag
]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
async def test_a_hand_edited_cursor_is_bad_input(gql, admin, cursor):
    author = await sign_up(gql)
    from tests.factories import create_post

    await create_post(gql, author, published=True)
    await create_product(admin)
    for field in ("posts", "products", "users", "orders"):
        for argument in ("after", "before"):
            await refused(
                admin,
                f"query($c: String) {{ {field}({argument}: $c) {{ totalCount }} }}",
                {"c": cursor},
            )
    await refused(
        admin,
        "query($id: ID!, $c: String) { user(id: $id) { posts(after: $c) { totalCount } } }",
        {"id": author["id"], "c": cursor},
    )


async def test_a_cursor_from_another_list_is_bad_input(gql, admin):
    await create_product(admin)
    await create_product(admin)
    page = (await admin.data("{ products(first: 1) { pageInfo { endCursor } } }"))["products"]
    cursor = page["pageInfo"]["endCursor"]
    await refused(admin, "query($c: String) { users(after: $c) { totalCount } }", {"c": cursor})


# --- session data --------------------------------------------------------------

SET_DATA = "mutation($d: JSON!) { setSessionData(data: $d) { data } }"


@pytest.mark.parametrize(
    "data",
    [
        {"n": 2**70},  # past BSON int64: was INTERNAL_SERVER_ERROR
        {"n": -(2**63) - 1},
        {"n": [2**64]},
        {"deep": {"er": 2**100}},
    ],
)
async def test_integers_past_int64_in_session_data_are_bad_input(gql, data):
    user = await sign_up(gql)
    await refused(gql.as_user(user), SET_DATA, {"d": data})


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1e309"])
async def test_non_finite_floats_in_session_data_are_bad_input(gql, db, number):
    """1e400 was stored as null; as a literal or a variable, it is now refused."""
    user = await sign_up(gql)
    client = gql.as_user(user)
    await refused(client, f"mutation {{ setSessionData(data: {{x: {number}}}) {{ data }} }}")
    body = b'{"query": "mutation($d: JSON!) { setSessionData(data: $d) { data } }", '
    body += b'"variables": {"d": {"x": ' + number.encode() + b"}}}"
    response = await client.http.post(
        "/graphql",
        content=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {user['token']}"},
    )
    assert response.status_code < 500, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    stored = await db.sessions.find_one(
        {"user_id": __import__("bson").ObjectId(user["databaseId"])}
    )
    assert stored.get("data", {}) == {}


async def test_in_range_numbers_in_session_data_round_trip(gql):
    user = await sign_up(gql)
    data = {"big": 2**63 - 1, "small": -(2**63), "f": 1.5e300, "tiny": 5e-324, "neg": -0.0}
    stored = (await gql.as_user(user).data(SET_DATA, {"d": data}))["setSessionData"]["data"]
    assert stored == data


async def test_session_data_literals_with_huge_integers_are_bad_input(gql):
    user = await sign_up(gql)
    await refused(
        gql.as_user(user), f"mutation {{ setSessionData(data: {{n: {2**70}}}) {{ data }} }}"
    )


# --- deep nesting --------------------------------------------------------------


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


async def post_raw(client, query: str, variables: str):
    """Variables spliced in as text: Python's json cannot even encode 5,000 levels."""
    body = '{"query": ' + orjson.dumps(query).decode() + ', "variables": ' + variables + "}"
    headers = {"content-type": "application/json"}
    if client.token:
        headers["authorization"] = f"Bearer {client.token}"
    return await client.http.post("/graphql", content=body.encode(), headers=headers)


@pytest.mark.parametrize("depth", [40, 900, 5000])
@pytest.mark.parametrize("make", [nested_list, nested_object])
async def test_deeply_nested_variables_are_refused_with_a_code(gql, admin, depth, make):
    """Up to what Python's JSON reader can nest, each GraphQL type refuses the value
    (BAD_USER_INPUT); past it (5,000 levels once answered 500) the body is malformed (400)."""
    user = await sign_up(gql)
    client = gql.as_user(user)
    value = make(depth)
    cases = [
        (client, SET_DATA, '{"d": {"x": ' + value + "}}"),
        (client, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", '{"ids": ' + value + "}"),
        (
            admin,
            "query($f: ProductFilter) { products(filter: $f) { totalCount } }",
            '{"f": ' + value + "}",
        ),
        (
            client,
            "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }",
            '{"i": {"items": [{"sku": ' + value + ', "quantity": 1}]}}',
        ),
    ]
    for who, query, variables in cases:
        response = await post_raw(who, query, variables)
        if depth >= 5000:
            assert response.status_code == 400, response.text
            continue
        assert response.status_code == 200, response.text
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert (await client.data("{ me { sessions { data } } }"))["me"]["sessions"][0]["data"] == {}


@pytest.mark.parametrize(
    "variables",
    [
        '{"t": "\\ud800"}',  # a lone surrogate: not Unicode text
        '{"t": "a\\udfffb"}',
        '{"\\ud800": "x"}',
        '{"t": NaN}',
        '{"t": -Infinity}',
        '{"t": ' + "1" * 5000 + "}",  # past Python's int digit limit
    ],
)
async def test_bodies_python_reads_but_nothing_can_store_are_malformed(gql, variables):
    user = await sign_up(gql)
    client = gql.as_user(user)
    for query in (
        "mutation($t: String!) { login(input: {username: $t, password: $t}) { token } }",
        "mutation($t: JSON!) { setSessionData(data: $t) { data } }",
    ):
        response = await post_raw(client, query, variables)
        assert response.status_code == 400, response.text


@pytest.mark.parametrize("depth", [300, 600, 1000])
async def test_deeply_nested_literals_are_refused_with_a_code(gql, depth):
    user = await sign_up(gql)
    client = gql.as_user(user)
    body = await answer(
        client, "mutation { setSessionData(data: " + "[" * depth + "]" * depth + ") { data } }"
    )
    assert body.get("errors"), body
    body = await answer(
        client,
        "mutation { setSessionData(data: " + "{a:" * depth + "1" + "}" * depth + ") { data } }",
    )
    assert body.get("errors"), body


# --- search words ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1000,
        "é" * 1000,
        "é" * 1500,  # past the embedded server's 1,000-character regex cap: was internal
        ("word " * 400).strip(),
        "\\" * 999,
        "(" * 1000,
        "💥" * 500,
        "\x00",
    ],
)
async def test_long_and_odd_search_words_are_never_an_internal_error(gql, text):
    # The embedded server checks a regex only against a document: have one to match.
    from tests.factories import create_post

    await create_post(gql, await sign_up(gql), published=True)
    for query in (
        "query($q: String!) { searchPosts(query: $q) { score } }",
        "query($q: String!) { posts(filter: {search: $q}) { totalCount } }",
    ):
        await answer(gql, query, {"q": text})


# --- credits ---------------------------------------------------------------------


async def test_credits_never_exceed_what_graphql_int_holds(gql, admin, db):
    """A balance past 2^31 - 1 broke the `credits: Int` field for good."""
    user = await sign_up(gql)
    await grant(admin, user["id"], 1_000_000_000)
    await grant(admin, user["id"], 1_000_000_000)
    error = await refused(
        admin,
        "mutation($i: GrantCreditsInput!) { grantCredits(input: $i) { amount } }",
        {"i": {"userId": user["id"], "amount": 1_000_000_000}},
    )
    assert "2147483647" in error["message"]
    me = await gql.as_user(user).data("{ me { credits } }")
    assert me["me"]["credits"] == 2_000_000_000
    # Up to the bound exactly, still.
    await grant(admin, user["id"], 2**31 - 1 - 2_000_000_000)
    assert (await gql.as_user(user).data("{ me { credits } }"))["me"]["credits"] == 2**31 - 1


async def test_a_transfer_never_takes_the_recipient_past_the_bound(gql, admin):
    rich, full = await sign_up(gql), await sign_up(gql)
    await grant(admin, rich["id"], 10)
    await grant(admin, full["id"], 1_000_000_000)
    await grant(admin, full["id"], 1_000_000_000)
    await grant(admin, full["id"], 2**31 - 1 - 2_000_000_000)
    await refused(
        gql.as_user(rich),
        "mutation($i: TransferCreditsInput!) { transferCredits(input: $i) { amount } }",
        {"i": {"toUserId": full["id"], "amount": 1}},
    )
    data = await gql.as_user(rich).data("{ me { credits } }")
    assert data["me"]["credits"] == 10


@pytest.mark.parametrize("amount", ["2147483648", "-2147483649", "1e3", "9" * 40])
async def test_amounts_past_int_are_bad_input(gql, admin, amount):
    user = await sign_up(gql)
    await refused(
        admin,
        "mutation($id: ID!) { grantCredits(input: "
        f"{{userId: $id, amount: {amount}}}) {{ amount }} }}",
        {"id": user["id"]},
    )


# --- section 7: rules at the edges ---------------------------------------------------


async def test_someone_elses_order_is_null_like_a_missing_one(gql, admin):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await create_product(admin, sku="RULE", price="3.00")
    order = await place_order(gql, alice, [("RULE", 1)])
    query = "query($id: ID!) { order(id: $id) { total } node(id: $id) { id } }"
    for variables in ({"id": order["id"]}, {"id": order["databaseId"]}):
        if variables["id"] == order["databaseId"]:
            query = "query($id: ID!) { order(id: $id) { total } }"
        body = await answer(gql.as_user(bob), query, variables)
        assert not body.get("errors"), body
        assert all(value is None for value in body["data"].values()), body
    # The same answer as for an order that does not exist.
    missing = "T3JkZXI6MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"  # Order:000000000000000000000000
    body = await answer(
        gql.as_user(bob), "query($id: ID!) { order(id: $id) { total } }", {"id": missing}
    )
    assert without_cost(body) == {"data": {"order": None}}
    # The buyer and admins still see it.
    seen = await gql.as_user(alice).data(
        "query($id: ID!) { order(id: $id) { total } }", {"id": order["id"]}
    )
    assert seen["order"]["total"] == "3.00"
    assert (await admin.data("query($id: ID!) { node(id: $id) { id } }", {"id": order["id"]}))[
        "node"
    ]


async def test_changing_someone_elses_order_is_not_found_like_a_missing_one(gql, admin, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await create_product(admin, sku="RULE", price="3.00")
    order = await place_order(gql, alice, [("RULE", 1)])
    mutation = (
        "mutation($id: ID!, $s: OrderStatus!) { updateOrderStatus(id: $id, status: $s) { status } }"
    )
    await gql.as_user(bob).error(mutation, {"id": order["id"], "s": "CANCELLED"}, code="NOT_FOUND")
    assert (await db.orders.find_one({}))["status"] == "pending"


async def test_cancelling_a_cancelled_order_is_an_invalid_transition(gql, admin):
    alice = await sign_up(gql)
    await create_product(admin, sku="RULE", price="3.00")
    order = await place_order(gql, alice, [("RULE", 1)])
    mutation = (
        "mutation($id: ID!, $s: OrderStatus!) { updateOrderStatus(id: $id, status: $s) { status } }"
    )
    buyer = gql.as_user(alice)
    data = await buyer.data(mutation, {"id": order["id"], "s": "CANCELLED"})
    assert data["updateOrderStatus"]["status"] == "CANCELLED"
    error = await buyer.error(
        mutation, {"id": order["id"], "s": "CANCELLED"}, code="INVALID_STATUS_TRANSITION"
    )
    assert error["extensions"]["current"] == "cancelled"
    await admin.error(
        mutation, {"id": order["id"], "s": "CANCELLED"}, code="INVALID_STATUS_TRANSITION"
    )
    # A buyer asking for fulfilment's steps is still FORBIDDEN.
    second = await place_order(gql, alice, [("RULE", 1)])
    await buyer.error(mutation, {"id": second["id"], "s": "PAID"}, code="FORBIDDEN")


@pytest.mark.parametrize("field", ["posts", "products", "users", "orders"])
async def test_first_0_says_whether_there_are_items(gql, admin, field):
    author = await sign_up(gql)
    from tests.factories import create_post

    await create_post(gql, author, published=True)
    await create_product(admin)
    await create_product(admin, sku="ORDERED")
    await place_order(gql, author, [("ORDERED", 1)])
    for arguments, flag in (("first: 0", "hasNextPage"), ("last: 0", "hasPreviousPage")):
        data = await admin.data(
            f"{{ {field}({arguments}) {{ edges {{ cursor }} pageInfo {{ {flag} }} }} }}"
        )
        assert data[field]["edges"] == []
        assert data[field]["pageInfo"][flag] is True, (field, arguments, data)


async def test_first_0_on_nested_connections(gql, admin):
    author = await sign_up(gql)
    from tests.factories import create_post

    await create_post(gql, author, published=True)
    other = await sign_up(gql)
    query = (
        "query($a: ID!, $b: ID!) { a: user(id: $a) { posts(first: 0) { pageInfo { hasNextPage } } }"
        " b: user(id: $b) { posts(first: 0) { pageInfo { hasNextPage } } } }"
    )
    data = await gql.data(query, {"a": author["id"], "b": other["id"]})
    assert data["a"]["posts"]["pageInfo"]["hasNextPage"] is True
    assert data["b"]["posts"]["pageInfo"]["hasNextPage"] is False
    data = await admin.data(
        "{ users(first: 5) { edges { node { username "
        "posts(first: 0) { pageInfo { hasNextPage } } } } } }"
    )
    flags = {
        e["node"]["username"]: e["node"]["posts"]["pageInfo"]["hasNextPage"]
        for e in data["users"]["edges"]
    }
    assert flags[author["username"]] is True
    assert flags[other["username"]] is False


@pytest.mark.parametrize("digits", [20, 4300, 5000])
async def test_an_int_literal_of_thousands_of_digits_is_bad_input(gql, digits):
    """Python's int() refuses past 4,300 digits with a ValueError: it was masked as internal."""
    await refused(gql, f"{{ posts(first: {'1' * digits}) {{ totalCount }} }}")
    await refused(gql, f"{{ products(filter: {{minPrice: {'1' * digits}}}) {{ totalCount }} }}")


async def test_an_id_list_given_as_a_huge_int_literal_is_never_an_internal_error(gql):
    """An Int literal is a valid ID; the cost limiter read it with int() (5,000 digits)."""
    body = await answer(gql, f"{{ nodes(ids: {'1' * 5000}) {{ id }} }}")
    assert body.get("errors"), body


async def test_get_requests_are_bounded_the_same_way(gql):
    """Query-string variables go through the same JSON reader and scalars as bodies."""
    query = "query($p: Decimal) { products(filter: {minPrice: $p}) { totalCount } }"
    response = await gql.http.get(
        "/graphql",
        params={"query": query, "variables": '{"p": "1e6145"}'},
        headers={"accept": "application/json"},
    )
    assert response.status_code < 500, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    for variables in ('{"p": ' + "[" * 5000 + "]" * 5000 + "}", '{"p": NaN}', '{"p": "\\ud800"}'):
        response = await gql.http.get(
            "/graphql",
            params={"query": query, "variables": variables},
            headers={"accept": "application/json"},
        )
        assert response.status_code == 400, response.text


async def test_a_restock_never_takes_stock_past_what_graphql_int_holds(gql, admin):
    """Cancelling gives stock back; after an admin raised it to the top, that overflowed Int."""
    buyer = await sign_up(gql)
    await create_product(admin, sku="TOP", stock=10)
    order = await place_order(gql, buyer, [("TOP", 5)])
    await admin.data('mutation { updateProduct(sku: "TOP", input: {stock: 2147483647}) { sku } }')
    mutation = "mutation($id: ID!) { updateOrderStatus(id: $id, status: CANCELLED) { status } }"
    await gql.as_user(buyer).data(mutation, {"id": order["id"]})
    data = await gql.data('{ product(sku: "TOP") { stock } }')
    assert data["product"]["stock"] == 2**31 - 1
