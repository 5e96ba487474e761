"""The table of free-text limits: for every declared field, a text is taken (stripped) exactly
when it fits, and refused whole, naming the field and its limit, when it does not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.errors import InvalidValue, TooLong
from tocsin.model.limits import LIMITS, bounded


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from(sorted(LIMITS)),
    core=st.integers(min_value=0, max_value=3),
    pad=st.text(alphabet=" \t\n", max_size=3),
    char=st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc", "Cs")),
)
def test_a_text_is_taken_exactly_when_it_fits(field: str, core: int, pad: str, char: str) -> None:
    """Around each limit (limit-1 … limit+2 characters, padded with white space), ``bounded``
    returns the stripped text when it fits and raises TooLong otherwise."""
    limit = LIMITS[field]
    length = limit - 1 + core
    text = pad + char * length + pad
    if length <= limit:
        assert bounded(field, text) == char * length
    else:
        with pytest.raises(TooLong) as refused:
            bounded(field, text)
        assert (refused.value.field, refused.value.limit) == (field, limit)
        assert isinstance(refused.value, InvalidValue)  # forms show it as their error


def test_every_limit_is_a_positive_whole_number_of_characters() -> None:
    assert LIMITS and all(isinstance(v, int) and v > 0 for v in LIMITS.values())


def test_the_refusal_does_not_carry_the_text() -> None:
    """A 5 MB text is refused with a short message: its length, not its content."""
    with pytest.raises(TooLong) as refused:
        bounded("incident.comment", "x" * 5_000_000)
    assert len(str(refused.value)) < 200
