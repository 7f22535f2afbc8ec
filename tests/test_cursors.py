"""The cursor codec on its own: round trips of every value a sort key holds, and refusals.

A cursor must name exactly the position MongoDB stores (datetimes in whole
milliseconds), survive any value of the right type, and turn anything a client
could send that was not made here into BAD_USER_INPUT, never a crash.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import bson
import orjson
import pytest
from bson import Decimal128, ObjectId
from bson.codec_options import CodecOptions
from hypothesis import example, given, settings
from hypothesis import strategies as st

from graphql_api.errors import APIError, BadUserInput
from graphql_api.pagination.cursors import (
    MAX_CURSOR_LENGTH,
    SORT_KEY_TAGS,
    decode_cursor,
    encode_cursor,
)

BY_DATE = (("created_at", -1), ("_id", -1))
BY_PRICE = (("price", 1), ("_id", 1))
TZ_AWARE = CodecOptions(tz_aware=True)

object_ids = st.binary(min_size=12, max_size=12).map(ObjectId)
# Every datetime Python holds, to the microsecond (MongoDB keeps milliseconds).
datetimes = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999)
).map(lambda value: value.replace(tzinfo=UTC))
# Any finite Decimal128 a cursor accepts: up to 34 digits, |adjusted exponent| <= 100.
decimals = st.builds(
    lambda coefficient, exponent: Decimal(f"{coefficient}E{exponent}"),
    st.integers(-(10**34) + 1, 10**34 - 1),
    st.integers(-100, 100),
).filter(lambda value: -100 <= value.adjusted() <= 100)


def stored(value):
    """`value` as MongoDB keeps it: through BSON and back, as the app's client reads it."""
    return bson.decode(bson.encode({"v": value}), codec_options=TZ_AWARE)["v"]


def round_trip(document, sort):
    return decode_cursor(encode_cursor(document, sort), sort, "after")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def cursor_of(parts) -> str:
    return b64(orjson.dumps(parts))


def refused(cursor: str, sort=BY_DATE, argument: str = "after") -> BadUserInput:
    with pytest.raises(BadUserInput) as raised:
        decode_cursor(cursor, sort, argument)
    assert raised.value.extensions == {"code": "BAD_USER_INPUT", "argument": argument}
    return raised.value


# --- round trips -------------------------------------------------------------------


@settings(max_examples=300)
@given(created_at=datetimes, id=object_ids)
@example(created_at=datetime(2024, 1, 1, 0, 0, 0, 999600, tzinfo=UTC), id=ObjectId(b"\0" * 12))
@example(created_at=datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), id=ObjectId())
@example(created_at=datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), id=ObjectId())
@example(created_at=datetime(1, 1, 1, tzinfo=UTC), id=ObjectId())
@example(created_at=datetime(500, 6, 1, 12, 0, 0, 994000, tzinfo=UTC), id=ObjectId())
def test_a_date_cursor_names_the_position_mongodb_stores(created_at, id):
    # Decoding with a float timestamp was microseconds off far from 1970 (year 500's
    # .994 came back .994003), and encoding rounded .9996 up to the next second.
    kept = stored(created_at)
    assert kept.microsecond % 1000 == 0
    assert round_trip({"created_at": created_at, "_id": id}, BY_DATE) == [kept, id]
    assert round_trip({"created_at": kept, "_id": id}, BY_DATE) == [kept, id]
    decoded = round_trip({"created_at": kept, "_id": id}, BY_DATE)[0]
    assert decoded.tzinfo is not None and decoded.utcoffset() == timedelta(0)


@given(created_at=datetimes, id=object_ids)
def test_a_document_has_one_cursor_before_and_after_it_is_stored(created_at, id):
    assert encode_cursor({"created_at": created_at, "_id": id}, BY_DATE) == encode_cursor(
        {"created_at": stored(created_at), "_id": id}, BY_DATE
    )


