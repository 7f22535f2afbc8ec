import asyncio
from datetime import datetime
from decimal import Decimal

from bson import Decimal128

from tests.factories import PRODUCT_FIELDS, create_product

CREATE = (
    "mutation($input: CreateProductInput!) "
    f"{{ createProduct(input: $input) {{ {PRODUCT_FIELDS} }} }}"
)
UPDATE = (
    "mutation($sku: String!, $input: UpdateProductInput!) "
    f"{{ updateProduct(sku: $sku, input: $input) {{ {PRODUCT_FIELDS} }} }}"
)
DELETE = "mutation($sku: String!) { deleteProduct(sku: $sku) }"
GET = f"query($sku: String!) {{ product(sku: $sku) {{ {PRODUCT_FIELDS} }} }}"
PRODUCTS_PAGE = """
query($filter: ProductFilter, $sort: ProductSort! = PRICE_ASC, $first: Int, $after: String) {
  products(filter: $filter, sort: $sort, first: $first, after: $after) {
    edges { node { sku price stock } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    totalCount
  }
}"""


def product_input(**fields) -> dict:
    return {"sku": "BOOK-1", "name": "A book", "category": "books", "price": "19.99"} | fields


async def listed_skus(gql, sort: str = "PRICE_ASC", **filter) -> list[str]:
    data = await gql.data(PRODUCTS_PAGE, {"filter": filter, "sort": sort})
    return [edge["node"]["sku"] for edge in data["products"]["edges"]]


# --- createProduct -----------------------------------------------------------


async def test_create_product_normalises_and_stores_exact_price(admin, db):
    product = await create_product(
        admin, sku=" book-1 ", name=" Dune ", category="Sci-Fi", price="19.99", stock=3
    )

    assert product["sku"] == "BOOK-1"
    assert product["name"] == "Dune"
    assert product["category"] == "sci-fi"
    assert product["price"] == "19.99"
    assert product["stock"] == 3

    stored = await db.products.find_one({"sku": "BOOK-1"})
    assert stored["price"] == Decimal128("19.99")
    assert stored["category"] == "sci-fi"
    assert stored["stock"] == 3


async def test_create_product_stock_defaults_to_zero(admin, db):
    data = await admin.data(CREATE, {"input": product_input()})

    assert data["createProduct"]["stock"] == 0
    assert (await db.products.find_one({"sku": "BOOK-1"}))["stock"] == 0


async def test_duplicate_sku_in_any_case_is_a_conflict(admin, db):
    await create_product(admin, sku="BOOK-1", name="Original")

    for sku in ("BOOK-1", "book-1"):
        error = await admin.error(
            CREATE, {"input": product_input(sku=sku, name="Copy")}, code="CONFLICT"
        )
        assert error["extensions"]["field"] == "sku"
    assert await db.products.count_documents({}) == 1
    assert (await db.products.find_one({"sku": "BOOK-1"}))["name"] == "Original"


async def test_invalid_price_is_bad_input(admin, db):
    for price in ("-0.01", "1.999", "abc", "NaN", "Infinity", ""):
        await admin.error(CREATE, {"input": product_input(price=price)}, code="BAD_USER_INPUT")
    assert await db.products.count_documents({}) == 0


async def test_negative_stock_is_bad_input(admin, db):
    error = await admin.error(CREATE, {"input": product_input(stock=-1)}, code="BAD_USER_INPUT")
    assert [problem["field"] for problem in error["extensions"]["fields"]] == ["stock"]
    assert await db.products.count_documents({}) == 0


async def test_invalid_sku_name_or_category_is_bad_input(admin, db):
    for fields in ({"sku": "has space"}, {"sku": ""}, {"name": "  "}, {"category": ""}):
        await admin.error(CREATE, {"input": product_input(**fields)}, code="BAD_USER_INPUT")
    assert await db.products.count_documents({}) == 0


async def test_zero_price_is_allowed(admin, db):
    product = await create_product(admin, sku="FREE", price="0")

    assert product["price"] == "0.00"
    assert (await db.products.find_one({"sku": "FREE"}))["price"] == Decimal128("0.00")


