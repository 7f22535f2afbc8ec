"""Request bodies are read by orjson when it reads them as Python's `json` would, and
by the exact path otherwise (graphql_api/validation.py): whichever reads a body, the
value, or the refusal, must be the one `json` with our rules gives."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphql_api.validation import decode_json

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.integers(min_value=2**63 - 3, max_value=2**64 + 3)
    | st.integers(min_value=-(2**63) - 3, max_value=-(2**63) + 3)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(VALUES, st.booleans(), st.sampled_from(["utf-8", "utf-16", "str"]))
def test_any_json_value_reads_as_json_reads_it(value, ascii_only, encoding):
    text = json.dumps(value, ensure_ascii=ascii_only)
    data = text if encoding == "str" else text.encode(encoding)
    decoded = decode_json(data)
    assert decoded == json.loads(text)
    assert json.dumps(decoded) == json.dumps(json.loads(text))  # ints stay ints, -0.0 stays


@pytest.mark.parametrize(
    "text",
    [
        '{"n": 1180591620717411303424}',  # 2^70: orjson reads a float
        '{"n": -9223372036854775809}',
        '{"n": 18446744073709551616}',
        '{"n": [1.5, 1e400]}',  # orjson refuses 1e400; json reads inf (the scalars refuse it)
        '{"n": 1e19}',
    ],
)
def test_numbers_past_64_bits_keep_json_s_reading(text):
    assert repr(decode_json(text.encode())) == repr(json.loads(text))


@pytest.mark.parametrize(
    "data",
    [
        b'{"t": NaN}',
        b'{"t": Infinity}',
        b'{"t": "\\ud800"}',  # a lone surrogate
        '{"t": "\ud800"}'.encode("utf-8", "surrogatepass"),
        b"[" * 5000 + b"]" * 5000,
        b"[" * 1100 + b"]" * 1100,  # past orjson's 1,024 levels, within json's
        b'{"n": ' + b"1" * 5000 + b"}",
        b'{"a": "\xff"}',
        b'{"a": 1,}',
        b"",
    ],
)
def test_what_json_with_our_rules_refuses_is_refused(data):
    with pytest.raises(json.JSONDecodeError):
        decode_json(data)


def test_infinity_read_by_json_is_kept_for_the_scalars_to_refuse():
    assert math.isinf(decode_json(b'{"x": 1e999}')["x"])
