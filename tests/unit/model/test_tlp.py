"""Traffic Light Protocol 2.0 labels (docs/standards.md §3), with TLP 1.0 mapped in and out."""

from __future__ import annotations

import pytest

from tocsin.model.tlp import TLP, tlp, to_tlp1


@pytest.mark.parametrize(
    ("given_value", "label"),
    [
        ("TLP:CLEAR", TLP.CLEAR),
        ("CLEAR", TLP.CLEAR),
        ("TLP:GREEN", TLP.GREEN),
        ("tlp:green", TLP.GREEN),
        ("amber", TLP.AMBER),
        ("TLP:AMBER+STRICT", TLP.AMBER_STRICT),
        ("amber+strict", TLP.AMBER_STRICT),
        ("AMBER_STRICT", TLP.AMBER_STRICT),
        ("TLP:RED", TLP.RED),
        (" tlp: red ", TLP.RED),
        ("TLP RED", TLP.RED),
        (TLP.RED, TLP.RED),
    ],
)
def test_parse_reads_every_tlp_2_label(given_value: object, label: TLP) -> None:
    """All five TLP 2.0 colours parse, with or without ``TLP:``, in any case."""
    assert TLP.parse(given_value) is label


@pytest.mark.parametrize("given_value", ["WHITE", "TLP:WHITE", "white"])
def test_tlp_1_white_becomes_clear(given_value: str) -> None:
    """TLP 1.0 WHITE, as IntelMQ and CSAF 2.0 write it, is TLP 2.0 CLEAR."""
    assert TLP.parse(given_value) is TLP.CLEAR
    assert tlp(given_value) == "CLEAR"


@pytest.mark.parametrize(
    ("label", "stored", "written"),
    [
        (TLP.CLEAR, "CLEAR", "TLP:CLEAR"),
        (TLP.GREEN, "GREEN", "TLP:GREEN"),
        (TLP.AMBER, "AMBER", "TLP:AMBER"),
        (TLP.AMBER_STRICT, "AMBER+STRICT", "TLP:AMBER+STRICT"),
        (TLP.RED, "RED", "TLP:RED"),
    ],
)
def test_labels_are_written_as_first_writes_them(label: TLP, stored: str, written: str) -> None:
    """Events store the colour alone; the label is ``TLP:`` plus the colour, and both parse back."""
    assert label.value_name == stored
    assert label.label == written
    assert tlp(written) == stored
    assert TLP.parse(stored) is label


def test_labels_are_ordered_from_least_to_most_restrictive() -> None:
    """CLEAR < GREEN < AMBER < AMBER+STRICT < RED."""
    assert TLP.CLEAR < TLP.GREEN < TLP.AMBER < TLP.AMBER_STRICT < TLP.RED
    assert sorted([TLP.RED, TLP.CLEAR, TLP.AMBER_STRICT, TLP.GREEN, TLP.AMBER]) == list(TLP)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ((TLP.GREEN,), TLP.GREEN),
        ((TLP.CLEAR, TLP.GREEN), TLP.GREEN),
        ((TLP.AMBER, TLP.AMBER_STRICT), TLP.AMBER_STRICT),
        ((TLP.GREEN, TLP.RED, TLP.CLEAR), TLP.RED),
    ],
)
def test_most_restrictive_wins_when_merging(labels: tuple[TLP, ...], expected: TLP) -> None:
    """Merging objects keeps the most restrictive of their labels."""
    assert TLP.most_restrictive(*labels) is expected


@pytest.mark.parametrize(
    ("given_value", "tlp1"),
    [
        ("CLEAR", "WHITE"),
        ("GREEN", "GREEN"),
        ("AMBER", "AMBER"),
        ("AMBER+STRICT", "AMBER"),
        ("RED", "RED"),
        ("TLP:WHITE", "WHITE"),
    ],
)
def test_to_tlp1_gives_the_closest_tlp_1_value(given_value: str, tlp1: str) -> None:
    """For IntelMQ and CSAF 2.0, CLEAR is WHITE and AMBER+STRICT is AMBER; others are unchanged."""
    assert to_tlp1(given_value) == tlp1


@pytest.mark.parametrize(
    ("given_value", "reason"),
    [
        ("PINK", "not a TLP label"),
        ("", "not a TLP label"),
        ("TLP:", "not a TLP label"),
        ("AMBER+", "not a TLP label"),
        ("TLP:AMBER+STRICTER", "not a TLP label"),
        (None, "expected a TLP label"),
        (2, "expected a TLP label"),
    ],
)
def test_unknown_labels_are_refused(given_value: object, reason: str) -> None:
    """Anything but a TLP 2.0 or 1.0 colour is refused with a reason."""
    with pytest.raises(ValueError, match=reason):
        tlp(given_value)
