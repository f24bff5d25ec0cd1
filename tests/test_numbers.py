"""Number, percentage, unit and time grammar, with property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.nlp.numbers import (
    PERCENTAGE,
    interval_after,
    months,
    normalise_unit,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("47·0", 47.0),
        ("10,000", 10000.0),
        ("1,234.5", 1234.5),
        ("Thirty", 30.0),
        ("twenty-eight", 28.0),
        ("one hundred and sixty", 160.0),
        ("eighty-one point six", 81.6),
        ("ninety-three point three", 93.3),
        ("seventy point two", 70.2),
        ("forty point ten", None),
        ("n/a", None),
        ("", None),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@given(st.integers(min_value=0, max_value=10**9))
def test_integers_with_thousands_separators_round_trip(n):
    assert parse_number(f"{n:,}") == n


_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TENS_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _spoken(n: int) -> str:
    """A whole number below 100 in words, as a speaker says it."""
    teens = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
    if n < 10:
        return _ONES[n]
    if n < 20:
        return teens.split()[n - 10]
    tens, ones = divmod(n, 10)
    return _TENS_WORDS[tens - 2] + (f"-{_ONES[ones]}" if ones else "")


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=9))
def test_spoken_decimal_percentages_read_back(whole, tenth):
    text = f"disease-free survival is {_spoken(whole)} point {_ONES[tenth]} per cent"
    (match,) = PERCENTAGE.finditer(text)
    assert parse_number(match["number"]) == float(f"{whole}.{tenth}")


@given(st.decimals(min_value=0, max_value=100, places=1, allow_nan=False))
def test_percentages_read_back_whatever_the_space(value):
    for space in ("", " ", "\u00a0", "\u2009"):
        text = f"EFS {value}{space}%while"
        (match,) = PERCENTAGE.finditer(text)
        assert parse_number(match["number"]) == float(value)


@given(
    st.floats(min_value=0, max_value=99, allow_nan=False).map(lambda f: round(f, 1)),
    st.floats(min_value=0, max_value=99, allow_nan=False).map(lambda f: round(f, 1)),
    st.sampled_from(["-", "–", "—", " to ", " - "]),
)
def test_intervals_any_dash(low, high, dash):
    low, high = min(low, high), max(low, high)
    assert interval_after(f" (95% CI {low}{dash}{high})")[:2] == (low, high)


@pytest.mark.parametrize(
    ("mass", "basis", "per_day", "unit"),
    [
        ("µg", "/m²", True, "μg/m2/day"),
        ("μg", "/m2", True, "μg/m2/day"),
        ("mcg", "/kg", False, "μg/kg"),
        ("mg", " per square metre", False, "mg/m2"),
        ("IU", "/m2", False, "IU/m2"),
        ("units", "/m2", False, "U/m2"),
        ("mg", None, False, "mg"),
    ],
)
def test_units_have_one_notation(mass, basis, per_day, unit):
    assert normalise_unit(mass, basis, per_day) == unit


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (2, "year", 24.0),
        (5, "years", 60.0),
        (26.3, "months", 26.3),
        (1, "y", 12.0),
    ],
)
def test_months(value, unit, expected):
    assert months(value, unit) == expected
