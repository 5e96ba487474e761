"""The RSIT taxonomy as IntelMQ 3 enforces it (docs/standards.md §4), legacy spellings included."""

from __future__ import annotations

import pytest

from tocsin.model import taxonomy

# docs/standards.md §4, written out again here so that the test does not read the table it checks.
RSIT: dict[str, tuple[str, ...]] = {
    "abusive-content": ("spam", "harmful-speech", "violence"),
    "malicious-code": (
        "infected-system",
        "c2-server",
        "malware-distribution",
        "malware-configuration",
    ),
    "information-gathering": ("scanner", "sniffing", "social-engineering"),
    "intrusion-attempts": ("ids-alert", "brute-force", "exploit"),
    "intrusions": (
        "privileged-account-compromise",
        "unprivileged-account-compromise",
        "application-compromise",
        "system-compromise",
        "burglary",
    ),
    "availability": ("dos", "ddos", "misconfiguration", "sabotage", "outage"),
    "information-content-security": (
        "unauthorised-information-access",
        "unauthorised-information-modification",
        "data-loss",
        "data-leak",
    ),
    "fraud": ("unauthorized-use-of-resources", "copyright", "masquerade", "phishing"),
    "vulnerable": (
        "weak-crypto",
        "ddos-amplifier",
        "potentially-unwanted-accessible",
        "information-disclosure",
        "vulnerable-system",
    ),
    "other": ("other", "undetermined"),
    "test": ("test",),
}
# IntelMQ's types that RSIT leaves out on purpose; IntelMQ files them under "other".
INTELMQ_ONLY = ("blacklist", "dga-domain", "malware", "proxy", "tor")

PAIRS = [(class_, type_) for class_, types_ in RSIT.items() for type_ in types_] + [
    ("other", type_) for type_ in INTELMQ_ONLY
]

LEGACY = [
    ("botnet drone", "infected-system"),
    ("infected system", "infected-system"),
    ("ransomware", "infected-system"),
    ("c&c", "c2-server"),
    ("c2server", "c2-server"),
    ("ids alert", "ids-alert"),
    ("malware configuration", "malware-configuration"),
    ("leak", "data-leak"),
    ("vulnerable client", "vulnerable-system"),
    ("vulnerable service", "vulnerable-system"),
    ("unknown", "undetermined"),
    ("dga domain", "dga-domain"),
    ("unauthorized-login", "system-compromise"),
    ("unauthorized-command", "system-compromise"),
    ("compromised", "system-compromise"),
    ("backdoor", "system-compromise"),
    ("defacement", "unauthorised-information-modification"),
    ("dropzone", "other"),
]


@pytest.mark.parametrize(("class_", "type_"), PAIRS)
def test_every_type_is_accepted_and_maps_to_its_class(class_: str, type_: str) -> None:
    """Each current type is kept as written and belongs to the class docs/standards.md gives it."""
    assert taxonomy.classification_type(type_) == type_
    assert taxonomy.taxonomy_of(type_) == class_


def test_the_taxonomy_holds_exactly_the_documented_types() -> None:
    """No type is missing from, or added to, the documented RSIT and IntelMQ list."""
    assert dict((type_, class_) for class_, type_ in PAIRS) == taxonomy.TYPE_TO_TAXONOMY
    assert frozenset(RSIT) == taxonomy.TAXONOMIES


@pytest.mark.parametrize(("legacy", "current"), LEGACY)
def test_legacy_spellings_map_to_current_types(legacy: str, current: str) -> None:
    """IntelMQ's legacy type names map to the current type docs/standards.md §4 names."""
    assert taxonomy.classification_type(legacy) == current


def test_legacy_spellings_map_to_the_right_classes() -> None:
    """Legacy types land in their new class (defacement is content security, not intrusions)."""
    assert taxonomy.taxonomy_of(taxonomy.classification_type("defacement")) == (
        "information-content-security"
    )
    assert taxonomy.taxonomy_of(taxonomy.classification_type("unknown")) == "other"
    assert taxonomy.taxonomy_of(taxonomy.classification_type("c&c")) == "malicious-code"
    assert taxonomy.taxonomy_of(taxonomy.classification_type("backdoor")) == "intrusions"


def test_every_legacy_target_is_a_current_type() -> None:
    """The legacy table never points at a name that is itself not a current type."""
    for current in taxonomy.LEGACY_TYPES.values():
        assert current in taxonomy.TYPE_TO_TAXONOMY


@pytest.mark.parametrize(
    ("given_value", "current"),
    [
        ("  Botnet Drone ", "infected-system"),
        ("C&C", "c2-server"),
        ("Infected_System", "infected-system"),
        ("brute force", "brute-force"),
        ("BRUTE_FORCE", "brute-force"),
        ("Phishing", "phishing"),
        ("vulnerable_service", "vulnerable-system"),
    ],
)
def test_case_white_space_and_underscores_do_not_matter(given_value: str, current: str) -> None:
    """Types are matched ignoring case, surrounding space, and spaces or underscores for hyphens."""
    assert taxonomy.classification_type(given_value) == current


def test_the_spelling_quirk_is_preserved() -> None:
    """RSIT's mixed spelling (unauthorised-information-*, unauthorized-use-of-*) is kept."""
    assert taxonomy.classification_type("unauthorised-information-access") == (
        "unauthorised-information-access"
    )
    assert taxonomy.classification_type("unauthorized-use-of-resources") == (
        "unauthorized-use-of-resources"
    )


@pytest.mark.parametrize(
    ("given_value", "reason"),
    [
        ("not-a-type", "not a type of the Reference Security Incident Taxonomy"),
        ("", "not a type of the Reference Security Incident Taxonomy"),
        ("malicious-code", "not a type of the Reference Security Incident Taxonomy"),
        (None, "expected text"),
        (1, "expected text"),
    ],
)
def test_unknown_types_are_refused(given_value: object, reason: str) -> None:
    """Unknown names, class names used as types, and non-text are refused with a reason."""
    with pytest.raises(ValueError, match=reason):
        taxonomy.classification_type(given_value)


@pytest.mark.parametrize("class_", list(RSIT))
def test_every_class_is_accepted(class_: str) -> None:
    """Each RSIT class name is a valid ``classification.taxonomy``."""
    assert taxonomy.classification_taxonomy(class_) == class_


@pytest.mark.parametrize(
    ("given_value", "class_"),
    [
        ("malicious code", "malicious-code"),
        ("Information Content Security", "information-content-security"),
        (" Fraud ", "fraud"),
    ],
)
def test_old_class_spellings_with_spaces_are_hyphenated(given_value: str, class_: str) -> None:
    """Old class strings with spaces, in any case, map to the hyphenated class."""
    assert taxonomy.classification_taxonomy(given_value) == class_


@pytest.mark.parametrize(
    ("given_value", "reason"),
    [("malware", "not a class"), ("phishing", "not a class"), (None, "expected text")],
)
def test_unknown_classes_are_refused(given_value: object, reason: str) -> None:
    """Type names and unknown words are not classes and are refused with a reason."""
    with pytest.raises(ValueError, match=reason):
        taxonomy.classification_taxonomy(given_value)
