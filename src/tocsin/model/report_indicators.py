"""What a victim typed on the portal that the desk can search and share: the indicators a
report's answers name (kept apart from ``report.py``, the portal's paths and questions)."""

from __future__ import annotations

from tocsin.model.incident import IndicatorKind, indicator
from tocsin.model.report import Answers

# the answers that may name something the desk can look for: a site, how the offender wrote or
# called, where the money went
POINTERS = ("site", "ransom_contact", "offender", "paid_to")


def indicators_of(answers: Answers) -> list[tuple[IndicatorKind, str]]:
    """What a victim typed that the desk can search and share: a URL, a domain, an address, an
    e-mail address, a phone number or a wallet in the answers that may name one; anything else
    stays an answer only (a platform's name, an account, a bank's reference)."""
    found: list[tuple[IndicatorKind, str]] = []
    for key in POINTERS:
        value = answers.get(key)
        text = value.strip() if isinstance(value, str) else ""
        if text.startswith("+"):  # a phone number may be written with spaces
            text = "".join(text.split())
        if not text or " " in text:
            continue
        kinds = (
            ("url",)
            if "://" in text
            else ("email",)
            if "@" in text
            else ("phone",)
            if text.startswith("+")
            else ("wallet", "ip", "fqdn")
        )
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
