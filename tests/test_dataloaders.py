"""The per-operation loaders on their own, against the real server.

Round trips are counted by the suite's command listener (`commands`, as in
tests/test_round_trips.py): N loads in one tick are one query, answers come in
the order of the keys, and a `Loaders` caches only for the operation it serves.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from bson import ObjectId

from graphql_api.dataloaders import Loaders, by_key, counts, grouped
from graphql_api.models import Product, User
from graphql_api.pagination import count_related


async def add_products(db, n: int) -> list[ObjectId]:
    result = await db.products.insert_many(
        [{"sku": f"SKU-{i}", "name": f"Product {i}", "price": i, "stock": 1} for i in range(n)]
    )
    return list(result.inserted_ids)


async def add_users(db, n: int) -> list[ObjectId]:
    result = await db.users.insert_many(
        [
            {"username": f"reader{i}", "email": f"reader{i}@example.com", "password_hash": "h"}
            for i in range(n)
        ]
    )
    return list(result.inserted_ids)


async def load_all(loader, keys):
    return await asyncio.gather(*(loader.load(key) for key in keys))


async def test_many_loads_in_one_tick_are_one_round_trip_in_the_order_of_the_keys(db, commands):
    ids = await add_products(db, 12)
    keys = ids[:]
    random.Random(7).shuffle(keys)
    missing = ObjectId()
    keys.insert(5, missing)
    loader = Loaders().product_by_id

    commands.reset()
    found = await load_all(loader, keys)

    assert commands.commands == {"find": 1}, commands.commands
    assert [d["_id"] if d else None for d in found] == [k if k != missing else None for k in keys]
    assert found[5] is None


async def test_a_key_asked_for_twice_is_fetched_once(db, commands):
    a, b = await add_products(db, 2)
    loader = Loaders().product_by_id

    commands.reset()
    found = await load_all(loader, [a, b, a, a, b])

    assert [d["_id"] for d in found] == [a, b, a, a, b]
    assert commands.commands == {"find": 1}
    assert commands.sent[0]["filter"] == {"_id": {"$in": [a, b]}}


async def test_answers_are_cached_for_the_operation_and_never_beyond(db, commands):
    (id,) = await add_products(db, 1)
    operation = Loaders()
    assert (await operation.product_by_id.load(id))["name"] == "Product 0"
    await db.products.update_one({"_id": id}, {"$set": {"name": "Renamed"}})

    commands.reset()
    again = await operation.product_by_id.load(id)
    assert commands.total == 0  # the same operation: no second round trip, the same answer
    assert again["name"] == "Product 0"

    fresh = await Loaders().product_by_id.load(id)  # the next operation reads anew
    assert commands.commands == {"find": 1}
    assert fresh["name"] == "Renamed"


async def test_loads_in_separate_ticks_are_separate_round_trips(db, commands):
    a, b = await add_products(db, 2)
    loader = Loaders().product_by_id
    commands.reset()
    await loader.load(a)
    await loader.load(b)
    assert commands.commands == {"find": 2}


async def test_users_are_loaded_without_their_password_hash(db):
    ids = await add_users(db, 3)
    users = await load_all(Loaders().user_by_id, ids)
    assert [u["username"] for u in users] == ["reader0", "reader1", "reader2"]
    assert all("password_hash" not in u for u in users)
    assert "password_hash" in await db.users.find_one({"_id": ids[0]})


async def test_products_load_by_sku(db, commands):
    await add_products(db, 3)
    commands.reset()
    found = await load_all(Loaders().product_by_sku, ["SKU-2", "NOPE", "SKU-0"])
    assert [p["name"] if p else None for p in found] == ["Product 2", None, "Product 0"]
    assert commands.commands == {"find": 1}


async def test_each_named_loader_is_one_object_per_operation(db):
    made = []

    def factory():
        made.append(by_key(Product.get_pymongo_collection))
        return made[-1]

    operation = Loaders()
    assert operation.relation("x", factory) is operation.relation("x", factory)
    assert operation.relation("y", factory) is not operation.relation("x", factory)
    assert len(made) == 2
    assert Loaders().relation("x", factory) is not operation.relation("x", factory)
    assert operation.user_by_id is operation.user_by_id
    assert Loaders().user_by_id is not operation.user_by_id


async def test_counts_of_many_parents_are_one_round_trip(db, commands):
    authors = await add_users(db, 4)
    await db.posts.insert_many(
        [{"author_id": authors[i % 3], "title": f"t{i}", "published": True} for i in range(7)]
    )
    loader = counts(lambda ids: count_related(db.posts, "author_id", {"published": True}, ids))

    commands.reset()
    found = await load_all(loader, [authors[2], authors[0], authors[3], authors[1], authors[0]])

    assert found == [2, 3, 0, 2, 3]
    assert commands.commands == {"aggregate": 1}


async def test_grouped_loads_one_query_per_distinct_arguments(db, commands):
    """`(parent, arguments)` keys: parents asking with the same arguments share a query."""
    authors = await add_users(db, 3)
    await db.posts.insert_many(
        [{"author_id": authors[i % 3], "title": f"t{i}", "published": i % 2 == 0} for i in range(9)]
    )
    calls = []

    async def titles(ids: list[ObjectId], published: bool) -> dict[ObjectId, list[str]]:
        calls.append((ids, published))
        found: dict[ObjectId, list[str]] = {id: [] for id in ids}
        async for post in db.posts.find(
            {"author_id": {"$in": ids}, "published": published}, sort=[("title", 1)]
        ):
            found[post["author_id"]].append(post["title"])
        return found

    loader = grouped(titles)
    keys = [(authors[1], True), (authors[0], False), (authors[1], True), (authors[2], True)]

    commands.reset()
    found = await load_all(loader, keys)

    assert found == [["t4"], ["t3"], ["t4"], ["t2", "t8"]]
    assert commands.commands == {"find": 2}  # one per distinct `published`
    assert sorted(calls, key=lambda call: call[1]) == [
        ([authors[0]], False),
        ([authors[1], authors[2]], True),  # each parent once, in the order first asked
    ]


@pytest.mark.parametrize("model", [User, Product])
async def test_an_empty_collection_answers_none_for_every_key(db, commands, model):
    loader = by_key(model.get_pymongo_collection)
    commands.reset()
    assert await load_all(loader, [ObjectId(), ObjectId()]) == [None, None]
    assert commands.commands == {"find": 1}
