"""The addresses a message goes from and to, read from its headers, and the checks that refuse
them before any mail server is asked: one sender, at least one recipient, each well formed, and
no header the parser had to mend."""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.errors import InvalidHeaderDefect
from email.utils import getaddresses
from typing import Any

DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*")  # a domain (or host) name as SMTP takes it
_LOCAL = re.compile(r"[^\s@<>()\[\],;:\"\\]+")
ADDRESS_HEADERS = ("Sender", "From", "To", "Cc", "Bcc")


def addresses_in(headers: Mapping[str, list[Any]], *names: str) -> list[str]:
    """The addresses (``local@domain``) in the named headers, in order."""
    found: list[str] = []
    for name in names:
        for header in headers[name]:
            parsed = getattr(header, "addresses", None)  # email.policy.default parses headers
            if parsed is None:
                found += [address for _, address in getaddresses([str(header)])]
            else:
                found += [address.addr_spec for address in parsed]
    return found


def message_problem(
    headers: Mapping[str, list[Any]], sender: list[str], recipients: list[str]
) -> str | None:
    """Why these addresses cannot be used, if they cannot; a header the parser had to mend
    (dropping what it could not read) counts as malformed."""
    for name, values in headers.items():
        for header in values:
            invalid = [
                d for d in getattr(header, "defects", ()) if isinstance(d, InvalidHeaderDefect)
            ]
            if invalid:
                return f"malformed address in {name}: {str(header)!r}: {invalid[0]}"
    return envelope_problem(sender, recipients)


def envelope_problem(sender: list[str], recipients: list[str]) -> str | None:
    """Why this envelope cannot go, if it cannot: one sender, a recipient, all well formed."""
    if len(sender) != 1:
        return "not one sender address"
    if not recipients:
        return "no recipient address"
    malformed = [a for a in (*sender, *recipients) if not _well_formed(a)]
    return f"malformed address: {malformed[0]!r}" if malformed else None


def _well_formed(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return bool(at) and bool(_LOCAL.fullmatch(local)) and bool(DOMAIN.fullmatch(domain))
