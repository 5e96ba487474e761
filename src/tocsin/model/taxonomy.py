"""The Reference Security Incident Taxonomy (RSIT) as IntelMQ 3 enforces it, with legacy spellings.

``classification.taxonomy`` is always derived from ``classification.type``; a type is the only
thing a parser or a person sets.
"""

from __future__ import annotations

from typing import Any

TAXONOMY: dict[str, tuple[str, ...]] = {
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
    # IntelMQ's types that RSIT deliberately leaves out are filed under "other".
    "other": ("other", "undetermined", "blacklist", "dga-domain", "malware", "proxy", "tor"),
    "test": ("test",),
}

TYPE_TO_TAXONOMY: dict[str, str] = {
    type_: taxonomy for taxonomy, types in TAXONOMY.items() for type_ in types
}

LEGACY_TYPES: dict[str, str] = {
    "botnet drone": "infected-system",
    "botnet-drone": "infected-system",
    "infected system": "infected-system",
    "ransomware": "infected-system",
    "c&c": "c2-server",
    "c2server": "c2-server",
    "c2 server": "c2-server",
    "ids alert": "ids-alert",
    "malware configuration": "malware-configuration",
    "malware distribution": "malware-distribution",
    "leak": "data-leak",
    "vulnerable client": "vulnerable-system",
    "vulnerable service": "vulnerable-system",
    "vulnerable-client": "vulnerable-system",
    "vulnerable-service": "vulnerable-system",
    "unknown": "undetermined",
    "dga domain": "dga-domain",
    "unauthorized-login": "system-compromise",
    "unauthorized-command": "system-compromise",
    "compromised": "system-compromise",
    "backdoor": "system-compromise",
    "defacement": "unauthorised-information-modification",
    "dropzone": "other",
    "brute force": "brute-force",
    "ddos amplifier": "ddos-amplifier",
    "weak crypto": "weak-crypto",
}

TAXONOMIES = frozenset(TAXONOMY)


def classification_type(value: Any) -> str:
    """Sanitise ``classification.type``: current RSIT names, or a legacy spelling mapped to one."""
    if not isinstance(value, str):
        raise ValueError("expected text")
    text = value.strip().lower()
    if text in TYPE_TO_TAXONOMY:
        return text
    mapped = LEGACY_TYPES.get(text) or LEGACY_TYPES.get(text.replace("_", " "))
    if mapped is None:
        hyphenated = text.replace(" ", "-").replace("_", "-")
        if hyphenated in TYPE_TO_TAXONOMY:
            return hyphenated
        raise ValueError("not a type of the Reference Security Incident Taxonomy")
    return mapped


def classification_taxonomy(value: Any) -> str:
    """Sanitise a taxonomy (class) name; old spellings with spaces map to the hyphenated form."""
    if not isinstance(value, str):
        raise ValueError("expected text")
    text = value.strip().lower().replace(" ", "-")
    if text not in TAXONOMIES:
        raise ValueError("not a class of the Reference Security Incident Taxonomy")
    return text


def taxonomy_of(type_: str) -> str:
    """The RSIT class of a (sanitised) type."""
    return TYPE_TO_TAXONOMY[type_]