async def test_prices_are_stored_with_one_spelling(admin, db):
    for sku, price in (("TEN", "1E+1"), ("TENNER", "10.000"), ("NIL", "-0")):
        product = await create_product(admin, sku=sku, price=price)
        assert product["price"] == ("0.00" if sku == "NIL" else "10.00")
    assert (await db.products.find_one({"sku": "TEN"}))["price"] == Decimal128("10.00")


# --- updateProduct -----------------------------------------------------------


async def test_update_product_changes_only_given_fields(admin, db):
    product = await create_product(admin, sku="BOOK-1", name="Dune", price="19.99", stock=5)
    await asyncio.sleep(0.01)

    data = await admin.data(UPDATE, {"sku": "book-1", "input": {"price": "12.50"}})
    updated = data["updateProduct"]
    assert updated["price"] == "12.50"
    assert updated["name"] == "Dune"
    assert updated["stock"] == 5
    assert datetime.fromisoformat(updated["updatedAt"]) > datetime.fromisoformat(
        product["updatedAt"]
    )

    stored = await db.products.find_one({"sku": "BOOK-1"})
    assert stored["price"] == Decimal128("12.50")
    assert stored["name"] == "Dune"
    assert stored["category"] == product["category"]
    assert stored["stock"] == 5


async def test_update_product_normalises_name_and_category(admin, db):
    await create_product(admin, sku="BOOK-1")

    await admin.data(
        UPDATE, {"sku": "BOOK-1", "input": {"name": "  New name ", "category": "Comics"}}
    )

    stored = await db.products.find_one({"sku": "BOOK-1"})
    assert stored["name"] == "New name"
    assert stored["category"] == "comics"


async def test_update_unknown_product_is_not_found(admin, db):
    await create_product(admin, sku="BOOK-1")

    error = await admin.error(UPDATE, {"sku": "NOPE", "input": {"stock": 1}}, code="NOT_FOUND")
    assert error["extensions"]["argument"] == "sku"
    assert await db.products.count_documents({}) == 1


async def test_update_product_with_invalid_values_changes_nothing(admin, db):
    await create_product(admin, sku="BOOK-1")
    before = await db.products.find_one({"sku": "BOOK-1"})

    for changes in (
        {"price": "-1"},
        {"price": "1.001"},
        {"stock": -1},
        {"name": " "},
        {"category": ""},
        {"stock": 5, "price": "-1"},
    ):
        await admin.error(UPDATE, {"sku": "BOOK-1", "input": changes}, code="BAD_USER_INPUT")
    await admin.error(UPDATE, {"sku": "BOOK-1", "input": {"price": "lots"}}, code="BAD_USER_INPUT")
    assert await db.products.find_one({"sku": "BOOK-1"}) == before


# --- deleteProduct -----------------------------------------------------------


async def test_delete_product_removes_it(admin, db):
    await create_product(admin, sku="BOOK-1")
    await create_product(admin, sku="BOOK-2")

    assert (await admin.data(DELETE, {"sku": "book-1"}))["deleteProduct"] == "BOOK-1"
    assert await db.products.find_one({"sku": "BOOK-1"}) is None
    assert await db.products.find_one({"sku": "BOOK-2"}) is not None


async def test_delete_unknown_product_is_not_found(admin, db):
    await create_product(admin, sku="BOOK-1")
    await admin.data(DELETE, {"sku": "BOOK-1"})

    await admin.error(DELETE, {"sku": "BOOK-1"}, code="NOT_FOUND")
    await admin.error(DELETE, {"sku": "not valid!"}, code="BAD_USER_INPUT")


# --- product(sku) ------------------------------------------------------------


async def test_get_product_by_sku_in_any_case(gql, admin):
    product = await create_product(admin, sku="BOOK-1")

    for sku in ("BOOK-1", "book-1", " Book-1 "):
        assert (await gql.data(GET, {"sku": sku}))["product"] == product


async def test_unknown_product_is_null(gql, admin):
    await create_product(admin, sku="BOOK-1")

    assert (await gql.data(GET, {"sku": "BOOK-2"}))["product"] is None


# --- products ----------------------------------------------------------------


async def test_products_are_listed_cheapest_first_by_numeric_price(gql, admin):
    # As strings these would sort "10.00" < "100.00" < "9.50".
    await create_product(admin, sku="P100", price="100.00")
    await create_product(admin, sku="P950", price="9.50")
    await create_product(admin, sku="P10", price="10.00")

    assert await listed_skus(gql) == ["P950", "P10", "P100"]


