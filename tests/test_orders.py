from datetime import UTC, datetime
from decimal import Decimal

from bson import Decimal128, ObjectId

from tests.factories import ORDER_FIELDS, create_product, place_order, set_status, sign_up

PLACE = f"mutation($input: PlaceOrderInput!) {{ placeOrder(input: $input) {{ {ORDER_FIELDS} }} }}"
SET_STATUS = (
    "mutation($id: ID!, $status: OrderStatus!) { updateOrderStatus(id: $id, status: $status) "
    "{ id status } }"
)


async def stock(db, sku: str) -> int:
    return (await db.products.find_one({"sku": sku}))["stock"]


async def test_placing_an_order_takes_stock_and_prices_from_the_catalogue(gql, admin, db):
    buyer = await sign_up(gql)
    book = await create_product(admin, sku="BOOK", price="12.50", stock=5)
    pen = await create_product(admin, sku="PEN", price="0.99", stock=100)

    order = await place_order(gql, buyer, [("book", 2), ("PEN", 3), ("BOOK", 1)])

    assert order["status"] == "PENDING"
    assert order["total"] == "40.47"  # 3 x 12.50 + 3 x 0.99, exact
    assert order["user"]["id"] == buyer["id"]
    lines = {item["sku"]: item for item in order["items"]}
    assert lines["BOOK"]["quantity"] == 3  # lines with one sku are merged
    assert lines["BOOK"]["unitPrice"] == "12.50"
    assert lines["PEN"]["product"]["stock"] == 97
    assert await stock(db, book["sku"]) == 2
    assert await stock(db, pen["sku"]) == 97

    stored = await db.orders.find_one({"_id": ObjectId(order["databaseId"])})
    assert stored["total"] == Decimal128("40.47")
    assert stored["items"][0]["unit_price"] in (Decimal128("12.50"), Decimal128("0.99"))
    assert stored["user_id"] == ObjectId(buyer["databaseId"])


async def test_an_order_that_would_oversell_changes_nothing(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="A", stock=5)
    await create_product(admin, sku="B", stock=1)

    error = await gql.as_user(buyer).error(
        PLACE,
        {"input": {"items": [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 2}]}},
        code="OUT_OF_STOCK",
    )
    assert error["extensions"] == {
        "code": "OUT_OF_STOCK",
        "sku": "B",
        "available": 1,
        "requested": 2,
    }
    # A was decremented first inside the transaction; the abort put it back.
    assert await stock(db, "A") == 5
    assert await stock(db, "B") == 1
    assert await db.orders.count_documents({}) == 0


async def test_order_input_errors_change_nothing(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="A", stock=5)

    as_buyer = gql.as_user(buyer)

    def order(items):
        return {"input": {"items": items}}

    await as_buyer.error(
        PLACE,
        order([{"sku": "A", "quantity": 1}, {"sku": "NOPE", "quantity": 1}]),
        code="NOT_FOUND",
    )
    await as_buyer.error(PLACE, order([]), code="BAD_USER_INPUT")
    await as_buyer.error(PLACE, order([{"sku": "A", "quantity": 0}]), code="BAD_USER_INPUT")
    # The buyer is the caller: there is no `userId` to name (it was: invalid or unknown
    # userId). Naming one is refused, and without a valid session there is no buyer.
    await as_buyer.error(
        PLACE,
        {"input": {"userId": buyer["id"], "items": [{"sku": "A", "quantity": 1}]}},
        code="BAD_USER_INPUT",
    )
    await gql.error(PLACE, order([{"sku": "A", "quantity": 1}]), code="UNAUTHENTICATED")
    await gql.as_user("not-a-token").error(
        PLACE, order([{"sku": "A", "quantity": 1}]), code="UNAUTHENTICATED"
    )
    assert await stock(db, "A") == 5
    assert await db.orders.count_documents({}) == 0


