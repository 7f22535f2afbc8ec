"""Credits: transfers between users and grants, recorded in a ledger."""

from datetime import datetime
from typing import Any

import strawberry

from graphql_api.auth.rules import IsAdmin, IsAuthenticated, require_viewer
from graphql_api.models.ids import DocumentId
from graphql_api.schema.context import Info
from graphql_api.schema.idempotency import IdempotencyKey, idempotent
from graphql_api.schema.relay import parse_id
from graphql_api.schema.scalars import to_id
from graphql_api.schema.users import User
from graphql_api.services import credits as service


@strawberry.type(
    description="A ledger entry: credits moved from one user (or the system) to another."
)
class CreditTransfer:
    id: strawberry.ID
    amount: int
    created_at: datetime
    from_user_id: strawberry.Private[DocumentId | None]
    to_user_id: strawberry.Private[DocumentId]

    @strawberry.field(description="Null for credits granted by the system.")
    async def from_user(self, info: Info) -> User | None:
        if self.from_user_id is None:
            return None
        doc = await info.context.loaders.user_by_id.load(self.from_user_id)
        return User.from_document(doc) if doc else None

    @strawberry.field
    async def to_user(self, info: Info) -> User | None:
        doc = await info.context.loaders.user_by_id.load(self.to_user_id)
        return User.from_document(doc) if doc else None

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "CreditTransfer":
        return cls(
            id=to_id(doc["_id"]),
            amount=doc["amount"],
            created_at=doc["created_at"],
            from_user_id=doc.get("from_user_id"),
            to_user_id=doc["to_user_id"],
        )


@strawberry.input(description="Credits leave the signed-in user's account.")
class TransferCreditsInput:
    to_user_id: strawberry.ID
    amount: int = strawberry.field(description="Positive whole credits.")


@strawberry.input
class GrantCreditsInput:
    user_id: strawberry.ID
    amount: int


@strawberry.type
class CreditMutations:
    @strawberry.mutation(
        description="Move credits between two users, all or nothing. "
        "INSUFFICIENT_CREDITS if the sender's balance is too low.",
        permission_classes=[IsAuthenticated],
    )
    async def transfer_credits(
        self, info: Info, input: TransferCreditsInput, idempotency_key: IdempotencyKey = None
    ) -> CreditTransfer:
        sender = await require_viewer(info)
        return CreditTransfer.from_document(
            await idempotent(
                info,
                idempotency_key,
                "transferCredits",
                input,
                lambda: service.transfer_credits(
                    from_user_id=sender.user_id,
                    to_user_id=parse_id(input.to_user_id, "User", "toUserId"),
                    amount=input.amount,
                ),
            )
        )

    @strawberry.mutation(
        description="Give a user credits from the system (admins).", permission_classes=[IsAdmin]
    )
    async def grant_credits(
        self, info: Info, input: GrantCreditsInput, idempotency_key: IdempotencyKey = None
    ) -> CreditTransfer:
        return CreditTransfer.from_document(
            await idempotent(
                info,
                idempotency_key,
                "grantCredits",
                input,
                lambda: service.grant_credits(
                    user_id=parse_id(input.user_id, "User", "userId"), amount=input.amount
                ),
            )
        )
