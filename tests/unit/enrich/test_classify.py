"""Classify: a priority P1–P4 from the type's severity, moved by rules that are data."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.errors import ConfigError
from tocsin.model.constituent import CRITICAL_SECTORS, OTHER_SECTORS
from tocsin.model.fields import PRIORITIES
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY, classification_type
from tocsin.pipeline.stages.batch import Batch
from tocsin.pipeline.stages.classify import PriorityRules

DEFAULTS = PriorityRules.load()


def event(type_: str, sector: str | None = None, constituent: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"classification.type": type_}
    if constituent is not None:
        found["tocsin.constituent"] = constituent
    if sector is not None:
        found["tocsin.sector"] = sector
    return found


def inside(type_: str, sector: str = "education") -> dict[str, Any]:
    """An event of a constituent in ``sector``."""
    return event(type_, sector, "Some Constituent")


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("sabotage", "P1"),
        ("system-compromise", "P2"),
        ("phishing", "P2"),
        ("vulnerable-system", "P3"),
        ("scanner", "P4"),
        ("exploit", "P3"),  # not listed: severity.default
    ],
)
def test_the_type_gives_the_base_priority(type_: str, expected: str) -> None:
    """In a non-critical constituent no rule fires, so the type's severity is the priority."""
    assert DEFAULTS.priority_of(inside(type_)) == expected


@pytest.mark.parametrize("sector", ["health", "parliament", "elections", "drinking-water"])
def test_a_critical_sector_raises_the_priority_one_step(sector: str) -> None:
    """A vulnerable system (P3) of a critical-sector constituent becomes P2."""
    assert DEFAULTS.priority_of(inside("vulnerable-system", sector)) == "P2"


def test_an_event_outside_the_constituency_is_lowered_one_step() -> None:
    """Without a constituent, a compromised system (P2) becomes P3."""
    assert DEFAULTS.priority_of(event("system-compromise")) == "P3"
    assert DEFAULTS.priority_of(event("vulnerable-system")) == "P4"


def test_priorities_are_clamped_to_p1_and_p4() -> None:
    """Raising a P1 leaves P1; lowering a P4 leaves P4."""
    assert DEFAULTS.priority_of(inside("sabotage", "energy")) == "P1"
    assert DEFAULTS.priority_of(event("scanner")) == "P4"


def test_every_type_in_the_default_severity_table_is_a_type_an_event_can_have() -> None:
    """No severity key of the shipped rules is dead: each is a canonical RSIT type (a key the
    type sanitiser rewrites, such as 'ransomware' → infected-system, can never match)."""
    text = resources.files("tocsin.pipeline.rules").joinpath("priority.toml").read_text()
    listed = set(tomllib.loads(text)["severity"]) - {"default"}
    dead = {name for name in listed if classification_type(name) != name}
    assert dead == set()
    assert listed <= set(TYPE_TO_TAXONOMY)


SECTOR = st.sampled_from(sorted(CRITICAL_SECTORS | OTHER_SECTORS))
TYPE = st.sampled_from(sorted(TYPE_TO_TAXONOMY))


@given(type_=TYPE, sector=st.none() | SECTOR, member=st.booleans())
def test_every_event_gets_one_of_the_four_priorities(
    type_: str, sector: str | None, member: bool
) -> None:
    """Whatever the type, sector and membership, the priority is P1, P2, P3 or P4."""
    found = event(type_, sector, "Member" if member else None)
    assert DEFAULTS.priority_of(found) in PRIORITIES


@given(type_=TYPE, critical=st.sampled_from(sorted(CRITICAL_SECTORS)))
def test_a_critical_sector_is_never_less_urgent_than_another(type_: str, critical: str) -> None:
    """The same event is at least as urgent in a critical sector as in a non-critical one."""
    raised = PRIORITIES.index(DEFAULTS.priority_of(inside(type_, critical)))
    plain = PRIORITIES.index(DEFAULTS.priority_of(inside(type_, "retail")))
    assert raised <= plain


@given(type_=TYPE)
def test_an_event_of_ours_is_never_less_urgent_than_one_outside(type_: str) -> None:
    """The same event is at least as urgent inside the constituency as outside it."""
    ours = PRIORITIES.index(DEFAULTS.priority_of(inside(type_)))
    theirs = PRIORITIES.index(DEFAULTS.priority_of(event(type_)))
    assert ours <= theirs


def test_the_stage_sets_a_priority_and_keeps_one_already_given() -> None:
    """Each event without a priority gets one; an event that already has one keeps it."""
    given_one = {**inside("scanner"), "tocsin.priority": "P1"}
    fresh = inside("vulnerable-system", "health")
    batch = Batch(events=[given_one, fresh])
    assert DEFAULTS(batch) is batch
    assert given_one["tocsin.priority"] == "P1"
    assert fresh["tocsin.priority"] == "P2"


