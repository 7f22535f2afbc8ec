"""Accounts. Uniqueness ignores case and Unicode look-alikes.

A username is shown as typed, but is unique by `username_key`: its NFKC form,
case-folded, so `Admin` and a fullwidth `admin` (U+FF41...) are the same name as `admin`
(and sign in to it). Email is stored NFKC-normalised and lower-case.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from beanie import Document
from pydantic import (
    AfterValidator,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pymongo import ASCENDING, DESCENDING, IndexModel

from graphql_api.models.base import CreatedAt, UpdatedAt
from graphql_api.models.exposed import Exposed

logger = logging.getLogger(__name__)

# A collection of one document that every change removing an active admin writes
# in its transaction, so that two such changes conflict (see services/users.py).
ADMIN_GUARD = "admin_guard"

# Scripts that are written together (Japanese mixes Han and kana, Korean Han and Hangul).
_SCRIPT_GROUPS = {"CJK": "CJK", "HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK"}


def _no_hidden_look_alikes(username: str) -> str:
    """Refuse what NFKC leaves looking like another name: invisible characters
    (`\\w` admits the zero-width joiners) and letters of two scripts (a Cyrillic
    a, U+0430, before a Latin `dmin`)."""
    normal = unicodedata.normalize("NFKC", username)
    if any(unicodedata.category(char) == "Cf" for char in normal):
        raise ValueError("invisible characters are not allowed in a username")
    scripts = {
        _SCRIPT_GROUPS.get(word, word)
        for char in normal
        if char.isalpha() and (word := unicodedata.name(char, "?").split(" ")[0]) != "MODIFIER"
    }
    if len(scripts) > 1:
        raise ValueError("a username's letters must be of one script")
    return username


Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=50, pattern=r"^[\w.-]+$"),
    AfterValidator(_no_hidden_look_alikes),
]


def username_key(username: str) -> str:
    """What makes two usernames the same: NFKC, case-folded (and NFKC again, as folding
    can leave a string that NFKC would still change)."""
    folded = unicodedata.normalize("NFKC", username.strip()).casefold()
    # Dotted and dotless i read as i: Turkish capital dotted I (U+0130) folds to
    # i + U+0307, and the dotless i (U+0131) folds to itself.
    folded = folded.replace("i\u0307", "i").replace("\u0131", "i")
    return unicodedata.normalize("NFKC", folded)


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email.strip()).lower()


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


class User(Document):
    username: Annotated[Username, Exposed()]
    # username_key(username); unique. Derived: set by the validator below.
    username_key: str = ""
    # Argon2id hash (PHC string); the password itself is never stored.
    password_hash: str = Field(repr=False)
    roles: Annotated[list[Role], Exposed()] = Field(default_factory=lambda: [Role.USER])
    is_active: Annotated[bool, Exposed("False once the account is deactivated.")] = True
    created_at: CreatedAt
    updated_at: UpdatedAt
    deactivated_at: Annotated[datetime | None, Exposed("When the account was deactivated.")] = None
    email: Annotated[EmailStr, Exposed(owner_only=True)]
    credits: Annotated[int, Exposed("Credits to spend or transfer.", owner_only=True)] = Field(
        default=0, ge=0
    )

    @field_validator("email", mode="after")
    @classmethod
    def _lower_case_email(cls, email: str) -> str:
        return normalise_email(email)

    @model_validator(mode="after")
    def _derive_username_key(self) -> User:
        self.username_key = username_key(self.username)
        return self

    @classmethod
    async def prepare_indexes(cls, collection: Any) -> None:
        """Give documents written before `username_key` existed their key, before the
        unique index is built. The oldest account keeps a contested name; a younger
        look-alike (`Admin` beside `admin`) gets a key no typed name matches: it
        signs in by email until renamed, and is logged here for an operator."""
        await collection.database[ADMIN_GUARD].update_one(
            {"_id": "admins"}, {"$setOnInsert": {"changes": 0}}, upsert=True
        )
        missing = collection.find(
            {"username_key": {"$exists": False}}, {"username": 1}, sort=[("_id", ASCENDING)]
        )
        async for doc in missing:
            key = username_key(doc["username"])
            if await collection.find_one({"username_key": key, "_id": {"$ne": doc["_id"]}}):
                logger.warning(
                    "User %s's username %r is a look-alike of an older account's: "
                    "it signs in by email until renamed.",
                    doc["_id"],
                    doc["username"],
                )
                key = f"{key}#{doc['_id']}"
            await collection.update_one(
                {"_id": doc["_id"], "username_key": {"$exists": False}},
                {"$set": {"username_key": key}},
            )

    class Settings:
        name = "users"
        indexes = [
            IndexModel([("username", ASCENDING)], unique=True, name="username_unique"),
            # Sparse: documents written before the key existed don't collide on null
            # while `backfill_username_keys` (run before the index build) fills them in.
            IndexModel(
                [("username_key", ASCENDING)], unique=True, sparse=True, name="username_key_unique"
            ),
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
