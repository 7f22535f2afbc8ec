"""What every collection shares: UTC timestamps and the helpers to set them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field

from graphql_api.models.exposed import Exposed


def utcnow() -> datetime:
    """Now, timezone-aware, truncated to the millisecond BSON dates can hold."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


# Declared in each model (not inherited), so that each type places them among its fields.
CreatedAt = Annotated[datetime, Field(default_factory=utcnow), Exposed("When it was created.")]
UpdatedAt = Annotated[datetime, Field(default_factory=utcnow), Exposed("When it was last changed.")]