async def test_status_moves_only_along_the_workflow(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="A", stock=5)
    order = await place_order(gql, buyer, [("A", 1)])

    error = await admin.error(
        SET_STATUS, {"id": order["id"], "status": "SHIPPED"}, code="INVALID_STATUS_TRANSITION"
    )
    assert error["extensions"]["current"] == "pending"
    for status in ("PAID", "SHIPPED", "COMPLETED"):
        changed = await set_status(admin, order["id"], status)
        assert changed["status"] == status
    assert changed["updatedAt"] > order["updatedAt"]
    await admin.error(
        SET_STATUS, {"id": order["id"], "status": "CANCELLED"}, code="INVALID_STATUS_TRANSITION"
    )
    stored = await db.orders.find_one({"_id": ObjectId(order["databaseId"])})
    assert stored["status"] == "completed"

    await admin.error(SET_STATUS, {"id": str(ObjectId()), "status": "PAID"}, code="NOT_FOUND")
    await admin.error(SET_STATUS, {"id": "x", "status": "PAID"}, code="BAD_USER_INPUT")
    await admin.error(SET_STATUS, {"id": order["id"], "status": "LOST"}, code="BAD_USER_INPUT")


async def test_cancelling_gives_the_stock_back(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="A", stock=5)
    order = await place_order(gql, buyer, [("A", 3)])
    assert await stock(db, "A") == 2

    await set_status(admin, order["id"], "PAID")
    await set_status(admin, order["id"], "CANCELLED")
    assert await stock(db, "A") == 5
    await admin.error(
        SET_STATUS, {"id": order["id"], "status": "PAID"}, code="INVALID_STATUS_TRANSITION"
    )
    assert await stock(db, "A") == 5


async def test_get_and_list_orders_by_status_and_user(gql, admin):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await create_product(admin, sku="A", price="2.00", stock=50)
    a1 = await place_order(gql, alice, [("A", 1)])
    a2 = await place_order(gql, alice, [("A", 2)])
    b1 = await place_order(gql, bob, [("A", 3)])
    await set_status(admin, a2["id"], "PAID")

    # One order: its buyer and admins may read it.
    get_one = f"query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"
    one = await gql.as_user(bob).data(get_one, {"id": b1["id"]})
    assert one["order"]["total"] == "6.00"
    assert (await admin.data(get_one, {"id": b1["id"]}))["order"] == one["order"]
    for viewer in (gql.as_user(bob), admin):
        unknown = {"id": str(ObjectId())}
        assert (await viewer.data("query($id: ID!) { order(id: $id) { id } }", unknown))[
            "order"
        ] is None

    # The list of all orders is for admins.
    query = (
        "query($filter: OrderFilter) { orders(filter: $filter) "
        "{ totalCount edges { node { id user { username } } } } }"
    )
    everything = (await admin.data(query))["orders"]
    assert [e["node"]["id"] for e in everything["edges"]] == [b1["id"], a2["id"], a1["id"]]
    by_user = (await admin.data(query, {"filter": {"userId": alice["id"]}}))["orders"]
    assert [e["node"]["id"] for e in by_user["edges"]] == [a2["id"], a1["id"]]
    assert {e["node"]["user"]["username"] for e in by_user["edges"]} == {alice["username"]}
    pending = (await admin.data(query, {"filter": {"status": "PENDING"}}))["orders"]
    assert pending["totalCount"] == 2
    both = await admin.data(query, {"filter": {"status": "PAID", "userId": alice["id"]}})
    both = both["orders"]
    assert [e["node"]["id"] for e in both["edges"]] == [a2["id"]]


ORDERS_PAGE = """
query($filter: OrderFilter, $sort: OrderSort! = NEWEST_FIRST) {
  orders(filter: $filter, sort: $sort) { totalCount edges { node { id databaseId createdAt } } }
}"""


async def listed_orders(admin, sort: str = "NEWEST_FIRST", **filter) -> list[str]:
    data = (await admin.data(ORDERS_PAGE, {"filter": filter, "sort": sort}))["orders"]
    assert data["totalCount"] == len(data["edges"])
    return [edge["node"]["id"] for edge in data["edges"]]


async def placed_at(gql, db, user: dict, at: datetime) -> dict:
    order = await place_order(gql, user, [("A", 1)])
    await db.orders.update_one({"_id": ObjectId(order["databaseId"])}, {"$set": {"created_at": at}})
    return order


