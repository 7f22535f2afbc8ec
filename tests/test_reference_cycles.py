"""A read's objects die with it, freed by reference counting alone.

An object kept in a reference cycle outlives its request until the cyclic
collector finds it, and so does everything it reaches: the request, its
context, the operation's loaders and every document they loaded. Each request
that leaves such garbage makes the collector run more often and walk more (it
was about a tenth of a list query's CPU: a `_Scope` held the viewer's lookup
task, whose context held the `_Scope`; a nested list's loader held the loaders
it lives in). These tests run the read shapes with the collector saving what
it finds, and require that none of it is the request's.
"""

from __future__ import annotations

import gc

from tests.test_round_trips import POSTS_WITH_AUTHORS, THREE_LEVELS, seed

READS = [
    (POSTS_WITH_AUTHORS, {"n": 20}),
    (THREE_LEVELS, {"n": 5}),
    ("query($id: ID!) { user(id: $id) { id username email createdAt } }", "$user"),
    (
        "{ posts(first: 5) { totalCount edges { cursor node { title author { username"
        " posts(first: 2) { totalCount edges { node { title } } } } } } pageInfo { endCursor } } }",
        None,
    ),
    (
        '{ products(filter: {maxPrice: "60"}, sort: PRICE_DESC, first: 5)'
        " { edges { node { sku } } } }",
        None,
    ),
    ("{ me { username email } }", None),
]
#: Where a request's own objects come from.
OURS = ("graphql_api", "strawberry", "starlette", "bson")


async def _read_all(gql, admin, user_id: str) -> None:
    for client in (gql, admin):
        for query, variables in READS:
            if client is gql and query is THREE_LEVELS:
                continue  # users: administrators only
            body = await client.execute(
                query, {"id": user_id} if variables == "$user" else variables
            )
            assert not body.get("errors"), body


async def test_reads_leave_nothing_for_the_cyclic_collector(gql, admin, db):
    await seed(db, users=5, posts_per_user=3)
    user_id = (await admin.data("{ me { id } }"))["me"]["id"]
    await _read_all(gql, admin, user_id)  # caches (documents, plans, sessions) filled

    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        await _read_all(gql, admin, user_id)
        gc.collect()
        left = sorted(
            {
                f"{type(found).__module__}.{type(found).__qualname__}"
                for found in gc.garbage
                if type(found).__module__.startswith(OURS)
            }
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not left, f"objects of a request freed only by the cyclic collector: {left}"
