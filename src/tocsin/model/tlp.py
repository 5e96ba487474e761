"""Traffic Light Protocol 2.0, with IntelMQ's TLP 1.0 values mapped in (WHITE becomes CLEAR)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class TLP(IntEnum):
    """TLP 2.0 labels, ordered from least to most restrictive."""

    CLEAR = 0
    GREEN = 1
    AMBER = 2
    AMBER_STRICT = 3
    RED = 4

    @property
    def label(self) -> str:
        """The label as FIRST writes it, e.g. ``TLP:AMBER+STRICT``."""
        return "TLP:" + self.value_name

    @property
    def value_name(self) -> str:
        """The colour alone as stored in events, e.g. ``AMBER+STRICT``."""
        return self.name.replace("_", "+")

    @classmethod
    def parse(cls, value: Any) -> TLP:
        if isinstance(value, TLP):
            return value
        if not isinstance(value, str):
            raise ValueError("expected a TLP label")
        text = value.strip().upper()
        if text.startswith("TLP:") or text.startswith("TLP "):
            text = text[4:].strip()
        text = text.replace(" ", "+").replace("_", "+")
        try:
            return _BY_NAME[text]
        except KeyError:
            raise ValueError("not a TLP label (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)") from None

    @staticmethod
    def most_restrictive(*labels: TLP) -> TLP:
        """Merging objects keeps the most restrictive label."""
        return max(labels)


_BY_NAME = {
    "CLEAR": TLP.CLEAR,
    "WHITE": TLP.CLEAR,  # TLP 1.0
    "GREEN": TLP.GREEN,
    "AMBER": TLP.AMBER,
    "AMBER+STRICT": TLP.AMBER_STRICT,
    "AMBERSTRICT": TLP.AMBER_STRICT,
    "RED": TLP.RED,
}


def tlp(value: Any) -> str:
    """Sanitise a TLP value to its TLP 2.0 colour (``CLEAR`` … ``RED``)."""
    return TLP.parse(value).value_name


def to_tlp1(value: str) -> str:
    """The closest TLP 1.0 value, for IntelMQ and CSAF 2.0 (CLEAR→WHITE, AMBER+STRICT→AMBER)."""
    label = TLP.parse(value)
    if label is TLP.CLEAR:
        return "WHITE"
    if label is TLP.AMBER_STRICT:
        return "AMBER"
    return label.value_name
