"""What a victim typed on the portal that the desk can search and share: the indicators a
report's answers name (kept apart from ``report.py``, the portal's paths and questions)."""

from __future__ import annotations

from tocsin.model.incident import IndicatorKind, indicator
from tocsin.model.report import Answers

# the answers that may name something the desk can look for: a site, and how the offender wrote
POINTERS = ("site", "ransom_contact", "offender")


def indicators_of(answers: Answers) -> list[tuple[IndicatorKind, str]]:
    """What a victim typed that the desk can search and share: a URL, a domain, an address or
    an e-mail address in the answers that may name one; anything else stays an answer only (a
    platform's name, an account, a wallet: Tocsin has no indicator of those kinds)."""
    found: list[tuple[IndicatorKind, str]] = []
    for key in POINTERS:
        value = answers.get(key)
        text = value.strip() if isinstance(value, str) else ""
        if not text or " " in text:
            continue
        kinds = ("url",) if "://" in text else ("email",) if "@" in text else ("ip", "fqdn")
        for kind in kinds:
            try:
                pair = indicator(kind, text)
            except ValueError:
                continue
            if pair not in found and (kind != "fqdn" or "." in pair[1]):
                found.append(pair)
            break
    return found


__all__ = ["POINTERS", "indicators_of"]
