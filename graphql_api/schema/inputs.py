"""What the input types of partial updates share."""

from typing import Any

import strawberry


def given(input: object) -> dict[str, Any]:
    """The fields of a partial-update input that the client actually sent."""
    return {
        name: value
        for name, value in vars(input).items()
        if value is not strawberry.UNSET and value is not None
    }
