"""Money conversions: remembered per distinct value, and exactly PyMongo's own."""

from __future__ import annotations

from decimal import Decimal

from bson import Decimal128
from hypothesis import given
from hypothesis import strategies as st

from graphql_api.models import money
from graphql_api.models.money import stored_decimal, to_decimal, to_decimal128

AMOUNTS = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: -6000 <= d.adjusted() <= 6000  # what Decimal128 holds exactly
)
SPELLINGS = ["60", "60.00", "6E+1", "0", "0.00", "-0.00", "1E-10", "12345678901234.99"]


def same(a: Decimal, b: Decimal) -> bool:
    """Equal and spelled alike (60 == 60.00, but they are different amounts to store)."""
    return a.as_tuple() == b.as_tuple()


@given(AMOUNTS)
def test_both_ways_are_pymongos_conversions(amount: Decimal) -> None:
    try:
        expected = Decimal128(amount)
    except Exception:  # too many digits for Decimal128: not an amount
        return
    for _ in range(2):  # converted, then remembered
        stored = to_decimal128(amount)
        assert stored.bid == expected.bid
        assert same(to_decimal(stored), expected.to_decimal())
        assert same(stored_decimal(Decimal128(str(amount))), Decimal128(str(amount)).to_decimal())


def test_each_spelling_is_its_own_value() -> None:
    stored = {text: to_decimal128(Decimal(text)) for text in SPELLINGS}
    assert len({value.bid for value in stored.values()}) == len(SPELLINGS)
    for text, value in stored.items():
        assert value.bid == Decimal128(Decimal(text)).bid
        assert str(to_decimal(value)) == str(Decimal(text))
    # Equal Decimals of other spellings do not share an entry either way.
    assert str(to_decimal(to_decimal128(Decimal("60")))) == "60"
    assert str(to_decimal(to_decimal128(Decimal("60.00")))) == "60.00"


def test_the_memory_is_bounded() -> None:
    for cents in range(money._CACHED * 2 + 10):
        amount = Decimal(cents) / 100
        assert same(to_decimal(to_decimal128(amount)), amount)
    assert len(money._read_back) <= money._CACHED
    assert len(money._stored) <= money._CACHED
