"""The codes a reporter holds: the reference they quote (``R-7K3M-9QXD``) and the private code
that opens their report's status page, both random, in Crockford's base 32, and read back as
people copy them from paper."""

from __future__ import annotations

import secrets

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U to misread


def new_reference() -> str:
    """What the reporter quotes: ``R-7K3M-9QXD`` (40 random bits: no count of reports shows)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"R-{raw[:4]}-{raw[4:]}"


def new_status_code() -> str:
    """The private code that opens the status page: 100 random bits, in groups of five."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def _bare(text: str) -> str:
    """The code's letters, upper case, Crockford's look-alikes mapped (people copy these from
    paper: spaces, dashes, an O for a zero); ``""`` when another character is in it."""
    table = str.maketrans({"I": "1", "L": "1", "O": "0", " ": None, "-": None})
    bare = text[:100].strip().upper().translate(table)
    return bare if all(c in _ALPHABET for c in bare) else ""


def canonical_reference(text: str) -> str:
    """``r 7k3m 9qxd`` → ``R-7K3M-9QXD``; anything that cannot be one gives ``""``."""
    head = text.strip().upper()
    if head.startswith("R") and (head[1:2] in ("-", " ") or len(_bare(head)) == 9):
        head = head[1:]  # the "R-" printed before every reference
    bare = _bare(head)
    return f"R-{bare[:4]}-{bare[4:]}" if len(bare) == 8 else ""


def canonical_code(text: str) -> str:
    bare = _bare(text)
    return "-".join(bare[i : i + 5] for i in range(0, 20, 5)) if len(bare) == 20 else ""
