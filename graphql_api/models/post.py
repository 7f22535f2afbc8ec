"""Blog posts. Drafts stay private until published."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from beanie import Document, PydanticObjectId
from pydantic import Field, StringConstraints, field_validator
from pymongo import ASCENDING, DESCENDING, TEXT, IndexModel

from graphql_api.models.base import CreatedAt, UpdatedAt
from graphql_api.models.exposed import Exposed

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40)
]

TEXT_INDEX_NAME = "posts_text"


class Post(Document):
    author_id: PydanticObjectId
    title: Annotated[Title, Exposed()]
    content: Annotated[str, Exposed()] = Field(max_length=100_000)
    tags: Annotated[list[Tag], Exposed("Lower-case, each at most once.")] = Field(
        default_factory=list, max_length=20
    )
    published: Annotated[bool, Exposed("False for a draft, which only its author sees.")] = False
    created_at: CreatedAt
    updated_at: UpdatedAt
    published_at: Annotated[datetime | None, Exposed("When it was first published.")] = None

    @field_validator("tags", mode="after")
    @classmethod
    def _unique_tags(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(tags))

    class Settings:
        name = "posts"
        indexes = [
            IndexModel(
                [("title", TEXT), ("content", TEXT)],
                weights={"title": 3, "content": 1},
                name=TEXT_INDEX_NAME,
            ),
            IndexModel(
                [("published", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="published_newest",
            ),
            IndexModel(
                [
                    ("author_id", ASCENDING),
                    ("published", ASCENDING),
                    ("created_at", DESCENDING),
                    ("_id", DESCENDING),
                ],
                name="author_published_newest",
            ),
            IndexModel(
                [
                    ("tags", ASCENDING),
                    ("published", ASCENDING),
                    ("created_at", DESCENDING),
                    ("_id", DESCENDING),
                ],
                name="tag_published_newest",
            ),
        ]
