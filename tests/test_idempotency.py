"""Idempotency keys: a retry with the same key returns the first result, never applies twice."""

import asyncio
import uuid
from datetime import UTC, datetime

from bson import ObjectId

from tests.factories import (
    ORDER_FIELDS,
    POST_FIELDS,
    create_product,
    grant,
    place_order,
    sign_up,
)

CREATE_POST = (
    "mutation($input: CreatePostInput!, $key: String) "
    f"{{ createPost(input: $input, idempotencyKey: $key) {{ {POST_FIELDS} }} }}"
)
TRANSFER = (
    "mutation($input: TransferCreditsInput!, $key: String) "
    "{ transferCredits(input: $input, idempotencyKey: $key) { id amount } }"
)
GRANT = (
    "mutation($input: GrantCreditsInput!, $key: String) "
    "{ grantCredits(input: $input, idempotencyKey: $key) { id amount } }"
)
PLACE_ORDER = (
    "mutation($input: PlaceOrderInput!, $key: String) "
    f"{{ placeOrder(input: $input, idempotencyKey: $key) {{ {ORDER_FIELDS} }} }}"
)
SET_STATUS = (
    "mutation($id: ID!, $status: OrderStatus!, $key: String) "
    "{ updateOrderStatus(id: $id, status: $status, idempotencyKey: $key) { id status updatedAt } }"
)
UPDATE_PRODUCT = (
    "mutation($sku: String!, $input: UpdateProductInput!, $key: String) "
    "{ updateProduct(sku: $sku, input: $input, idempotencyKey: $key) { sku stock updatedAt } }"
)


def key() -> str:
    return str(uuid.uuid4())


async def test_a_retried_create_post_returns_the_first_post_and_creates_one(gql, db):
    author = gql.as_user(await sign_up(gql))
    k, post = key(), {"title": "Once", "content": "only once"}
    first = (await author.data(CREATE_POST, {"input": post, "key": k}))["createPost"]
    again = (await author.data(CREATE_POST, {"input": post, "key": k}))["createPost"]
    assert again == first
    assert await db.posts.count_documents({"title": "Once"}) == 1
    # Without a key (or with another key), a request is a new request.
    await author.data(CREATE_POST, {"input": post})
    await author.data(CREATE_POST, {"input": post, "key": key()})
    assert await db.posts.count_documents({"title": "Once"}) == 3


async def test_a_key_reused_for_other_input_is_refused_and_does_nothing(gql, db):
    author = gql.as_user(await sign_up(gql))
    k = key()
    await author.data(CREATE_POST, {"input": {"title": "A", "content": "a"}, "key": k})
    error = await author.error(
        CREATE_POST,
        {"input": {"title": "B", "content": "b"}, "key": k},
        code="IDEMPOTENCY_KEY_REUSED",
    )
    assert error["extensions"]["argument"] == "idempotencyKey"
    assert await db.posts.count_documents({"title": "B"}) == 0


async def test_keys_are_per_user(gql, db):
    alice, bob = gql.as_user(await sign_up(gql)), gql.as_user(await sign_up(gql))
    k, post = key(), {"title": "Shared key", "content": "x"}
    a = (await alice.data(CREATE_POST, {"input": post, "key": k}))["createPost"]
    b = (await bob.data(CREATE_POST, {"input": post, "key": k}))["createPost"]
    assert a["id"] != b["id"]
    assert await db.posts.count_documents({"title": "Shared key"}) == 2


async def test_keys_are_bounded(gql, db):
    author = gql.as_user(await sign_up(gql))
    for bad in ["", " padded ", "x" * 129, "tab\there"]:
        await author.error(
            CREATE_POST,
            {"input": {"title": "T", "content": "c"}, "key": bad},
            code="BAD_USER_INPUT",
        )
    assert await db.posts.count_documents({}) == 0
    await author.data(CREATE_POST, {"input": {"title": "T", "content": "c"}, "key": "x" * 128})


async def test_concurrent_retries_with_one_key_apply_once(gql, db):
    author = gql.as_user(await sign_up(gql))
    k, post = key(), {"title": "Racing", "content": "r"}
    bodies = await asyncio.gather(
        *(author.execute(CREATE_POST, {"input": post, "key": k}) for _ in range(8))
    )
    ids = set()
    for body in bodies:
        if body.get("errors"):  # the only other acceptable answer: "retry shortly"
            assert body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_PROGRESS", body
        else:
            ids.add(body["data"]["createPost"]["id"])
    assert len(ids) == 1
    assert await db.posts.count_documents({"title": "Racing"}) == 1


