"""The keyset builder on its own, then paging through a real collection with it.

The filter must bound the first sort key on the right side for each direction,
and the rows that tie with the cursor must be sorted out by `_id`; against the
server, every walk through a list with many equal sort values, forward or
backward, at any page size, must yield every document exactly once, in order.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from bson import Decimal128, ObjectId

from graphql_api.models.money import to_decimal
from graphql_api.pagination import (
    ListQuery,
    PageRequest,
    encode_cursor,
    paginate,
    paginate_related,
    window,
)
from graphql_api.pagination.keyset import fetch_sort, inside, with_bound

T = datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)
ID = ObjectId("6650a1b2c3d4e5f601234567")
NEWEST = (("created_at", -1), ("_id", -1))
OLDEST = (("created_at", 1), ("_id", 1))
CHEAPEST = (("price", 1), ("_id", 1))
DEAREST = (("price", -1), ("_id", -1))


def cursor(sort, created_at=T, price="9.99", id=ID) -> str:
    return encode_cursor({"created_at": created_at, "price": Decimal128(price), "_id": id}, sort)


def bounds_of(sort, request, filter=None):
    query = ListQuery(filter or {"published": True}, sort, None)
    return window(query, request.after, request.before)


# --- the filter ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "argument", "op"),
    [
        (OLDEST, "after", "$gte"),  # ascending, forward: what sorts after is larger
        (OLDEST, "before", "$lte"),
        (NEWEST, "after", "$lte"),  # descending, forward: what sorts after is smaller
        (NEWEST, "before", "$gte"),
    ],
)
def test_the_cursor_bounds_the_first_sort_key_inclusively(sort, argument, op):
    filter, bounds = bounds_of(sort, PageRequest(**{argument: cursor(sort)}))
    # Flat and inclusive: ties with the cursor are fetched and sorted out by `_id`.
    assert filter == {"published": True, "created_at": {op: T}}
    assert bounds == [([T, ID], argument == "after")]


def test_after_and_before_together_bound_both_sides():
    later = T + timedelta(days=1)
    request = PageRequest(after=cursor(OLDEST), before=cursor(OLDEST, created_at=later))
    filter, bounds = bounds_of(OLDEST, request)
    assert filter == {"published": True, "created_at": {"$gte": T, "$lte": later}}
    assert [forward for _, forward in bounds] == [True, False]


def test_no_cursor_leaves_the_list_filter_alone():
    filter, bounds = bounds_of(NEWEST, PageRequest(first=3))
    assert (filter, bounds) == ({"published": True}, [])


def test_the_list_filter_is_not_changed_in_place():
    query = ListQuery({"created_at": {"$gte": T - timedelta(days=1)}}, OLDEST, None)
    window(query, cursor(OLDEST), None)
    assert query.filter == {"created_at": {"$gte": T - timedelta(days=1)}}


@pytest.mark.parametrize(
    ("existing", "cursor_price", "expected"),
    [
        ("5.00", "10.00", "10.00"),  # the cursor is tighter; as strings "10.00" < "5.00"
        ("10.00", "9.99", "10.00"),  # the list's own bound is tighter
    ],
)
def test_a_bound_already_on_the_sort_key_keeps_the_tighter_one(existing, cursor_price, expected):
    filter, _ = bounds_of(
        CHEAPEST,
        PageRequest(after=cursor(CHEAPEST, price=cursor_price)),
        {"price": {"$gte": Decimal128(existing), "$lte": Decimal128("50")}},
    )
    assert filter == {"price": {"$gte": Decimal128(expected), "$lte": Decimal128("50")}}


def test_an_equality_on_the_sort_key_is_not_widened():
    assert with_bound({"price": Decimal128("5")}, "price", "$gte", Decimal128("1")) == {
        "price": Decimal128("5")
    }


def test_a_bound_on_another_key_is_kept_beside_the_cursor():
    assert with_bound({"category": {"$in": ["a"]}}, "price", "$lte", 3) == {
        "category": {"$in": ["a"]},
        "price": {"$lte": 3},
    }


# --- the sort and the ties -----------------------------------------------------------


@pytest.mark.parametrize("sort", [NEWEST, OLDEST, CHEAPEST, DEAREST])
def test_paging_backward_fetches_in_the_reverse_order(sort):
    assert fetch_sort(sort, backward=False) == list(sort)
    assert fetch_sort(sort, backward=True) == [(name, -direction) for name, direction in sort]


def test_which_direction_a_request_pages():
    assert not PageRequest().backward
    assert not PageRequest(first=2, before="c").backward  # `first` wins: forward up to before
    assert PageRequest(last=2).backward
    assert PageRequest(before="c").backward
    assert PageRequest(before="c").size(7) == 7
    assert PageRequest(last=0).size(7) == 0


SMALLER, LARGER = ObjectId("0" * 24), ObjectId("f" * 24)


@pytest.mark.parametrize(
    ("sort", "forward", "past"),
    [
        (OLDEST, True, {LARGER}),
        (OLDEST, False, {SMALLER}),
        (NEWEST, True, {SMALLER}),
        (NEWEST, False, {LARGER}),
    ],
)
def test_ties_on_the_first_key_are_decided_by_id(sort, forward, past):
    bounds = [([T, ID], forward)]
    inside_ids = {
        id for id in (SMALLER, ID, LARGER) if inside({"created_at": T, "_id": id}, sort, bounds)
    }
    assert inside_ids == past  # never the cursor's own item


def test_prices_compare_as_numbers_not_as_strings():
    bounds = [([Decimal128("9.99"), ID], True)]
    assert inside({"price": Decimal128("10.00"), "_id": SMALLER}, CHEAPEST, bounds)
    assert not inside({"price": Decimal128("9.5"), "_id": LARGER}, CHEAPEST, bounds)


def test_a_list_must_end_with_id_and_sort_by_known_keys():
    with pytest.raises(AssertionError):
        ListQuery({}, (("created_at", 1),), None)
    with pytest.raises(AssertionError):
        ListQuery({}, (("title", 1), ("_id", 1)), None)


# --- against the server: every document exactly once, in order --------------------------

STAMPS = [T - timedelta(hours=h) for h in (0, 0, 0, 1, 1, 5)]  # many ties
PRICES = ["9.99", "10.00", "10.0", "100", "9.99", "0.50"]  # 10.00 == 10.0 tie


@pytest.fixture
async def items(db):
    """A scratch collection of 31 items with many equal sort values, its ids shuffled
    so `_id` order is not insertion order."""
    collection = db[f"keyset_{uuid.uuid4().hex[:8]}"]
    rng = random.Random(13)
    ids = [ObjectId() for _ in range(31)]
    rng.shuffle(ids)
    await collection.insert_many(
        [
            {
                "_id": id,
                "created_at": rng.choice(STAMPS),
                "price": Decimal128(rng.choice(PRICES)),
                "parent": n % 3,
                "published": n % 5 != 0,
            }
            for n, id in enumerate(ids)
        ]
    )
    yield collection
    await collection.drop()


def expected_order(documents, sort):
    def key(document):
        return [
            (to_decimal(document[name]) if name == "price" else document[name]) for name, _ in sort
        ]

    ordered = sorted(documents, key=key)
    (_, direction), *_ = sort
    return [d["_id"] for d in (ordered if direction == 1 else ordered[::-1])]


async def walk(page_of, size: int, backward: bool) -> list[ObjectId]:
    """Every id, page after page, as a client following the cursors would see them."""
    seen: list[ObjectId] = []
    request = PageRequest(last=size) if backward else PageRequest(first=size)
    for _ in range(100):
        page = await page_of(request)
        assert len(page.documents) <= size
        ids = [d["_id"] for d in page.documents]
        seen = ids + seen if backward else seen + ids
        more = page.has_previous_page if backward else page.has_next_page
        if not more:
            return seen
        assert page.documents, "a page with more after it cannot be empty"
        if backward:
            request = PageRequest(last=size, before=page.cursor(page.documents[0]))
        else:
            request = PageRequest(first=size, after=page.cursor(page.documents[-1]))
    raise AssertionError("the walk never ended")


@pytest.mark.parametrize("sort", [NEWEST, OLDEST, CHEAPEST, DEAREST], ids=str)
@pytest.mark.parametrize("size", [1, 2, 5, 40])
@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
async def test_a_walk_yields_every_document_once_in_order(items, sort, size, backward):
    query = ListQuery({"published": True}, sort, None)
    everything = await items.find({"published": True}).to_list()

    async def page_of(request):
        return await paginate(items, query, request, default_size=10, max_size=50)

    seen = await walk(page_of, size, backward)
    assert seen == expected_order(everything, sort)
    assert len(set(seen)) == len(everything) == 24


async def test_the_first_and_last_pages_say_there_is_nothing_beyond(items):
    query = ListQuery({}, OLDEST, None)
    first = await paginate(items, query, PageRequest(first=4), default_size=10, max_size=50)
    assert (first.has_previous_page, first.has_next_page) == (False, True)
    last = await paginate(items, query, PageRequest(last=4), default_size=10, max_size=50)
    assert (last.has_previous_page, last.has_next_page) == (True, False)
    everything = expected_order(await items.find().to_list(), OLDEST)
    assert [d["_id"] for d in first.documents] == everything[:4]
    assert [d["_id"] for d in last.documents] == everything[-4:]
    assert await first.count() == 31


async def test_an_item_inserted_before_the_cursor_is_not_repeated_or_shifting(items):
    query = ListQuery({}, NEWEST, None)
    page = await paginate(items, query, PageRequest(first=10), default_size=10, max_size=50)
    await items.insert_one({"_id": ObjectId(), "created_at": T + timedelta(days=1), "late": 1})
    after = PageRequest(first=50, after=page.cursor(page.documents[-1]))
    rest = await paginate(items, query, after, default_size=10, max_size=50)
    everything = expected_order(await items.find({"late": None}).to_list(), NEWEST)
    assert [d["_id"] for d in page.documents + rest.documents] == everything


@pytest.mark.parametrize("sort", [NEWEST, CHEAPEST], ids=str)
@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
async def test_each_parents_walk_yields_its_children_once_in_order(items, sort, size, backward):
    """`paginate_related` (one `$lookup` for all parents), also where ties with the
    cursor overflow its fixed over-fetch and it pages a parent on its own."""
    parents = items.database[f"{items.name}_parents"]
    await parents.insert_many([{"_id": n} for n in range(3)])
    query = ListQuery({}, sort, None)

    async def no_count():
        raise AssertionError("not asked")

    try:
        first = PageRequest(last=size) if backward else PageRequest(first=size)
        pages = await paginate_related(
            parents, [0, 1, 2], items, "parent", query, first,
            default_size=10, max_size=50, count=lambda parent: no_count,
        )  # fmt: skip
        for parent in range(3):

            async def page_of(request, parent=parent):
                if request == first:
                    return pages[parent]
                alone = await paginate_related(
                    parents, [parent], items, "parent", query, request,
                    default_size=10, max_size=50, count=lambda parent: no_count,
                )  # fmt: skip
                return alone[parent]

            seen = await walk(page_of, size, backward)
            children = await items.find({"parent": parent}).to_list()
            assert seen == expected_order(children, sort)
    finally:
        await parents.drop()
