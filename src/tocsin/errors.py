"""The small tree of Tocsin's errors. Adapters map these once (API, pages, CLI)."""

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class TocsinError(Exception):
    """Root of every error Tocsin raises on purpose."""


class InvalidValue(TocsinError, ValueError):
    """A field's value failed its type: names the field, the value and the reason."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        shown = repr(value)
        if len(shown) > 120:
            shown = shown[:117] + "..."
        super().__init__(f"{field}: {shown}: {reason}")

    @classmethod
    def check(cls, field: str, value: Any, sanitizer: Callable[[Any], T]) -> T:
        """``sanitizer(value)``, or this error naming the field when the sanitiser refuses it."""
        try:
            return sanitizer(value)
        except ValueError as exc:
            raise cls(field, value, str(exc)) from None


class TooLong(InvalidValue):
    """A free text over its field's declared limit (``tocsin.model.limits``); refused whole."""

    def __init__(self, field: str, limit: int, length: int) -> None:
        super().__init__(field, f"{length} characters", f"at most {limit} characters")
        self.limit = limit
        self.length = length


class UnknownFeed(TocsinError):
    """A feed name that no parser answers to."""


class InputUnreadable(TocsinError):
    """An input that cannot be opened or read at all."""


class ConfigError(TocsinError):
    """A setting or a rules file that cannot be understood."""


class NotFound(TocsinError):
    """Something asked for by its identifier does not exist."""


class TooManyAttempts(TocsinError):
    """Too many log-in attempts for a name or an address: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many attempts; try again in {retry_after} seconds")


class Forbidden(TocsinError):
    """The acting person may not do this (their role, organisation or the TLP says no)."""


class NotAuthenticated(TocsinError):
    """No valid log-in, session or token."""


class Conflict(TocsinError):
    """The change does not fit the current state (an illegal workflow move, a duplicate)."""


class NotAcceptable(TocsinError):
    """The client does not take the media type this answer is written in (TAXII's, for one)."""


class UnsupportedMedia(TocsinError):
    """The body sent is not of the media type this door reads (TAXII's, for one)."""
