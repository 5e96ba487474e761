"""Whole numbers from outside that name a stored row: ids in URLs, forms and JSON bodies, the
cursors of pages.

SQLite and PostgreSQL both keep ids as signed 64-bit integers. A bigger number sent to either
fails in the driver (SQLite's ``OverflowError``, PostgreSQL's ``bigint out of range``), and a
number spelled in other digits (``"²"`` passes ``str.isdigit()`` and not ``int()``; ``"١٢"``
passes both) or with Python's extras (``"1_000"``, ``" 7"``, ``"+7"``) is not what any page or
partner of Tocsin writes. So every such number is read here, before it reaches a query: ASCII
digits only, from 1 to ``MAX_ID``; anything else names no row.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1  # the largest signed 64-bit integer
_MAX_DIGITS = len(str(MAX_ID))


def in_range(number: int) -> bool:
    """Whether ``number`` can be the id of a stored row."""
    return 1 <= number <= MAX_ID


def parse_id(text: str) -> int | None:
    """The id ``text`` spells in ASCII digits, or None when it spells none (see the module)."""
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_DIGITS:
        return None
    number = int(text)
    return number if in_range(number) else None


def row_id(value: object) -> int:
    """``value`` as an id (a sanitizer: ``ValueError`` saying why when it is none)."""
    number: int | None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value if in_range(value) else None
    elif isinstance(value, str):
        number = parse_id(value)
    else:
        number = None
    if number is None:
        raise ValueError(f"a whole number from 1 to {MAX_ID}, in digits 0-9")
    return number
