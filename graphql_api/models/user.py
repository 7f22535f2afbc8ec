"""Accounts. Email is stored lower-case so uniqueness is case-insensitive."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints, field_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from graphql_api.models.base import TimestampedDocument

Username = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=50, pattern=r"^[\w.-]+$")
]


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


class User(TimestampedDocument):
    username: Username
    email: EmailStr
    # Argon2id hash (PHC string); the password itself is never stored.
    password_hash: str = Field(repr=False)
    roles: list[Role] = Field(default_factory=lambda: [Role.USER])
    is_active: bool = True
    credits: int = Field(default=0, ge=0)
    deactivated_at: datetime | None = None

    @field_validator("email", mode="after")
    @classmethod
    def _lower_case_email(cls, email: str) -> str:
        return email.lower()

    class Settings:
        name = "users"
        indexes = [
            IndexModel([("username", ASCENDING)], unique=True, name="username_unique"),
            IndexModel([("email", ASCENDING)], unique=True, name="email_unique"),
            IndexModel(
                [("is_active", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="active_newest",
            ),
            IndexModel(
                [
                    ("is_active", ASCENDING),
                    ("roles", ASCENDING),
                    ("created_at", DESCENDING),
                    ("_id", DESCENDING),
                ],
                name="active_role_newest",
            ),
            IndexModel(
                [("email", ASCENDING)],
                partialFilterExpression={"is_active": True},
                name="email_active_users",
            ),
        ]
