from datetime import UTC, datetime

from bson import ObjectId

from tests.factories import create_post, create_product, place_order, set_status, sign_up

TOP_AUTHORS = """
query($limit: Int!) {
  topAuthors(limit: $limit) { publishedPostCount author { id username email isActive } }
}"""
REVENUE = """
query($year: Int!) {
  revenueByMonth(year: $year) { month revenue orderCount averageOrderValue }
}"""
SALES = """
query($limit: Int!) { salesByProduct(limit: $limit) { sku name revenue unitsSold orderCount } }
"""
# The workflow steps that take a new (pending) order to each status.
STEPS = {
    "PENDING": [],
    "PAID": ["PAID"],
    "SHIPPED": ["PAID", "SHIPPED"],
    "COMPLETED": ["PAID", "SHIPPED", "COMPLETED"],
    "CANCELLED": ["CANCELLED"],
}


async def order(gql, admin, db, user, items, status="PAID", at: datetime | None = None) -> dict:
    """`user` places an order, an admin moves it to `status`, and it is backdated to `at`."""
    placed = await place_order(gql, user, items)
    for step in STEPS[status]:
        await set_status(admin, placed["id"], step)
    if at is not None:
        await db.orders.update_one(
            {"_id": ObjectId(placed["databaseId"])}, {"$set": {"created_at": at}}
        )
    return placed


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def publish_posts(gql, author, published: int, drafts: int = 0) -> None:
    for _ in range(published):
        await create_post(gql, author, published=True)
    for _ in range(drafts):
        await create_post(gql, author)


# --- topAuthors --------------------------------------------------------------


async def test_top_authors_ranked_by_published_posts(gql, admin):
    alice = await sign_up(gql, "alice")
    bob = await sign_up(gql, "bob")
    carol = await sign_up(gql, "carol")
    await publish_posts(gql, bob, published=1, drafts=3)
    await publish_posts(gql, alice, published=3)
    await publish_posts(gql, carol, published=2)

    rows = (await admin.data(TOP_AUTHORS, {"limit": 10}))["topAuthors"]
    assert [(row["author"]["username"], row["publishedPostCount"]) for row in rows] == [
        ("alice", 3),
        ("carol", 2),
        ("bob", 1),
    ]
    assert rows[0]["author"] == {
        "id": alice["id"],
        "username": "alice",
        "email": "alice@example.com",
        "isActive": True,
    }


async def test_top_authors_ignores_drafts_and_authors_with_only_drafts(gql, admin):
    writer = await sign_up(gql, "writer")
    await sign_up(gql, "reader")
    drafter = await sign_up(gql, "drafter")
    await publish_posts(gql, writer, published=1)
    await publish_posts(gql, drafter, published=0, drafts=5)

    rows = (await admin.data(TOP_AUTHORS, {"limit": 10}))["topAuthors"]
    assert [(row["author"]["id"], row["publishedPostCount"]) for row in rows] == [(writer["id"], 1)]


async def test_top_authors_counts_a_draft_once_published(gql, admin):
    author = await sign_up(gql)
    draft = await create_post(gql, author)
    await create_post(gql, author, published=True)
    await gql.as_user(author).data(
        "mutation($id: ID!) { publishPost(id: $id) { id } }", {"id": draft["id"]}
    )

    rows = (await admin.data(TOP_AUTHORS, {"limit": 10}))["topAuthors"]
    assert [row["publishedPostCount"] for row in rows] == [2]


async def test_top_authors_excludes_deactivated_authors(gql, admin):
    prolific = await sign_up(gql, "prolific")
    modest = await sign_up(gql, "modest")
    await publish_posts(gql, prolific, published=4)
    await publish_posts(gql, modest, published=1)
    await admin.data(
        "mutation($id: ID!) { deactivateUser(id: $id) { id } }", {"id": prolific["id"]}
    )

    # The limit applies after the exclusion: modest still makes the top 1.
    rows = (await admin.data(TOP_AUTHORS, {"limit": 1}))["topAuthors"]
    assert [row["author"]["username"] for row in rows] == ["modest"]


async def test_top_authors_respects_limit(gql, admin):
    for n in range(3):
        await publish_posts(gql, await sign_up(gql), published=n + 1)

    rows = (await admin.data(TOP_AUTHORS, {"limit": 2}))["topAuthors"]
    assert [row["publishedPostCount"] for row in rows] == [3, 2]


async def test_top_authors_bad_limit_is_bad_input(admin):
    for limit in (0, -1, 101):
        error = await admin.error(TOP_AUTHORS, {"limit": limit}, code="BAD_USER_INPUT")
        assert error["extensions"]["argument"] == "limit"


# --- revenueByMonth ----------------------------------------------------------


async def test_revenue_by_month_counts_paid_shipped_and_completed_orders(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="A", price="10.00", stock=100)
    await create_product(admin, sku="B", price="25.01", stock=100)
    await create_product(admin, sku="C", price="7.33", stock=100)
    await order(gql, admin, db, buyer, [("A", 1)], "PAID", utc(2023, 1, 5))
    await order(gql, admin, db, buyer, [("B", 1)], "COMPLETED", utc(2023, 1, 20))
    await order(gql, admin, db, buyer, [("C", 1)], "SHIPPED", utc(2023, 3, 1))
    # Not revenue: pending and cancelled orders.
    await order(gql, admin, db, buyer, [("A", 5)], "PENDING", utc(2023, 1, 10))
    await order(gql, admin, db, buyer, [("B", 5)], "CANCELLED", utc(2023, 3, 10))

    rows = (await admin.data(REVENUE, {"year": 2023}))["revenueByMonth"]
    assert rows == [
        # 35.01 / 2 = 17.505, rounded half to even.
        {"month": 1, "revenue": "35.01", "orderCount": 2, "averageOrderValue": "17.50"},
        {"month": 3, "revenue": "7.33", "orderCount": 1, "averageOrderValue": "7.33"},
    ]


