"""The optional `idempotencyKey` argument of mutations that move money, stock or posts."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from graphql_api.auth.rules import require_viewer
from graphql_api.models.idempotency_key import MAX_KEY_LENGTH
from graphql_api.schema.context import Info
from graphql_api.services.idempotency import once

IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description="A key of your choice (a UUID, at most "
        f"{MAX_KEY_LENGTH} characters), unique per request: a retry with the same key "
        "returns the first result and never applies the change twice, e.g. after "
        "WRITE_OUTCOME_UNKNOWN. Remembered per user for a day (by default); the same key with "
        "other arguments is IDEMPOTENCY_KEY_REUSED."
    ),
]


async def idempotent(
    info: Info,
    key: str | None,
    operation: str,
    arguments: Any,
    run: Callable[[], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """`run()` once per (viewer, key): what every keyed mutation goes through."""
    if key is None:
        return await run()
    viewer = await require_viewer(info)
    return await once(
        user_id=viewer.user_id,
        key=key,
        operation=operation,
        arguments=arguments,
        ttl_seconds=info.context.settings.idempotency_key_ttl_seconds,
        run=run,
    )
