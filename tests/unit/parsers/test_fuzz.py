"""Every parser in the registry, through the whole pipeline, on bytes it was never meant to read:
no exception, every row read ends accepted, duplicate or quarantined, no parser fails on a bug,
and every stored value is canonical. A fixed, small budget (``bench/fuzz.py`` runs long)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fuzzing import (
    FEEDS,
    TOKENS,
    all_samples,
    every_row,
    feeds,
    mutate,
    pipeline,
    sample,
    samples,
)

BUDGET = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure here is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_every_feed_of_the_registry_has_samples_to_mutate() -> None:
    """A feed added to the registry without samples here would go unfuzzed."""
    assert sorted(FEEDS) == sorted(feeds())
    for feed in feeds():
        assert samples(feed), feed


@pytest.mark.parametrize("feed", feeds())
@BUDGET
@given(data=st.binary(max_size=2048), which=st.integers(min_value=0))
def test_arbitrary_bytes_are_counted_and_never_fatal(feed: str, data: bytes, which: int) -> None:
    """Random bytes, under the name of one of the feed's samples."""
    name = samples(feed)[which % len(samples(feed))][0]
    counts = pipeline(feed, name, data)
    assert counts.read == counts.accepted + counts.duplicates + counts.quarantined
    assert counts.parser_failures == 0


@pytest.mark.parametrize(("feed", "name"), all_samples())
@BUDGET
@given(
    token=st.sampled_from(TOKENS),
    column=st.integers(0, 40),
    seed=st.integers(0, 2**32),
    steps=st.integers(0, 6),
    layout=st.sampled_from([(1, 8), (0, 1)]),
)
def test_mutated_samples_are_counted_and_never_fatal(
    feed: str, name: str, token: bytes, column: int, seed: int, steps: int, layout: tuple[int, int]
) -> None:
    """A recorded sample with a token that breaks parsers in every row (its rows repeated, a
    column further in each copy, so that every column gets it; or the whole text, header
    included, once), then random edits (tokens put in, bytes flipped, spans cut or repeated, the
    end cut off)."""
    keep, copies = layout
    data = every_row(sample(feed, name), token, column, keep, copies)
    data = mutate(data, random.Random(seed), steps)
    counts = pipeline(feed, name, data)
    assert counts.read == counts.accepted + counts.duplicates + counts.quarantined
    assert counts.parser_failures == 0
