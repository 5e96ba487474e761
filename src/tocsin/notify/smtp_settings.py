"""Where and how notices are handed to a mail server: ``SmtpSettings``, read from an
``smtp://`` URL whose errors never show the password."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from tocsin.errors import InvalidValue
from tocsin.notify.addresses import DOMAIN

DEFAULT_URL = "smtp://localhost:25"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand notices over; the password never shows in ``repr``."""

    host: str = "localhost"
    port: int = 25
    timeout: float = 30.0  # seconds for the connection and for each reply
    starttls: bool = False  # upgrade with STARTTLS, verifying the server's certificate
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    helo: str | None = None  # the name given in EHLO; None: this machine's FQDN

    def __post_init__(self) -> None:
        if not self.host:
            raise InvalidValue("host", self.host, "a host name or address")
        if not 0 < self.port < 65536:
            raise InvalidValue("port", self.port, "a port number from 1 to 65535")
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise InvalidValue("timeout", self.timeout, "a positive number of seconds")
        if (self.username is None) != (self.password is None):
            raise InvalidValue("username", self.username, "a user name and a password go together")
        if self.helo is not None and not DOMAIN.fullmatch(self.helo):
            raise InvalidValue("helo", self.helo, "a host name")

    @classmethod
    def parse(cls, url: str) -> SmtpSettings:
        """Read ``smtp://[user:password@]host[:port][?timeout=30&starttls=1&helo=name]``: port
        25 by default, user and password percent-encoded. Errors never show the password."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "smtp":
            raise InvalidValue("smtp_url", _redacted(url), "must start with smtp://")
        if parts.path not in ("", "/") or parts.fragment:
            raise InvalidValue("smtp_url", _redacted(url), "no path or fragment after host:port")
        try:
            port = 25 if parts.port is None else parts.port
        except ValueError:
            where = parts.netloc.rpartition("@")[2]
            raise InvalidValue("port", where, "a port number from 1 to 65535") from None
        options: dict[str, str] = {}
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if name not in ("timeout", "starttls", "helo") or name in options:
                raise InvalidValue("smtp_url", name, "unknown or repeated: timeout, starttls, helo")
            options[name] = value
        return cls(
            host=parts.hostname or "",
            port=port,
            timeout=_seconds(options.get("timeout", "30")),
            starttls=_flag(options.get("starttls", "0")),
            username=None if parts.username is None else unquote(parts.username),
            password=None if parts.password is None else unquote(parts.password),
            helo=options.get("helo"),
        )


def _redacted(url: str) -> str:
    """The URL with everything between the scheme and the last "@" (user, password) hidden."""
    head, sep, rest = url.partition("://")
    if not sep:
        head, rest = "", url
    _, at, after = rest.rpartition("@")
    return f"{head}{sep}***@{after}" if at else url


def _seconds(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidValue("timeout", text, "a positive number of seconds") from None


def _flag(text: str) -> bool:
    if text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    raise InvalidValue("starttls", text, "1/true/yes/on or 0/false/no/off")
