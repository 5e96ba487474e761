"""docs/operations.md and deploy/ stay honest: every environment variable the operations guide
names is a setting Tocsin reads."""

from __future__ import annotations

import re
from pathlib import Path

from tocsin.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
VARIABLE = re.compile(r"\bTOCSIN_[A-Z0-9_]+\b")
KNOWN = {f"TOCSIN_{key.upper()}" for key in SETTINGS} | {"TOCSIN_CONFIG"}


def test_every_variable_the_guide_names_is_a_setting() -> None:
    """A variable named in docs/operations.md that Tocsin does not read would be set in vain."""
    named = set(VARIABLE.findall(GUIDE))
    assert len(named) >= 5
    assert sorted(named - KNOWN) == []