async def test_orders_filtered_by_creation_time(gql, admin, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await create_product(admin, sku="A", stock=50)
    # Placed in an order unlike their creation times, so the list cannot go by insertion.
    feb = await placed_at(gql, db, alice, datetime(2026, 2, 10, 12, tzinfo=UTC))
    jan = await placed_at(gql, db, alice, datetime(2026, 1, 10, 12, tzinfo=UTC))
    mar = await placed_at(gql, db, bob, datetime(2026, 3, 10, 12, tzinfo=UTC))
    await set_status(admin, feb["id"], "PAID")

    listed = await admin.data(ORDERS_PAGE)
    assert [e["node"]["createdAt"] for e in listed["orders"]["edges"]] == [
        "2026-03-10T12:00:00+00:00",
        "2026-02-10T12:00:00+00:00",
        "2026-01-10T12:00:00+00:00",
    ]
    assert await listed_orders(admin) == [mar["id"], feb["id"], jan["id"]]
    assert await listed_orders(admin, createdAfter="2026-02-01T00:00:00Z") == [mar["id"], feb["id"]]
    assert await listed_orders(admin, createdBefore="2026-02-01T00:00:00Z") == [jan["id"]]
    assert await listed_orders(
        admin, createdAfter="2026-02-01T00:00:00Z", createdBefore="2026-03-01T00:00:00Z"
    ) == [feb["id"]]
    assert (
        await listed_orders(
            admin, createdAfter="2026-03-01T00:00:00Z", createdBefore="2026-02-01T00:00:00Z"
        )
        == []
    )
    assert await listed_orders(admin, "OLDEST_FIRST", createdAfter="2026-01-31T00:00:00Z") == [
        feb["id"],
        mar["id"],
    ]

    # Offsets count: 13:00 at +02:00 is 11:00 UTC, an hour before January's order.
    assert await listed_orders(admin, createdAfter="2026-01-10T13:00:00+02:00") == [
        mar["id"],
        feb["id"],
        jan["id"],
    ]
    assert await listed_orders(admin, createdBefore="2026-01-10T13:00:00+02:00") == []
    assert await listed_orders(admin, createdBefore="2026-01-10T10:00:00-05:00") == [jan["id"]]

    # Combined with the other conditions.
    after_january = "2026-01-31T00:00:00Z"
    assert await listed_orders(admin, userId=alice["id"], createdAfter=after_january) == [feb["id"]]
    assert await listed_orders(admin, userId=bob["id"], createdBefore=after_january) == []
    assert await listed_orders(admin, status="PENDING", createdAfter=after_january) == [mar["id"]]
    assert await listed_orders(admin, status="PAID", createdBefore=after_january) == []


async def test_order_time_filters_need_a_time_zone(gql, admin, db):
    buyer = await sign_up(gql)
    await create_product(admin, sku="A", stock=5)
    await place_order(gql, buyer, [("A", 1)])

    # The DateTime scalar refuses it on arrival; the message names where and why.
    for argument in ("createdAfter", "createdBefore"):
        error = await admin.error(
            ORDERS_PAGE, {"filter": {argument: "2026-02-01T00:00:00"}}, code="BAD_USER_INPUT"
        )
        assert argument in error["message"] and "offset" in error["message"], error
        await admin.error(ORDERS_PAGE, {"filter": {argument: "yesterday"}}, code="BAD_USER_INPUT")
    error = await admin.error(
        'query { orders(filter: {createdAfter: "2026-02-01T00:00:00"}) { totalCount } }',
        code="BAD_USER_INPUT",
    )
    assert "offset" in error["message"], error


async def test_money_is_exact_decimal(gql, admin):
    buyer = await sign_up(gql)
    await create_product(admin, sku="DIME", price="0.10", stock=1000)
    order = await place_order(gql, buyer, [("DIME", 3)])
    # 3 x 0.1 is 0.30000000000000004 in binary floating point.
    assert order["total"] == "0.30"
    assert Decimal(order["total"]) == Decimal("0.30")
