from bson import ObjectId

from tests.factories import grant, sign_up

TRANSFER = (
    "mutation($input: TransferCreditsInput!) { transferCredits(input: $input) "
    "{ id amount createdAt fromUser { id credits } toUser { id credits } } }"
)


def transfer(sender: str, recipient: str, amount: int) -> dict:
    return {"input": {"fromUserId": sender, "toUserId": recipient, "amount": amount}}


async def balance(db, user: dict) -> int:
    return (await db.users.find_one({"_id": ObjectId(user["databaseId"])}))["credits"]


async def test_grant_records_a_ledger_entry(gql, db):
    user = await sign_up(gql)
    entry = await grant(gql, user["id"], 50)
    assert entry["amount"] == 50
    assert await balance(db, user) == 50
    ledger = await db.credit_transfers.find_one({"_id": ObjectId(entry["id"])})
    assert ledger["from_user_id"] is None
    assert ledger["to_user_id"] == ObjectId(user["databaseId"])


async def test_transfer_moves_credits_and_writes_the_ledger(gql, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await grant(gql, alice["id"], 100)

    data = await gql.data(TRANSFER, transfer(alice["id"], bob["id"], 30))
    moved = data["transferCredits"]
    assert moved["amount"] == 30
    assert moved["fromUser"] == {"id": alice["id"], "credits": 70}
    assert moved["toUser"] == {"id": bob["id"], "credits": 30}
    assert await balance(db, alice) == 70
    assert await balance(db, bob) == 30
    entry = await db.credit_transfers.find_one({"_id": ObjectId(moved["id"])})
    assert (entry["from_user_id"], entry["to_user_id"], entry["amount"]) == (
        ObjectId(alice["databaseId"]),
        ObjectId(bob["databaseId"]),
        30,
    )


async def test_insufficient_credits_changes_nothing(gql, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await grant(gql, alice["id"], 10)

    error = await gql.error(
        TRANSFER, transfer(alice["id"], bob["id"], 11), code="INSUFFICIENT_CREDITS"
    )
    assert error["extensions"]["balance"] == 10
    assert await balance(db, alice) == 10
    assert await balance(db, bob) == 0
    assert await db.credit_transfers.count_documents({"from_user_id": {"$ne": None}}) == 0


async def test_unknown_recipient_rolls_back_the_debit(gql, db):
    alice = await sign_up(gql)
    await grant(gql, alice["id"], 10)

    await gql.error(TRANSFER, transfer(alice["id"], str(ObjectId()), 5), code="NOT_FOUND")
    # The debit happened first inside the transaction; the abort undid it.
    assert await balance(db, alice) == 10
    assert await db.credit_transfers.count_documents({}) == 1  # the grant only


async def test_deactivated_users_neither_send_nor_receive(gql, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await grant(gql, alice["id"], 10)
    await gql.data("mutation($id: ID!) { deactivateUser(id: $id) { id } }", {"id": bob["id"]})

    await gql.error(TRANSFER, transfer(alice["id"], bob["id"], 5), code="NOT_FOUND")
    await gql.error(TRANSFER, transfer(bob["id"], alice["id"], 5), code="NOT_FOUND")
    assert await balance(db, alice) == 10


async def test_bad_transfer_input(gql, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await grant(gql, alice["id"], 10)
    await gql.error(TRANSFER, transfer(alice["id"], alice["id"], 5), code="BAD_USER_INPUT")
    await gql.error(TRANSFER, transfer(alice["id"], bob["id"], 0), code="BAD_USER_INPUT")
    await gql.error(TRANSFER, transfer(alice["id"], bob["id"], -5), code="BAD_USER_INPUT")
    await gql.error(TRANSFER, transfer("nope", bob["id"], 5), code="BAD_USER_INPUT")
    await gql.error(TRANSFER, transfer(alice["id"], "nope", 5), code="BAD_USER_INPUT")
    await gql.error(TRANSFER, transfer(str(ObjectId()), bob["id"], 5), code="NOT_FOUND")
    await gql.error(
        'mutation { grantCredits(input: {userId: "x", amount: 1}) { id } }',
        code="BAD_USER_INPUT",
    )
    assert await balance(db, alice) == 10
    assert await balance(db, bob) == 0
