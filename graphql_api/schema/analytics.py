"""Reports for the business: authors, revenue, product sales."""

from decimal import Decimal

import strawberry

from graphql_api.auth.rules import IsAdmin
from graphql_api.schema.users import User
from graphql_api.services import analytics as service


@strawberry.type
class AuthorStats:
    author: User
    published_post_count: int


@strawberry.type(description="Revenue of paid, shipped and completed orders in one month (UTC).")
class MonthlyRevenue:
    month: int = strawberry.field(description="1-12.")
    revenue: Decimal
    order_count: int
    average_order_value: Decimal


@strawberry.type
class ProductSales:
    sku: str
    name: str
    revenue: Decimal
    units_sold: int
    order_count: int


@strawberry.type
class AnalyticsQueries:
    @strawberry.field(
        description="Active authors with the most published posts (admins).",
        permission_classes=[IsAdmin],
    )
    async def top_authors(self, limit: int = 10) -> list[AuthorStats]:
        rows = await service.top_authors(limit)
        return [
            AuthorStats(
                author=User.from_document(row["author"]),
                published_post_count=row["post_count"],
            )
            for row in rows
        ]

    @strawberry.field(
        description="Months of `year` with revenue, in calendar order (admins).",
        permission_classes=[IsAdmin],
    )
    async def revenue_by_month(self, year: int) -> list[MonthlyRevenue]:
        return [MonthlyRevenue(**row) for row in await service.revenue_by_month(year)]

    @strawberry.field(
        description="Products by revenue over all paid orders, best first (admins).",
        permission_classes=[IsAdmin],
    )
    async def sales_by_product(self, limit: int = 50) -> list[ProductSales]:
        return [
            ProductSales(
                sku=row["sku"],
                name=row["name"],
                revenue=row["revenue"],
                units_sold=row["units"],
                order_count=row["order_count"],
            )
            for row in await service.sales_by_product(limit)
        ]
