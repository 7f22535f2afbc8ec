"""Every filter/sort combination the schema offers is served by a declared index.

For each combination, on the first page and on a page after a cursor, the
query the API would send is explained by the server: no collection scan, and
the index it names is one the models declare, bounded by the query's own
conditions (not a walk over a whole index).
"""

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from bson import Decimal128, ObjectId

from graphql_api.models import DOCUMENT_MODELS, OrderStatus, Role
from graphql_api.pagination import ListQuery, PageRequest, encode_cursor, window
from graphql_api.services import orders, posts, products, users

T0, T1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
RANGES = [(None, None), (T0, None), (None, T1), (T0, T1)]
SAMPLE = {
    "_id": ObjectId(),
    "created_at": datetime(2026, 3, 1, tzinfo=UTC),
    "price": Decimal128("9.99"),
}


def user_queries():
    for active, role, (after, before), sort in itertools.product(
        (True, False), (None, Role.ADMIN), RANGES, users.UserSort
    ):
        yield (
            "users",
            users.users_query(
                is_active=active, role=role, created_after=after, created_before=before, sort=sort
            ),
        )


def post_queries(text_search: bool):
    # `published: false` lists drafts (one author's, or anyone's for admins).
    for published, author, tag, search, sort in itertools.product(
        (True, False), (None, ObjectId()), (None, "python"), (None, "mongo graphql"), posts.PostSort
    ):
        yield (
            "posts",
            posts.posts_query(
                published=published,
                author_id=author,
                tag=tag,
                search=search,
                use_text_index=text_search,
                sort=sort,
            ),
        )
    for sort in posts.PostSort:  # User.posts: one author's published posts
        query = posts.posts_query(sort=sort)
        yield (
            "posts",
            ListQuery(
                {**query.filter, "author_id": ObjectId()}, query.sort, "author_published_newest"
            ),
        )


def product_queries():
    for category, low, high, in_stock, sort in itertools.product(
        (None, "books"),
        (None, Decimal("1")),
        (None, Decimal("50")),
        (None, True, False),
        products.ProductSort,
    ):
        yield (
            "products",
            products.products_query(
                category=category, min_price=low, max_price=high, in_stock=in_stock, sort=sort
            ),
        )


def order_queries():
    for status, user, (after, before), sort in itertools.product(
        (None, OrderStatus.PAID), (None, ObjectId()), RANGES, orders.OrderSort
    ):
        yield (
            "orders",
            orders.orders_query(
                status=status, user_id=user, created_after=after, created_before=before, sort=sort
            ),
        )


def declared_indexes() -> dict[tuple[str, str], list[str]]:
    return {
        (model.get_collection_name(), index.document["name"]): list(index.document["key"])
        for model in DOCUMENT_MODELS
        for index in model.Settings.indexes
    }


def stages(plan: dict) -> list[dict]:
    found = [plan]
    for child in [plan.get("inputStage"), *plan.get("inputStages", [])]:
        if child:
            found += stages(child)
    return found


async def assert_index_served(db, collection: str, query: ListQuery, filter: dict) -> None:
    keys = declared_indexes()
    if query.index is not None:
        fields = keys[(collection, query.index)]
        constrained = {name for name in filter if not name.startswith("$")}
        assert fields[0] in constrained or fields[0] == query.sort[0][0], (
            f"{query.index} would be walked whole for {filter}"
        )
        unindexed = constrained - set(fields) - set(query.residual)
        assert not unindexed, f"{sorted(unindexed)} not in {query.index} nor declared residual"
    command = {
        "find": collection,
        "filter": filter,
        "sort": dict(query.sort),
        "limit": 21,
        **query.hint(),  # the plan MongoDB runs (SecantusDB gets no hint: HintPolicy)
    }
    explained = await db.command("explain", command, verbosity="queryPlanner")
    plan = stages(explained["queryPlanner"]["winningPlan"])
    names = [stage["stage"] for stage in plan]
    assert "COLLSCAN" not in names, f"collection scan for {filter} sorted {query.sort}: {names}"
    if query.index is not None:
        used = {stage.get("indexName") for stage in plan if stage["stage"] == "IXSCAN"}
        assert query.index in used, f"{query.index} not used for {filter}: {plan}"


@pytest.mark.parametrize("lists", ["users", "posts", "products", "orders"])
async def test_every_list_query_is_served_by_a_declared_index(app, db, lists):
    text_search = app.state.database.capabilities.text_search
    generated = {
        "users": user_queries,
        "posts": lambda: post_queries(text_search),
        "products": product_queries,
        "orders": order_queries,
    }[lists]()
    checked = 0
    for collection, query in generated:
        cursor = encode_cursor(SAMPLE, query.sort)
        for request in (PageRequest(first=20), PageRequest(first=20, after=cursor)):
            filter, _ = window(query, request.after, request.before)
            await assert_index_served(db, collection, query, filter)
            checked += 1
    assert checked >= 32
