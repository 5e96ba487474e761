"""The words and numbers of the yearly report for parliament (``report.py``), in English or
French: the fixed words and the code lists' labels, read from ``report_texts.toml`` beside this
module (a table a language), and numbers, shares, durations, months and days written as each
language writes them (French: a narrow no-break space between thousands, a decimal comma).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any

from babel.dates import format_date

from tocsin.errors import InvalidValue
from tocsin.stats.sdc import Rule
from tocsin.stats.tables import TOTAL

LANGUAGES = ("en", "fr")
THRESHOLD = Rule().threshold  # the releases' default: 10
NNBSP = "\u202f"  # French thousands separator, and before % and units


@cache
def catalogue(lang: str) -> Mapping[str, Mapping[str, str]]:
    """The fixed words of one language (``text``) and its code lists' labels."""
    if lang not in LANGUAGES:
        raise InvalidValue("lang", lang, f"one of {', '.join(LANGUAGES)}")
    source = resources.files("tocsin.stats").joinpath("report_texts.toml").read_text("utf-8")
    found: dict[str, dict[str, str]] = tomllib.loads(source)[lang]
    return found


def words(lang: str) -> Mapping[str, str]:
    return catalogue(lang)["text"]


def number(value: float, lang: str, decimals: int = 0) -> str:
    """``1,234.5`` in English, ``1 234,5`` (narrow no-break space, decimal comma) in French."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def percent(share: float, lang: str) -> str:
    """A share out of 100: ``93.5%``, ``93,5 %`` (``100%``: no decimal when whole)."""
    return _short(share, lang) + (f"{NNBSP}%" if lang == "fr" else "%")


def _short(value: float, lang: str) -> str:
    return number(value, lang, 0 if abs(value - round(value)) < 0.05 else 1)


def duration(seconds: float, lang: str) -> str:
    """Minutes under an hour, hours under two days, days beyond."""
    said = words(lang)
    if seconds < 3600:
        return said["minutes"].format(n=number(seconds / 60, lang))
    if seconds < 48 * 3600:
        return said["hours"].format(n=_short(seconds / 3600, lang))
    return said["days"].format(n=_short(seconds / 86_400, lang))


def count(value: int, lang: str, threshold: int = THRESHOLD) -> str:
    """A count of the service figures: "fewer than 10" below the threshold."""
    if value < threshold:
        return words(lang)["fewer_than"].format(n=number(threshold, lang))
    return number(value, lang)


def month_name(month: str, lang: str, year: bool = True) -> str:
    """``2026-11`` as ``November 2026`` or ``novembre 2026``."""
    y, m = (int(p) for p in month.split("-"))
    return format_date(date(y, m, 1), "LLLL y" if year else "LLLL", locale=lang)


def period(first: str, last: str, lang: str) -> str:
    if first == last:
        return month_name(first, lang)
    same_year = first[:4] == last[:4]
    return words(lang)["period"].format(
        first=month_name(first, lang, year=not same_year), last=month_name(last, lang)
    )


def day(at: int, lang: str) -> str:
    return format_date(datetime.fromtimestamp(at, UTC).date(), "long", locale=lang)


def label(lang: str, dimension: str, code: str) -> str:
    """A code's label in ``lang`` (a type keeps its RSIT name, a month is named)."""
    if code == TOTAL:
        return words(lang)["total"]
    if dimension == "month":
        return month_name(code, lang)
    return catalogue(lang).get(dimension, {}).get(code, code)


def said_dimension(lang: str, dimension: str) -> str:
    return catalogue(lang)["dimension"].get(dimension, dimension)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _decimal(value: Any, lang: str) -> str:
    if value is None:
        return "?"
    as_float = float(value)
    if as_float == int(as_float):
        return number(as_float, lang)
    places = min(4, max(1, len(f"{as_float:g}".partition(".")[2])))
    return number(as_float, lang, places)


__all__ = [
    "LANGUAGES",
    "NNBSP",
    "THRESHOLD",
    "catalogue",
    "count",
    "day",
    "duration",
    "label",
    "month_name",
    "number",
    "percent",
    "period",
    "said_dimension",
    "words",
]
