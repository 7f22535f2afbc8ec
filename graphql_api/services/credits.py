"""Credits: moving them between users, with a ledger entry for every movement."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from graphql_api.errors import BadUserInput, InsufficientCredits, NotFound
from graphql_api.models import CreditTransfer, User, utcnow
from graphql_api.services.common import in_transaction

MAX_AMOUNT = 1_000_000_000
#: Balances are GraphQL `Int`s (32-bit signed): no balance may grow past this, so
#: `User.credits` can always be answered. A bound, rather than a wider scalar, keeps
#: the field a plain Int for generated clients.
MAX_BALANCE = 2**31 - 1


def _users():
    return User.get_pymongo_collection()


def _check_amount(amount: int) -> None:
    if not 1 <= amount <= MAX_AMOUNT:
        raise BadUserInput(f"`amount` must be between 1 and {MAX_AMOUNT}.", argument="amount")


async def transfer_credits(
    *, from_user_id: ObjectId, to_user_id: ObjectId, amount: int
) -> dict[str, Any]:
    """Debit, credit and record in one transaction: all or nothing.

    The debit is conditional on the balance (`credits >= amount`), so no
    interleaving of transfers can take a balance below zero; transient
    transaction errors are retried by `in_transaction`.
    """
    sender, recipient = from_user_id, to_user_id
    _check_amount(amount)
    if sender == recipient:
        raise BadUserInput("Cannot transfer credits to the same user.", argument="toUserId")

    async def move(session: AsyncClientSession) -> dict[str, Any]:
        now = utcnow()
        debited = await _users().update_one(
            {"_id": sender, "is_active": True, "credits": {"$gte": amount}},
            {"$inc": {"credits": -amount}, "$set": {"updated_at": now}},
            session=session,
        )
        if not debited.matched_count:
            user = await _users().find_one(
                {"_id": sender, "is_active": True}, {"credits": 1}, session=session
            )
            if user is None:
                raise NotFound("The sending account is no longer active.")
            raise InsufficientCredits(
                f"Balance is {user['credits']} credits, {amount} requested.",
                balance=user["credits"],
                requested=amount,
            )
        await _credit(recipient, amount, now, session, "toUserId")
        return await _record(sender, recipient, amount, now, session)

    return await in_transaction(User, move)


async def grant_credits(*, user_id: ObjectId, amount: int) -> dict[str, Any]:
    """Give credits from the system (no sender), recorded in the ledger."""
    recipient = user_id
    _check_amount(amount)

    async def grant(session: AsyncClientSession) -> dict[str, Any]:
        now = utcnow()
        await _credit(recipient, amount, now, session, "userId")
        return await _record(None, recipient, amount, now, session)

    return await in_transaction(User, grant)


async def _credit(
    recipient: ObjectId, amount: int, now: Any, session: AsyncClientSession, argument: str
) -> None:
    credited = await _users().update_one(
        {"_id": recipient, "is_active": True, "credits": {"$lte": MAX_BALANCE - amount}},
        {"$inc": {"credits": amount}, "$set": {"updated_at": now}},
        session=session,
    )
    if not credited.matched_count:
        user = await _users().find_one(
            {"_id": recipient, "is_active": True}, {"credits": 1}, session=session
        )
        if user is None:
            raise NotFound("No active user with this id.", argument=argument)
        raise BadUserInput(
            f"A balance holds at most {MAX_BALANCE} credits; this one has "
            f"{user.get('credits', 0)}.",
            argument="amount",
            maximum=MAX_BALANCE,
        )


async def _record(
    sender: ObjectId | None, recipient: ObjectId, amount: int, now: Any, session: AsyncClientSession
) -> dict[str, Any]:
    entry = CreditTransfer(from_user_id=sender, to_user_id=recipient, amount=amount, created_at=now)
    await entry.insert(session=session)
    return entry.model_dump(by_alias=True)