async def test_products_filtered_by_category_any_case(gql, admin):
    await create_product(admin, sku="B1", category="books", price="5.00")
    await create_product(admin, sku="T1", category="toys", price="1.00")
    await create_product(admin, sku="B2", category="Books", price="3.00")

    assert await listed_skus(gql, category="BOOKS") == ["B2", "B1"]
    assert await listed_skus(gql, category="garden") == []


async def test_products_filtered_by_max_price_inclusive(gql, admin):
    await create_product(admin, sku="CHEAP", price="9.99")
    await create_product(admin, sku="EXACT", price="10.00")
    await create_product(admin, sku="DEAR", price="10.01")

    assert await listed_skus(gql, maxPrice="10") == ["CHEAP", "EXACT"]
    data = await gql.data(PRODUCTS_PAGE, {"filter": {"maxPrice": "10"}})
    assert data["products"]["totalCount"] == 2


async def test_products_filtered_by_category_and_max_price(gql, admin):
    await create_product(admin, sku="B1", category="books", price="5.00")
    await create_product(admin, sku="B2", category="books", price="50.00")
    await create_product(admin, sku="T1", category="toys", price="1.00")

    assert await listed_skus(gql, category="books", maxPrice="20") == ["B1"]


async def test_products_filtered_by_min_price_inclusive_and_numeric(gql, admin):
    await create_product(admin, sku="CHEAP", price="9.99")
    await create_product(admin, sku="EXACT", price="10.00")
    await create_product(admin, sku="DEAR", price="10.01")
    # As a string, "100.00" < "9.50" < "10"; as numbers only 100.00 is at least 10.
    await create_product(admin, sku="P100", price="100.00")
    await create_product(admin, sku="P950", price="9.50")

    assert await listed_skus(gql, minPrice="10") == ["EXACT", "DEAR", "P100"]
    data = await gql.data(PRODUCTS_PAGE, {"filter": {"minPrice": "10"}})
    assert data["products"]["totalCount"] == 3


async def test_products_filtered_by_a_price_range(gql, admin):
    await create_product(admin, sku="LOW", price="4.99", category="books")
    await create_product(admin, sku="FROM", price="5.00", category="books")
    await create_product(admin, sku="MID", price="7.50", category="books")
    await create_product(admin, sku="TOY", price="7.50", category="toys")
    await create_product(admin, sku="TO", price="10.00", category="books")
    await create_product(admin, sku="HIGH", price="10.01", category="books")

    assert await listed_skus(gql, minPrice="5", maxPrice="10") == ["FROM", "MID", "TOY", "TO"]
    assert await listed_skus(gql, minPrice="5", maxPrice="10", category="books") == [
        "FROM",
        "MID",
        "TO",
    ]
    assert await listed_skus(gql, minPrice="7.5", maxPrice="7.50") == ["MID", "TOY"]
    assert await listed_skus(gql, minPrice="10", maxPrice="5") == []


async def test_products_filtered_by_stock(gql, admin):
    await create_product(admin, sku="MANY", price="3.00", stock=100)
    await create_product(admin, sku="NONE", price="1.00", stock=0)
    await create_product(admin, sku="ONE", price="2.00", stock=1)
    await create_product(admin, sku="TOY", price="0.50", stock=0, category="toys")

    assert await listed_skus(gql, inStock=True) == ["ONE", "MANY"]
    assert await listed_skus(gql, inStock=False) == ["TOY", "NONE"]
    assert await listed_skus(gql) == ["TOY", "NONE", "ONE", "MANY"]  # null: no condition
    assert await listed_skus(gql, inStock=False, category="books") == ["NONE"]
    data = await gql.data(PRODUCTS_PAGE, {"filter": {"inStock": False}})
    assert data["products"]["totalCount"] == 2
    assert {edge["node"]["stock"] for edge in data["products"]["edges"]} == {0}

    # Selling out and restocking move a product between the two lists.
    await admin.data(UPDATE, {"sku": "ONE", "input": {"stock": 0}})
    await admin.data(UPDATE, {"sku": "NONE", "input": {"stock": 5}})
    assert await listed_skus(gql, inStock=True) == ["NONE", "MANY"]
    assert await listed_skus(gql, inStock=False) == ["TOY", "ONE"]


