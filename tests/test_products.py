import asyncio
from datetime import datetime

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
query($category: String, $maxPrice: Decimal, $first: Int, $after: String) {
  products(category: $category, maxPrice: $maxPrice, first: $first, after: $after) {
    edges { node { sku price } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    totalCount
  }
}"""


def product_input(**fields) -> dict:
    return {"sku": "BOOK-1", "name": "A book", "category": "books", "price": "19.99"} | fields


async def listed_skus(gql, **variables) -> list[str]:
    data = await gql.data(PRODUCTS_PAGE, variables)
    return [edge["node"]["sku"] for edge in data["products"]["edges"]]


# --- createProduct -----------------------------------------------------------


async def test_create_product_normalises_and_stores_exact_price(gql, db):
    product = await create_product(
        gql, sku=" book-1 ", name=" Dune ", category="Sci-Fi", price="19.99", stock=3
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


async def test_create_product_stock_defaults_to_zero(gql, db):
    data = await gql.data(CREATE, {"input": product_input()})

    assert data["createProduct"]["stock"] == 0
    assert (await db.products.find_one({"sku": "BOOK-1"}))["stock"] == 0


async def test_duplicate_sku_in_any_case_is_a_conflict(gql, db):
    await create_product(gql, sku="BOOK-1", name="Original")

    for sku in ("BOOK-1", "book-1"):
        error = await gql.error(
            CREATE, {"input": product_input(sku=sku, name="Copy")}, code="CONFLICT"
        )
        assert error["extensions"]["field"] == "sku"
    assert await db.products.count_documents({}) == 1
    assert (await db.products.find_one({"sku": "BOOK-1"}))["name"] == "Original"


async def test_invalid_price_is_bad_input(gql, db):
    for price in ("-0.01", "1.999", "abc", "NaN", "Infinity", ""):
        await gql.error(CREATE, {"input": product_input(price=price)}, code="BAD_USER_INPUT")
    assert await db.products.count_documents({}) == 0


async def test_negative_stock_is_bad_input(gql, db):
    error = await gql.error(CREATE, {"input": product_input(stock=-1)}, code="BAD_USER_INPUT")
    assert [problem["field"] for problem in error["extensions"]["fields"]] == ["stock"]
    assert await db.products.count_documents({}) == 0


async def test_invalid_sku_name_or_category_is_bad_input(gql, db):
    for fields in ({"sku": "has space"}, {"sku": ""}, {"name": "  "}, {"category": ""}):
        await gql.error(CREATE, {"input": product_input(**fields)}, code="BAD_USER_INPUT")
    assert await db.products.count_documents({}) == 0


async def test_zero_price_is_allowed(gql, db):
    product = await create_product(gql, sku="FREE", price="0")

    assert product["price"] == "0.00"
    assert (await db.products.find_one({"sku": "FREE"}))["price"] == Decimal128("0.00")


async def test_prices_are_stored_with_one_spelling(gql, db):
    for sku, price in (("TEN", "1E+1"), ("TENNER", "10.000"), ("NIL", "-0")):
        product = await create_product(gql, sku=sku, price=price)
        assert product["price"] == ("0.00" if sku == "NIL" else "10.00")
    assert (await db.products.find_one({"sku": "TEN"}))["price"] == Decimal128("10.00")


# --- updateProduct -----------------------------------------------------------


async def test_update_product_changes_only_given_fields(gql, db):
    product = await create_product(gql, sku="BOOK-1", name="Dune", price="19.99", stock=5)
    await asyncio.sleep(0.01)

    data = await gql.data(UPDATE, {"sku": "book-1", "input": {"price": "12.50"}})
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


async def test_update_product_normalises_name_and_category(gql, db):
    await create_product(gql, sku="BOOK-1")

    await gql.data(
        UPDATE, {"sku": "BOOK-1", "input": {"name": "  New name ", "category": "Comics"}}
    )

    stored = await db.products.find_one({"sku": "BOOK-1"})
    assert stored["name"] == "New name"
    assert stored["category"] == "comics"


async def test_update_unknown_product_is_not_found(gql, db):
    await create_product(gql, sku="BOOK-1")

    error = await gql.error(UPDATE, {"sku": "NOPE", "input": {"stock": 1}}, code="NOT_FOUND")
    assert error["extensions"]["argument"] == "sku"
    assert await db.products.count_documents({}) == 1


async def test_update_product_with_invalid_values_changes_nothing(gql, db):
    await create_product(gql, sku="BOOK-1")
    before = await db.products.find_one({"sku": "BOOK-1"})

    for changes in (
        {"price": "-1"},
        {"price": "1.001"},
        {"stock": -1},
        {"name": " "},
        {"category": ""},
        {"stock": 5, "price": "-1"},
    ):
        await gql.error(UPDATE, {"sku": "BOOK-1", "input": changes}, code="BAD_USER_INPUT")
    await gql.error(UPDATE, {"sku": "BOOK-1", "input": {"price": "lots"}}, code="BAD_USER_INPUT")
    assert await db.products.find_one({"sku": "BOOK-1"}) == before


# --- deleteProduct -----------------------------------------------------------


async def test_delete_product_removes_it(gql, db):
    await create_product(gql, sku="BOOK-1")
    await create_product(gql, sku="BOOK-2")

    assert (await gql.data(DELETE, {"sku": "book-1"}))["deleteProduct"] == "BOOK-1"
    assert await db.products.find_one({"sku": "BOOK-1"}) is None
    assert await db.products.find_one({"sku": "BOOK-2"}) is not None


async def test_delete_unknown_product_is_not_found(gql, db):
    await create_product(gql, sku="BOOK-1")
    await gql.data(DELETE, {"sku": "BOOK-1"})

    await gql.error(DELETE, {"sku": "BOOK-1"}, code="NOT_FOUND")
    await gql.error(DELETE, {"sku": "not valid!"}, code="BAD_USER_INPUT")


# --- product(sku) ------------------------------------------------------------


async def test_get_product_by_sku_in_any_case(gql):
    product = await create_product(gql, sku="BOOK-1")

    for sku in ("BOOK-1", "book-1", " Book-1 "):
        assert (await gql.data(GET, {"sku": sku}))["product"] == product


async def test_unknown_product_is_null(gql):
    await create_product(gql, sku="BOOK-1")

    assert (await gql.data(GET, {"sku": "BOOK-2"}))["product"] is None


# --- products ----------------------------------------------------------------


async def test_products_are_listed_cheapest_first_by_numeric_price(gql):
    # As strings these would sort "10.00" < "100.00" < "9.50".
    await create_product(gql, sku="P100", price="100.00")
    await create_product(gql, sku="P950", price="9.50")
    await create_product(gql, sku="P10", price="10.00")

    assert await listed_skus(gql) == ["P950", "P10", "P100"]


async def test_products_filtered_by_category_any_case(gql):
    await create_product(gql, sku="B1", category="books", price="5.00")
    await create_product(gql, sku="T1", category="toys", price="1.00")
    await create_product(gql, sku="B2", category="Books", price="3.00")

    assert await listed_skus(gql, category="BOOKS") == ["B2", "B1"]
    assert await listed_skus(gql, category="garden") == []


async def test_products_filtered_by_max_price_inclusive(gql):
    await create_product(gql, sku="CHEAP", price="9.99")
    await create_product(gql, sku="EXACT", price="10.00")
    await create_product(gql, sku="DEAR", price="10.01")

    assert await listed_skus(gql, maxPrice="10") == ["CHEAP", "EXACT"]
    data = await gql.data(PRODUCTS_PAGE, {"maxPrice": "10"})
    assert data["products"]["totalCount"] == 2


async def test_products_filtered_by_category_and_max_price(gql):
    await create_product(gql, sku="B1", category="books", price="5.00")
    await create_product(gql, sku="B2", category="books", price="50.00")
    await create_product(gql, sku="T1", category="toys", price="1.00")

    assert await listed_skus(gql, category="books", maxPrice="20") == ["B1"]


async def test_products_bad_filters_are_bad_input(gql):
    await gql.error(PRODUCTS_PAGE, {"maxPrice": "cheap"}, code="BAD_USER_INPUT")
    await gql.error(PRODUCTS_PAGE, {"first": -1}, code="BAD_USER_INPUT")
    await gql.error(PRODUCTS_PAGE, {"after": "garbage"}, code="BAD_USER_INPUT")


async def test_products_paginate_with_first_and_after(gql):
    prices = ["1.00", "2.00", "2.00", "3.00", "4.00"]
    skus = [(await create_product(gql, price=price))["sku"] for price in prices]

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
