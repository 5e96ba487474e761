"""SLA targets as people write them in the settings."""

from __future__ import annotations

import pytest

from tocsin.errors import ConfigError
from tocsin.model.sla import DEFAULT_TARGETS, SlaPolicy
from tocsin.settings import Settings


def test_targets_parse_from_text_and_unnamed_priorities_keep_defaults() -> None:
    """``P1=10m/2h`` sets P1 in seconds; P2–P4 keep their defaults."""
    policy = SlaPolicy.parse("P1=10m/2h")
    assert policy.targets["P1"] == (600, 7200)
    assert policy.targets["P4"] == DEFAULT_TARGETS["P4"]


@pytest.mark.parametrize("text", ["P1=10m", "P9=1h/1d", "P1=soon/1d", "P1=0m/1h"])
def test_a_bad_target_is_refused_by_the_settings(text: str) -> None:
    """A target without both clocks, an unknown priority or a bad duration is a config error."""
    with pytest.raises(ConfigError, match="sla"):
        Settings.load({"TOCSIN_SLA": text})