async def test_products_sorted_dearest_first_by_numeric_price(gql, admin):
    # As strings these would sort "9.50" > "100.00" > "10.00".
    await create_product(admin, sku="P100", price="100.00")
    await create_product(admin, sku="P950", price="9.50")
    await create_product(admin, sku="P10", price="10.00")

    assert await listed_skus(gql, sort="PRICE_DESC") == ["P100", "P10", "P950"]
    assert await listed_skus(gql, sort="PRICE_DESC", maxPrice="50") == ["P10", "P950"]
    assert await listed_skus(gql, sort="PRICE_ASC") == ["P950", "P10", "P100"]


async def test_products_dearest_first_paginate_through_ties_and_filters(gql, admin):
    prices = ["1.00", "2.00", "3.00", "3.00", "3.00", "4.00", "5.00"]
    for price in prices:
        await create_product(admin, price=price)
    everything = await gql.data(PRODUCTS_PAGE, {"sort": "PRICE_DESC", "first": 10})
    everything = [edge["node"] for edge in everything["products"]["edges"]]
    listed_prices = [Decimal(node["price"]) for node in everything]
    assert listed_prices == sorted((Decimal(price) for price in prices), reverse=True)

    # Pages of two, within [2, 4]: the cursors cut through the three at 3.00.
    variables = {"sort": "PRICE_DESC", "filter": {"minPrice": "2", "maxPrice": "4"}, "first": 2}
    seen, pages, after = [], 0, None
    while True:
        page = await gql.data(PRODUCTS_PAGE, variables | {"after": after})
        page = page["products"]
        seen += [edge["node"]["sku"] for edge in page["edges"]]
        pages += 1
        assert page["totalCount"] == 5
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    expected = [node["sku"] for node in everything if Decimal("2") <= Decimal(node["price"]) <= 4]
    assert seen == expected
    assert pages == 3


async def test_products_bad_filters_are_bad_input(gql):
    await gql.error(PRODUCTS_PAGE, {"filter": {"maxPrice": "cheap"}}, code="BAD_USER_INPUT")
    await gql.error(PRODUCTS_PAGE, {"filter": {"minPrice": "cheap"}}, code="BAD_USER_INPUT")
    await gql.error(PRODUCTS_PAGE, {"filter": {"inStock": "yes"}}, code="BAD_USER_INPUT")
    await gql.error(PRODUCTS_PAGE, {"sort": "PRICE"}, code="BAD_USER_INPUT")
    await gql.error(PRODUCTS_PAGE, {"first": -1}, code="BAD_USER_INPUT")
    await gql.error(PRODUCTS_PAGE, {"after": "garbage"}, code="BAD_USER_INPUT")


async def test_products_paginate_with_first_and_after(gql, admin):
    prices = ["1.00", "2.00", "2.00", "3.00", "4.00"]
    skus = [(await create_product(admin, price=price))["sku"] for price in prices]

    first = (await gql.data(PRODUCTS_PAGE, {"first": 2}))["products"]
    assert [edge["node"]["sku"] for edge in first["edges"]] == skus[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False

    # The cursor sits between two products of the same price; ties go by id.
    second = await gql.data(PRODUCTS_PAGE, {"first": 2, "after": first["pageInfo"]["endCursor"]})
    second = second["products"]
    assert [edge["node"]["sku"] for edge in second["edges"]] == skus[2:4]
    assert second["pageInfo"]["hasPreviousPage"] is True

    third = await gql.data(PRODUCTS_PAGE, {"first": 2, "after": second["pageInfo"]["endCursor"]})
    third = third["products"]
    assert [edge["node"]["sku"] for edge in third["edges"]] == skus[4:]
    assert third["pageInfo"]["hasNextPage"] is False
    assert third["totalCount"] == 5


async def test_beanie_reads_stored_prices_back_as_decimal(admin, app):
    from graphql_api.models import Product

    await create_product(admin, sku="READ-BACK", price="12.34")
    product = await Product.find_one(Product.sku == "READ-BACK")
    assert product.price == Decimal("12.34")
