"""The feeds the API offers, with the server-side filters that keep them small."""

from __future__ import annotations

from graphql_api.models import Order, Post
from graphql_api.realtime.hub import ChangeFeed, Hub

# Order status changes (the document carries its new status).
ORDER_STATUS = [
    {
        "$match": {
            "operationType": "update",
            "updateDescription.updatedFields.status": {"$exists": True},
        }
    }
]
# Posts that became published: inserted published, or published later.
POSTS_PUBLISHED = [
    {
        "$match": {
            "$or": [
                {"operationType": "insert", "fullDocument.published": True},
                {"operationType": "update", "updateDescription.updatedFields.published": True},
            ]
        }
    }
]


def create_hub(buffer: int, event_deadline_s: float | None = None) -> Hub:
    return Hub(
        [
            ChangeFeed("orders", Order.get_pymongo_collection, ORDER_STATUS, buffer=buffer),
            ChangeFeed("posts", Post.get_pymongo_collection, POSTS_PUBLISHED, buffer=buffer),
        ],
        event_deadline_s=event_deadline_s,
    )