async def test_revenue_by_month_sums_decimals_exactly(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="DIME", price="0.10", stock=100)
    await create_product(admin, sku="FIFTH", price="0.20", stock=100)
    for _ in range(3):
        await order(gql, admin, db, buyer, [("DIME", 1), ("FIFTH", 1)], "PAID", utc(2024, 6, 15))

    rows = (await admin.data(REVENUE, {"year": 2024}))["revenueByMonth"]
    assert rows == [{"month": 6, "revenue": "0.90", "orderCount": 3, "averageOrderValue": "0.30"}]


async def test_revenue_by_month_keeps_to_the_year_and_utc_months(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="A", price="1.00", stock=100)
    await order(gql, admin, db, buyer, [("A", 1)], "PAID", utc(2022, 12, 31, 23, 59, 59))
    await order(gql, admin, db, buyer, [("A", 2)], "PAID", utc(2023, 1, 31, 23, 59, 59))
    await order(gql, admin, db, buyer, [("A", 3)], "PAID", utc(2023, 2, 1))
    await order(gql, admin, db, buyer, [("A", 4)], "PAID", utc(2023, 12, 31, 23, 59, 59))
    await order(gql, admin, db, buyer, [("A", 5)], "PAID", utc(2024, 1, 1))

    rows = (await admin.data(REVENUE, {"year": 2023}))["revenueByMonth"]
    assert [(row["month"], row["revenue"]) for row in rows] == [
        (1, "2.00"),
        (2, "3.00"),
        (12, "4.00"),
    ]


async def test_revenue_by_month_of_a_year_without_sales_is_empty(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="A", price="1.00", stock=10)
    await order(gql, admin, db, buyer, [("A", 1)], "PAID", utc(2023, 5, 5))

    assert (await admin.data(REVENUE, {"year": 2021}))["revenueByMonth"] == []


async def test_revenue_by_month_bad_year_is_bad_input(admin):
    for year in (1969, 10000, -1):
        error = await admin.error(REVENUE, {"year": year}, code="BAD_USER_INPUT")
        assert error["extensions"]["argument"] == "year"


# --- salesByProduct ----------------------------------------------------------


async def test_sales_by_product_totals_paid_orders_best_first(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="PEN", name="Pen", price="5.00", stock=100)
    await create_product(admin, sku="INK", name="Ink", price="12.50", stock=100)
    await order(gql, admin, db, buyer, [("PEN", 3), ("INK", 1)], "PAID")
    await order(gql, admin, db, buyer, [("PEN", 1)], "COMPLETED")
    await order(gql, admin, db, buyer, [("INK", 2)], "SHIPPED")
    # Not sales: pending and cancelled orders.
    await order(gql, admin, db, buyer, [("INK", 10)], "PENDING")
    await order(gql, admin, db, buyer, [("PEN", 10)], "CANCELLED")

    rows = (await admin.data(SALES, {"limit": 50}))["salesByProduct"]
    assert rows == [
        {"sku": "INK", "name": "Ink", "revenue": "37.50", "unitsSold": 3, "orderCount": 2},
        {"sku": "PEN", "name": "Pen", "revenue": "20.00", "unitsSold": 4, "orderCount": 2},
    ]


async def test_sales_by_product_uses_the_price_paid(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="PEN", price="5.00", stock=100)
    await order(gql, admin, db, buyer, [("PEN", 2)], "PAID")
    await admin.data('mutation { updateProduct(sku: "PEN", input: {price: "99.00"}) { sku } }')
    await order(gql, admin, db, buyer, [("PEN", 1)], "PAID")

    rows = (await admin.data(SALES, {"limit": 50}))["salesByProduct"]
    assert [(row["revenue"], row["unitsSold"], row["orderCount"]) for row in rows] == [
        ("109.00", 3, 2)
    ]


async def test_sales_by_product_counts_merged_lines_once_per_order(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="PEN", price="1.50", stock=100)
    await order(gql, admin, db, buyer, [("PEN", 2), ("pen", 3)], "PAID")

    rows = (await admin.data(SALES, {"limit": 50}))["salesByProduct"]
    assert [(row["revenue"], row["unitsSold"], row["orderCount"]) for row in rows] == [
        ("7.50", 5, 1)
    ]


async def test_sales_by_product_respects_limit(gql, admin, db):
    buyer = await sign_up(gql)
    for sku, price in (("A", "1.00"), ("B", "3.00"), ("C", "2.00")):
        await create_product(admin, sku=sku, price=price, stock=10)
    await order(gql, admin, db, buyer, [("A", 1), ("B", 1), ("C", 1)], "PAID")

    rows = (await admin.data(SALES, {"limit": 2}))["salesByProduct"]
    assert [row["sku"] for row in rows] == ["B", "C"]


async def test_sales_by_product_bad_limit_is_bad_input(admin):
    for limit in (0, 1001):
        error = await admin.error(SALES, {"limit": limit}, code="BAD_USER_INPUT")
        assert error["extensions"]["argument"] == "limit"


async def test_reports_are_empty_without_data(admin):
    assert (await admin.data(TOP_AUTHORS, {"limit": 10}))["topAuthors"] == []
    assert (await admin.data(REVENUE, {"year": 2024}))["revenueByMonth"] == []
    assert (await admin.data(SALES, {"limit": 10}))["salesByProduct"] == []