def test_rules_apply_in_order_and_set_overrides() -> None:
    """A later 'set' replaces what earlier rules did, and a rule after it moves it again."""
    rules = PriorityRules.from_mapping(
        {
            "severity": {"scanner": "P4"},
            "rule": [
                {"when": {"tocsin.sector": "@critical"}, "raise": 1},
                {"when": {"source.asn": [64496, 64497]}, "set": "P2"},
                {"missing": ["tocsin.constituent", "source.abuse_contact"], "lower": 2},
            ],
        }
    )
    assert rules.priority_of(inside("scanner", "health")) == "P3"
    assert rules.priority_of({**inside("scanner", "health"), "source.asn": 64497}) == "P2"
    assert rules.priority_of({"classification.type": "scanner", "source.asn": 64496}) == "P4"
    outsider = {"classification.type": "scanner", "source.asn": 64496, "source.abuse_contact": "x"}
    assert rules.priority_of(outsider) == "P2"


def test_all_conditions_of_a_rule_must_hold() -> None:
    """A rule with two conditions fires only when both hold."""
    rules = PriorityRules.from_mapping(
        {
            "rule": [
                {
                    "when": {
                        "tocsin.sector": ["@critical", "media"],
                        "protocol.application": "rdp",
                    },
                    "raise": 2,
                }
            ]
        }
    )
    rdp = {"classification.type": "vulnerable-system", "protocol.application": "rdp"}
    assert rules.priority_of({**rdp, "tocsin.sector": "media"}) == "P1"
    assert rules.priority_of({**rdp, "tocsin.sector": "energy"}) == "P1"
    assert rules.priority_of({**rdp, "tocsin.sector": "retail"}) == "P3"
    assert rules.priority_of({"classification.type": "scanner", "tocsin.sector": "media"}) == "P3"


def test_a_lone_missing_field_counts_as_a_list_of_one() -> None:
    """``missing = "tocsin.constituent"`` fires only when that field is missing, like
    ``missing = ["tocsin.constituent"]`` (not once per letter of the name)."""
    rules = PriorityRules.from_mapping(
        {"severity": {"scanner": "P2"}, "rule": [{"missing": "tocsin.constituent", "lower": 1}]}
    )
    assert rules.priority_of(event("scanner")) == "P3"
    assert rules.priority_of(inside("scanner")) == "P2"


def test_a_digit_is_accepted_as_a_priority() -> None:
    """Severity and 'set' accept 1–4 for P1–P4, and severity.default applies to unlisted types."""
    rules = PriorityRules.from_mapping({"severity": {"default": 2, "scanner": "4"}})
    assert rules.priority_of(event("scanner")) == "P4"
    assert rules.priority_of(event("exploit")) == "P2"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"severity": {"scanner": "P5"}}, "severity.scanner"),
        ({"severity": {"default": "urgent"}}, "severity.default"),
        ({"rule": [{"name": "too far", "set": "P0"}]}, "too far.set"),
        ({"rule": [{"name": "idle", "when": {"tocsin.sector": "health"}}]}, "'idle'"),
        ({"rule": [{"name": "even", "raise": 1, "lower": 1}]}, "'even'"),
    ],
)
def test_a_bad_rules_table_is_a_config_error_naming_the_place(
    data: dict[str, Any], message: str
) -> None:
    """An unknown priority or a rule that does nothing (no step, or steps that cancel out) is
    refused with ConfigError naming the file and the key or rule."""
    with pytest.raises(ConfigError, match=message) as caught:
        PriorityRules.from_mapping(data, "my-rules.toml")
    assert str(caught.value).startswith("my-rules.toml: ")


@pytest.mark.parametrize("step", [{"raise": "one"}, {"lower": "a bit"}, {"raise": [1]}])
def test_a_step_that_is_not_a_whole_number_is_a_config_error(step: dict[str, Any]) -> None:
    """``raise``/``lower`` must be whole numbers; anything else is a ConfigError naming the rule."""
    with pytest.raises(ConfigError, match="wordy"):
        PriorityRules.from_mapping({"rule": [{"name": "wordy", **step}]}, "my-rules.toml")


def test_load_reads_a_rules_file(tmp_path: Path) -> None:
    """Rules from a file replace the defaults."""
    path = tmp_path / "priority.toml"
    path.write_text(
        '[severity]\nscanner = "P1"\n\n[[rule]]\nmissing = ["tocsin.constituent"]\nset = "P4"\n',
        encoding="utf-8",
    )
    rules = PriorityRules.load(path)
    assert rules.priority_of(inside("scanner")) == "P1"
    assert rules.priority_of(event("scanner")) == "P4"


def test_load_refuses_a_bad_file_with_config_error(tmp_path: Path) -> None:
    """A missing file, broken TOML and a bad priority in a file all raise ConfigError naming it."""
    with pytest.raises(ConfigError, match=r"nowhere\.toml"):
        PriorityRules.load(tmp_path / "nowhere.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[severity\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.toml"):
        PriorityRules.load(broken)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[severity]\nscanner = "P9"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"wrong\.toml: severity\.scanner"):
        PriorityRules.load(wrong)


def test_load_refuses_a_file_that_is_not_utf8_with_config_error(tmp_path: Path) -> None:
    """A rules file saved in Latin-1 raises ConfigError naming it, not UnicodeDecodeError."""
    latin = tmp_path / "latin.toml"
    latin.write_bytes('# règles\n[severity]\nscanner = "P4"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin\.toml"):
        PriorityRules.load(latin)
