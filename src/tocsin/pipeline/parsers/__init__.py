"""The feed parsers, one module per feed family. Each module lists its parsers in ``PARSERS``."""

from __future__ import annotations

import importlib

from tocsin.errors import UnknownFeed
from tocsin.pipeline.parsers.base import Parser, Record, Source

__all__ = ["Parser", "Record", "Source", "all_parsers", "get_parser"]

FAMILIES = (
    "shadowserver",
    "abusech",
    "spamhaus",
    "phishing",
    "blocklists",
    "intelmq",
    "misp",
    "stix",
    "generic",
)


def all_parsers() -> dict[str, type[Parser]]:
    """Every parser by feed name, in the order ``tocsin feeds`` lists them."""
    found: dict[str, type[Parser]] = {}
    for family in FAMILIES:
        module = importlib.import_module(f"tocsin.pipeline.parsers.{family}")
        for parser in module.PARSERS:
            found[parser.name] = parser
    return found


def get_parser(name: str) -> type[Parser]:
    parsers = all_parsers()
    try:
        return parsers[name]
    except KeyError:
        known = ", ".join(sorted(parsers))
        raise UnknownFeed(f"unknown feed {name!r}; known feeds: {known}") from None
