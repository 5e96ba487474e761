"""Ids as the web takes them, in a path, a query or a JSON body: ASCII digits, bounded to what
the databases store (``tocsin.model.numbers``), so a number out of range is refused at the door
(a path: 404, a query or a body: 422) and never reaches a query. Every whole-number path
parameter is a ``PathId``; a test walks the route table to hold new routes to it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BeforeValidator, Field

from tocsin.model.numbers import MAX_ID


def _digits(value: object) -> object:
    """Text must be ASCII digits: pydantic alone reads ``"1_000"``, ``" 7"`` and ``"+7"``."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("a whole number in digits 0-9")
    return value


# The bounds come before the validator: after it, the OpenAPI schema says "ge"/"le", not
# "minimum"/"maximum".
PathId = Annotated[int, Path(ge=1, le=MAX_ID), BeforeValidator(_digits)]
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_digits)]  # in a query or a body