@given(created_at=datetimes, id=object_ids)
def test_a_datetime_in_another_zone_names_the_same_instant(created_at, id):
    # Clamped to the calendar: near year 1 or 9999, another zone's date may not exist.
    elsewhere = created_at.astimezone(timezone(timedelta(hours=-5, minutes=-30)))
    assert round_trip({"created_at": elsewhere, "_id": id}, BY_DATE)[0] == stored(created_at)


@settings(max_examples=300)
@given(price=decimals, id=object_ids)
@example(price=Decimal("19.99"), id=ObjectId())
@example(price=Decimal("-0.00"), id=ObjectId())
@example(price=Decimal("1E+100"), id=ObjectId())
@example(price=Decimal("9" * 34 + "E-133"), id=ObjectId())
def test_a_price_cursor_keeps_the_exact_decimal(price, id):
    value = Decimal128(price)
    decoded_price, decoded_id = round_trip({"price": value, "_id": id}, BY_PRICE)
    assert isinstance(decoded_price, Decimal128)
    # Decimal128 equality compares the encoding: 1.0 and 1.00 differ, as they do stored.
    assert decoded_price == value
    assert decoded_price.bid == value.bid
    assert decoded_id == id


@given(id=object_ids)
def test_an_id_cursor_keeps_the_id(id):
    assert round_trip({"_id": id}, (("_id", 1),)) == [id]


def test_the_cursor_format_is_unchanged():
    """Cursors outlive deployments: clients hold them. These were made before the split."""
    document = {
        "created_at": datetime(2024, 5, 17, 9, 30, 15, 123000, tzinfo=UTC),
        "_id": ObjectId("6650a1b2c3d4e5f601234567"),
        "price": Decimal128("19.99"),
    }
    by_date = "WyJkMTcxNTkzODIxNTEyMyIsIm82NjUwYTFiMmMzZDRlNWY2MDEyMzQ1NjciXQ"
    by_price = "WyJuMTkuOTkiLCJvNjY1MGExYjJjM2Q0ZTVmNjAxMjM0NTY3Il0"
    assert encode_cursor(document, BY_DATE) == by_date
    assert encode_cursor(document, BY_PRICE) == by_price
    assert decode_cursor(by_date, BY_DATE, "after") == [document["created_at"], document["_id"]]
    assert decode_cursor(by_price, BY_PRICE, "after") == [document["price"], document["_id"]]


def test_nested_sort_keys_are_read_by_path():
    from graphql_api.pagination.cursors import sort_values

    assert sort_values({"a": {"b": 3}, "_id": 1}, (("a.b", 1), ("_id", 1))) == [3, 1]
    assert sort_values({"a": 3}, (("a.b", 1),)) == [None]


# --- refusals ------------------------------------------------------------------------

ID = "o" + "0" * 24

MALFORMED = {
    "not base64": "!!!",
    "empty": "",
    "padding only": "=",
    "not utf-8": b64(b"\xff\xfe\x00"),
    "not json": b64(b"created_at"),
    "json null": b64(b"null"),
    "json object": b64(b'{"d": 1}'),
    "json string": b64(b'"d1"'),
    "too few parts": cursor_of([ID]),
    "too many parts": cursor_of(["d1", ID, ID]),
    "not strings": cursor_of([1, 2]),
    "nulls": cursor_of([None, None]),
    "nested": cursor_of([["d1"], {"o": 1}]),
    "empty parts": cursor_of(["", ""]),
    "a date past year 9999": cursor_of(["d" + "9" * 20, ID]),
    "a date before year 1": cursor_of(["d-" + "9" * 19, ID]),
    "a float date": cursor_of(["d1.5", ID]),
    "an exponent date": cursor_of(["d1e3", ID]),
    "a signed-twice date": cursor_of(["d--5", ID]),
    "non-ascii digits": cursor_of(["d\u0661\u0662\u0663", ID]),
    "a date with spaces": cursor_of(["d 12", ID]),
    "an id too short": cursor_of(["d0", "o" + "0" * 23]),
    "an id of 12 characters": cursor_of(["d0", "o" + "a" * 12]),
    "an id not hex": cursor_of(["d0", "o" + "z" * 24]),
    "a string where a date belongs": cursor_of(["sx", ID]),
    "an int where a date belongs": cursor_of(["i1", ID]),
    "a bool where a date belongs": cursor_of(["b1", ID]),
    "unicode where a date belongs": cursor_of(["s日本語🙂", ID]),
    "the right value, the wrong tag": cursor_of(["d0", "s" + "0" * 24]),
    "a date where the id belongs": cursor_of(["d0", "d0"]),
    "an unknown tag": cursor_of(["x0", ID]),
    "too long": b64(b"x" * MAX_CURSOR_LENGTH),
    "non-ascii cursor": "WyJkMCIsIm8" + "é" * 10,
}