async def test_money_moves_once_per_key(gql, admin, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    k = key()
    granted = [
        (await admin.data(GRANT, {"input": {"userId": alice["id"], "amount": 100}, "key": k}))
        for _ in range(3)
    ]
    assert granted[0] == granted[1] == granted[2]
    sender = gql.as_user(alice)
    k = key()
    transfer = {"toUserId": bob["id"], "amount": 30}
    results = await asyncio.gather(
        *(sender.execute(TRANSFER, {"input": transfer, "key": k}) for _ in range(5))
    )
    ids = {r["data"]["transferCredits"]["id"] for r in results if not r.get("errors")}
    assert len(ids) == 1
    users = {u["_id"]: u["credits"] async for u in db.users.find({}, {"credits": 1})}
    assert users[ObjectId(alice["databaseId"])] == 70
    assert users[ObjectId(bob["databaseId"])] == 30
    assert await db.credit_transfers.count_documents({}) == 2


async def test_a_failed_request_keeps_no_key_so_a_later_retry_applies(gql, admin, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    sender, k = gql.as_user(alice), key()
    transfer = {"input": {"toUserId": bob["id"], "amount": 10}, "key": k}
    await sender.error(TRANSFER, transfer, code="INSUFFICIENT_CREDITS")
    assert await db.idempotency_keys.count_documents({}) == 0
    await grant(admin, alice["id"], 10)
    assert (await sender.data(TRANSFER, transfer))["transferCredits"]["amount"] == 10


async def test_stock_moves_once_per_key(gql, admin, db):
    product = await create_product(admin, stock=10)
    buyer = await sign_up(gql)
    client, k = gql.as_user(buyer), key()
    order_input = {"items": [{"sku": product["sku"], "quantity": 3}]}
    orders = [(await client.data(PLACE_ORDER, {"input": order_input, "key": k})) for _ in range(2)]
    assert orders[0] == orders[1]
    assert (await db.products.find_one({"sku": product["sku"]}))["stock"] == 7

    # Cancelling twice with one key: the second answers like the first (not
    # INVALID_STATUS_TRANSITION), and the stock comes back once.
    order_id, k = orders[0]["placeOrder"]["id"], key()
    cancel = {"id": order_id, "status": "CANCELLED", "key": k}
    first = await client.data(SET_STATUS, cancel)
    assert await client.data(SET_STATUS, cancel) == first
    assert (await db.products.find_one({"sku": product["sku"]}))["stock"] == 10

    # Fulfilment steps and stock adjustments too.
    paid = await place_order(gql, buyer, [(product["sku"], 1)])
    k = key()
    step = {"id": paid["id"], "status": "PAID", "key": k}
    assert await admin.data(SET_STATUS, step) == await admin.data(SET_STATUS, step)
    k = key()
    restock = {"sku": product["sku"], "input": {"stock": 50}, "key": k}
    assert await admin.data(UPDATE_PRODUCT, restock) == await admin.data(UPDATE_PRODUCT, restock)
    await admin.error(
        UPDATE_PRODUCT, restock | {"input": {"stock": 51}}, code="IDEMPOTENCY_KEY_REUSED"
    )
    assert (await db.products.find_one({"sku": product["sku"]}))["stock"] == 50


async def test_keys_expire(gql, db):
    author = gql.as_user(await sign_up(gql))
    k, post = key(), {"title": "Expiring", "content": "e"}
    await author.data(CREATE_POST, {"input": post, "key": k})
    stored = await db.idempotency_keys.find_one({"key": k})
    assert stored["expires_at"] > datetime.now(UTC)
    indexes = await db.idempotency_keys.index_information()
    assert indexes["expires_ttl"]["expireAfterSeconds"] == 0
    assert indexes["user_key"]["unique"] is True
    # Past its expiry (before the TTL monitor removed it), the key is forgotten.
    await db.idempotency_keys.update_one(
        {"key": k}, {"$set": {"expires_at": datetime(2000, 1, 1, tzinfo=UTC)}}
    )
    await author.data(CREATE_POST, {"input": post, "key": k})
    assert await db.posts.count_documents({"title": "Expiring"}) == 2
