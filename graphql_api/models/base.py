"""What every collection shares: UTC timestamps and the helpers to set them."""

from __future__ import annotations

from datetime import UTC, datetime

from beanie import Document
from pydantic import Field


def utcnow() -> datetime:
    """Now, timezone-aware, truncated to the millisecond BSON dates can hold."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class TimestampedDocument(Document):
    """A document that knows when it was created and last changed."""

    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