@pytest.mark.parametrize("cursor", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_cursor_is_bad_user_input(cursor):
    error = refused(cursor, BY_DATE, "before")
    assert isinstance(error, APIError)
    assert str(error) == "`before` is not a valid cursor for this list."


@pytest.mark.parametrize(
    "part",
    ["nNaN", "n-Infinity", "nsNaN", "n1e6145", "n1E+101", "n1E-101", "n" + "1" * 35, "nabc", "n"],
)
def test_a_price_cursor_outside_decimal128_is_bad_user_input(part):
    refused(cursor_of([part, ID]), BY_PRICE)


def test_a_cursor_from_another_list_is_bad_user_input():
    by_date = encode_cursor({"created_at": datetime.now(UTC), "_id": ObjectId()}, BY_DATE)
    by_price = encode_cursor({"price": Decimal128("1.00"), "_id": ObjectId()}, BY_PRICE)
    refused(by_date, BY_PRICE)
    refused(by_price, BY_DATE)
    refused(by_date, (("_id", 1),))


def test_a_sort_key_the_codec_does_not_know_accepts_no_cursor():
    refused(cursor_of(["sx", ID]), (("title", 1), ("_id", 1)))
    assert "title" not in SORT_KEY_TAGS


@settings(max_examples=500)
@given(created_at=datetimes, id=object_ids, data=st.data())
def test_a_tampered_cursor_is_refused_or_names_a_valid_position(created_at, id, data):
    """Any edit of a real cursor: BAD_USER_INPUT, or values of the right types; never a crash."""
    cursor = encode_cursor({"created_at": created_at, "_id": id}, BY_DATE)
    position = data.draw(st.integers(0, len(cursor) - 1))
    character = data.draw(st.characters())
    tampered = cursor[:position] + character + cursor[position + 1 :]
    if data.draw(st.booleans()):
        tampered = tampered[: data.draw(st.integers(0, len(tampered)))]
    try:
        values = decode_cursor(tampered, BY_DATE, "after")
    except BadUserInput:
        return
    assert [type(value) for value in values] == [datetime, ObjectId]


@settings(max_examples=500)
@given(
    cursor=st.one_of(
        st.text(max_size=600),
        st.binary(max_size=200).map(b64),
        st.lists(st.one_of(st.text(max_size=40), st.integers(), st.none()), max_size=3).map(
            lambda parts: b64(json.dumps(parts).encode())  # also integers past 64 bits
        ),
        st.tuples(st.sampled_from("dons ib"), st.text(max_size=40)).map(
            lambda tagged: cursor_of(["".join(tagged), ID])
        ),
    )
)
def test_any_text_is_refused_or_decoded_never_a_crash(cursor):
    for sort in (BY_DATE, BY_PRICE):
        try:
            values = decode_cursor(cursor, sort, "after")
        except BadUserInput:
            continue
        assert [type(value) for value in values] == [
            datetime if sort is BY_DATE else Decimal128,
            ObjectId,
        ]
