from bson import ObjectId

from tests.factories import grant, sign_up

TRANSFER = (
    "mutation($input: TransferCreditsInput!) { transferCredits(input: $input) "
    "{ id amount createdAt fromUser { id credits } toUser { id credits } } }"
)
ME = "{ me { id credits } }"


def transfer(recipient: str, amount: int) -> dict:
    """The sender is whoever is signed in."""
    return {"input": {"toUserId": recipient, "amount": amount}}


async def balance(db, user: dict) -> int:
    return (await db.users.find_one({"_id": ObjectId(user["databaseId"])}))["credits"]


async def test_grant_records_a_ledger_entry(gql, admin, db):
    user = await sign_up(gql)
    entry = await grant(admin, user["id"], 50)
    assert entry["amount"] == 50
    assert await balance(db, user) == 50
    ledger = await db.credit_transfers.find_one({"_id": ObjectId(entry["id"])})
    assert ledger["from_user_id"] is None
    assert ledger["to_user_id"] == ObjectId(user["databaseId"])


async def test_transfer_moves_credits_and_writes_the_ledger(gql, admin, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await grant(admin, alice["id"], 100)

    data = await gql.as_user(alice).data(TRANSFER, transfer(bob["id"], 30))
    moved = data["transferCredits"]
    assert moved["amount"] == 30
    assert moved["fromUser"] == {"id": alice["id"], "credits": 70}
    # Changed by design: the sender may not see the recipient's balance...
    assert moved["toUser"] == {"id": bob["id"], "credits": None}
    # ...but the recipient sees it.
    assert (await gql.as_user(bob).data(ME))["me"] == {"id": bob["id"], "credits": 30}
    assert await balance(db, alice) == 70
    assert await balance(db, bob) == 30
    entry = await db.credit_transfers.find_one({"_id": ObjectId(moved["id"])})
    assert (entry["from_user_id"], entry["to_user_id"], entry["amount"]) == (
        ObjectId(alice["databaseId"]),
        ObjectId(bob["databaseId"]),
        30,
    )


async def test_insufficient_credits_changes_nothing(gql, admin, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await grant(admin, alice["id"], 10)

    error = await gql.as_user(alice).error(
        TRANSFER, transfer(bob["id"], 11), code="INSUFFICIENT_CREDITS"
    )
    assert error["extensions"]["balance"] == 10
    assert await balance(db, alice) == 10
    assert await balance(db, bob) == 0
    assert await db.credit_transfers.count_documents({"from_user_id": {"$ne": None}}) == 0


async def test_unknown_recipient_rolls_back_the_debit(gql, admin, db):
    alice = await sign_up(gql)
    await grant(admin, alice["id"], 10)

    await gql.as_user(alice).error(TRANSFER, transfer(str(ObjectId()), 5), code="NOT_FOUND")
    # The debit happened first inside the transaction; the abort undid it.
    assert await balance(db, alice) == 10
    assert await db.credit_transfers.count_documents({}) == 1  # the grant only


async def test_deactivated_users_neither_send_nor_receive(gql, admin, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await grant(admin, alice["id"], 10)
    await grant(admin, bob["id"], 10)
    await admin.data("mutation($id: ID!) { deactivateUser(id: $id) { id } }", {"id": bob["id"]})

    await gql.as_user(alice).error(TRANSFER, transfer(bob["id"], 5), code="NOT_FOUND")
    # Changed by design: a deactivated user's session is refused before the transfer is tried
    # (it used to be NOT_FOUND for the sender id).
    await gql.as_user(bob).error(TRANSFER, transfer(alice["id"], 5), code="UNAUTHENTICATED")
    assert await balance(db, alice) == 10
    assert await balance(db, bob) == 10
    assert await db.credit_transfers.count_documents({"from_user_id": {"$ne": None}}) == 0


async def test_bad_transfer_input(gql, admin, db):
    alice, bob = await sign_up(gql), await sign_up(gql)
    await grant(admin, alice["id"], 10)
    as_alice = gql.as_user(alice)
    error = await as_alice.error(TRANSFER, transfer(alice["id"], 5), code="BAD_USER_INPUT")
    assert error["extensions"]["argument"] == "toUserId"
    await as_alice.error(TRANSFER, transfer(bob["id"], 0), code="BAD_USER_INPUT")
    await as_alice.error(TRANSFER, transfer(bob["id"], -5), code="BAD_USER_INPUT")
    await as_alice.error(TRANSFER, transfer("nope", 5), code="BAD_USER_INPUT")
    # The sender can no longer be named: `fromUserId` is not an input field any more...
    await as_alice.error(
        TRANSFER,
        {"input": {"fromUserId": bob["id"], "toUserId": alice["id"], "amount": 5}},
        code="BAD_USER_INPUT",
    )
    # ...and without a valid session there is no sender (was: unknown or invalid fromUserId).
    await gql.error(TRANSFER, transfer(bob["id"], 5), code="UNAUTHENTICATED")
    await gql.as_user("not-a-token").error(TRANSFER, transfer(bob["id"], 5), code="UNAUTHENTICATED")
    await admin.error(
        'mutation { grantCredits(input: {userId: "x", amount: 1}) { id } }',
        code="BAD_USER_INPUT",
    )
    assert await balance(db, alice) == 10
    assert await balance(db, bob) == 0
    assert await db.credit_transfers.count_documents({"from_user_id": {"$ne": None}}) == 0
