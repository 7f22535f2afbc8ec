"""Document ids as clients spell them: 24 hex digits."""

from __future__ import annotations

from bson import ObjectId

# What a stored document's `_id` is: layers above the models hold ids without
# knowing the driver's type.
DocumentId = ObjectId


def parse_object_id(text: str) -> ObjectId | None:
    """The ObjectId spelled by `text`, or None if it spells none."""
    if isinstance(text, str) and len(text) == 24 and ObjectId.is_valid(text):
        return ObjectId(text)
    return None
