"""Reports computed by aggregation pipelines inside MongoDB."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from graphql_api.errors import BadUserInput
from graphql_api.models import REVENUE_STATUSES, Order, Post, User
from graphql_api.models.money import CENT, to_decimal


def _money(value: Any) -> Decimal:
    return to_decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_EVEN)


async def top_authors(limit: int) -> list[dict[str, Any]]:
    """Active authors with the most published posts, with their user document."""
    if not 1 <= limit <= 100:
        raise BadUserInput("`limit` must be between 1 and 100.", argument="limit")
    pipeline = [
        {"$match": {"published": True}},
        {"$group": {"_id": "$author_id", "post_count": {"$sum": 1}}},
        {"$sort": {"post_count": -1, "_id": 1}},
        {
            "$lookup": {
                "from": User.get_collection_name(),
                "localField": "_id",
                "foreignField": "_id",
                "as": "author",
            }
        },
        {"$unwind": "$author"},
        {"$match": {"author.is_active": True}},
        {"$limit": limit},
    ]
    cursor = await Post.get_pymongo_collection().aggregate(pipeline)
    return [{"author": row["author"], "post_count": row["post_count"]} async for row in cursor]


async def revenue_by_month(year: int) -> list[dict[str, Any]]:
    """Revenue, order count and average order per month of `year` (UTC), paid orders only."""
    if not 1970 <= year <= 9999:
        raise BadUserInput("`year` must be between 1970 and 9999.", argument="year")
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if year < 9999 else datetime.max.replace(tzinfo=UTC)
    pipeline = [
        {
            "$match": {
                "status": {"$in": [status.value for status in REVENUE_STATUSES]},
                "created_at": {"$gte": start, "$lt": end},
            }
        },
        {
            "$group": {
                "_id": {"$month": "$created_at"},
                "revenue": {"$sum": "$total"},
                "order_count": {"$sum": 1},
            }
        },
        {"$sort": {"_id": 1}},
    ]
    cursor = await Order.get_pymongo_collection().aggregate(pipeline)
    rows = []
    async for row in cursor:
        revenue = _money(row["revenue"])
        rows.append(
            {
                "month": row["_id"],
                "revenue": revenue,
                "order_count": row["order_count"],
                "average_order_value": _money(revenue / row["order_count"]),
            }
        )
    return rows


async def sales_by_product(limit: int) -> list[dict[str, Any]]:
    """Revenue, units and orders per product over all paid orders, best sellers first."""
    if not 1 <= limit <= 1000:
        raise BadUserInput("`limit` must be between 1 and 1000.", argument="limit")
    pipeline = [
        {"$match": {"status": {"$in": [status.value for status in REVENUE_STATUSES]}}},
        {"$unwind": "$items"},
        {
            "$group": {
                "_id": "$items.sku",
                "name": {"$last": "$items.name"},
                "revenue": {"$sum": {"$multiply": ["$items.unit_price", "$items.quantity"]}},
                "units": {"$sum": "$items.quantity"},
                "orders": {"$sum": 1},
            }
        },
        {"$sort": {"revenue": -1, "_id": 1}},
        {"$limit": limit},
    ]
    cursor = await Order.get_pymongo_collection().aggregate(pipeline)
    return [
        {
            "sku": row["_id"],
            "name": row["name"],
            "revenue": _money(row["revenue"]),
            "units": row["units"],
            "order_count": row["orders"],
        }
        async for row in cursor
    ]
