"""The fields of a request for assistance as people give them: free text within its declared
limit, a TLP, a language, a time; each refused naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tocsin.errors import InvalidValue, TooLong
from tocsin.model import types
from tocsin.model.assist.request import Safeguards
from tocsin.model.limits import limit_of
from tocsin.model.tlp import tlp


def text(name: str, value: Any, field: str, *, required: bool = True) -> str:
    """``value`` cleaned, within ``field``'s limit; "" when it may be empty and is."""
    if not required and (value is None or str(value).strip() == ""):
        return ""
    cleaned = InvalidValue.check(name, value, types.string)
    limit = limit_of(field)
    if len(cleaned) > limit:
        raise TooLong(name, limit, len(cleaned))
    return cleaned


def label(value: Any) -> str:
    return InvalidValue.check("tlp", value, tlp)


def iso639(value: Any) -> str:
    code = str(value or "").strip().lower()
    if len(code) != 2 or not code.isalpha():
        raise ValueError("an ISO 639-1 code: en, fr, de…")
    return code


def language(value: Any) -> str:
    return InvalidValue.check("language", value, iso639)


def when(name: str, value: Any) -> datetime | None:
    """A time with its zone (an ISO 8601 text or an aware datetime), in UTC; None when empty."""
    if value is None or value == "":
        return None
    found = value
    if not isinstance(found, datetime):
        try:
            found = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidValue(name, value, "an ISO 8601 time: 2026-11-28T09:00+01:00") from None
    if found.tzinfo is None:
        raise InvalidValue(name, value, "a time without its zone is ambiguous: give the zone")
    return found.astimezone(UTC)


def safeguards(value: Safeguards | Mapping[str, Any] | None) -> Safeguards:
    """The safeguards as given (a ``Safeguards``, or its fields by name), each field checked."""
    if value is None:
        return Safeguards()
    data = value.as_json() if isinstance(value, Safeguards) else dict(value)
    unknown = sorted(set(data) - set(Safeguards().as_json()))
    if unknown:
        raise InvalidValue("safeguards", unknown, "not a safeguard of a request")
    categories = data.get("data_categories") or ()
    if isinstance(categories, str):
        categories = [c for c in categories.split(",")]
    start = when("scope_from", data.get("scope_from"))
    end = when("scope_to", data.get("scope_to"))
    if start is not None and end is not None and end < start:
        raise InvalidValue("scope_to", data.get("scope_to"), "before the scope's start")
    return Safeguards(
        necessity=text("necessity", data.get("necessity"), "assist.safeguard", required=False),
        approving_authority=text(
            "approving_authority",
            data.get("approving_authority"),
            "assist.safeguard",
            required=False,
        ),
        data_categories=tuple(
            dict.fromkeys(c.strip().lower() for c in categories if str(c).strip())
        ),
        scope_from=start,
        scope_to=end,
        retention_until=when("retention_until", data.get("retention_until")),
        onward_transfer=text(
            "onward_transfer", data.get("onward_transfer"), "assist.safeguard", required=False
        ),
        confidential=bool(data.get("confidential", True)),
    )


__all__ = ["iso639", "label", "language", "safeguards", "text", "when"]
