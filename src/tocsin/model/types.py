"""Value types of the harmonized event model: each sanitiser returns the canonical value or raises.

A sanitiser takes what a parser found (usually a string) and returns the one canonical form that
Tocsin stores, or raises ``ValueError`` with the reason in plain words. The caller adds the field
name (see ``model.fields.sanitize``). Low-cardinality types keep a small memo, since feeds repeat
the same country, ASN and timestamp many times over.

One module past 400 lines on purpose: it is the one table of what each field may hold, every
sanitiser beside the others so that a reader checks them together (``model.fields`` maps each
field to one of them); splitting it by type would scatter that table.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import idna

from tocsin.model.countries import COUNTRY_CODES

Sanitizer = Callable[[Any], Any]

_MEMO_LIMIT = 50_000


def _memoized(func: Sanitizer) -> Sanitizer:
    """Cache a sanitiser's results for hashable inputs (bounded: cleared when full)."""
    cache: dict[Any, Any] = {}

    def wrapper(value: Any) -> Any:
        key = (type(value), value)  # True and 1 are equal keys otherwise
        try:
            return cache[key]
        except KeyError:
            pass
        except TypeError:
            return func(value)
        result = func(value)
        if len(cache) >= _MEMO_LIMIT:
            cache.clear()
        cache[key] = result
        return result

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError("expected text")
    if isinstance(value, int | float):
        return str(value)
    raise ValueError(f"expected text, got {type(value).__name__}")


# Control characters that text never keeps: C0 but tab and line feed, DEL, C1, and the UTF-16
# surrogates that no UTF-8 text holds (a lone one cannot be encoded, stored or sent)
_BAD_CONTROLS = re.compile(r"[\x01-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Terminal escape sequences, whole, in their 7-bit (ESC …) and 8-bit (C1) spellings: CSI
# (colours, cursor moves, clearing), the string commands (OSC retitles the window; DCS, SOS, PM,
# APC) when terminated, and the other two-byte escapes. Text drops them whole, so no "[31m" is
# left where an ESC was; an unterminated string command loses only its introducer, never the
# text after it (the command line's display, which must not let one through, is stricter).
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)


def clean_text(text: str) -> str:
    """``text`` without the terminal escape sequences and control characters it may not keep (a
    CR line end becomes a line feed); a NUL byte, the mark of binary data, is refused."""
    if "\x00" in text:
        raise ValueError("contains a NUL byte")
    if text.isprintable():
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _BAD_CONTROLS.sub("", _ESCAPES.sub("", text))


def string(value: Any) -> str:
    """Any text; surrounding white space and bad control characters removed; NUL bytes refused."""
    text = clean_text(_text(value)).strip()
    if not text:
        raise ValueError("empty")
    return text


def lowercase(value: Any) -> str:
    return string(value).lower()


def uppercase(value: Any) -> str:
    return string(value).upper()


# The whole numbers the store and its JSON encoder hold: a signed 64-bit integer
INT_MIN = -(1 << 63)
INT_MAX = (1 << 63) - 1


def integer(value: Any) -> int:
    """A whole number that fits in 64 bits (signed), as every backend stores it."""
    if isinstance(value, bool):
        raise ValueError("expected a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError("expected a whole number")
        number = int(value)
    else:
        text = _text(value).strip()
        if len(text) > 24:  # no 64-bit number is written longer (and int() is slow on huge text)
            raise ValueError("whole number outside the 64-bit range")
        try:
            number = int(text, 10)
        except ValueError:
            raise ValueError("expected a whole number") from None
    return bounded(number)


def bounded(number: int) -> int:
    """``number`` if it fits in a signed 64-bit integer, else ``ValueError``."""
    if not INT_MIN <= number <= INT_MAX:
        raise ValueError("whole number outside the 64-bit range")
    return number


@_memoized
def port(value: Any) -> int:
    number = integer(value)
    if not 0 <= number <= 65535:
        raise ValueError("port outside 0-65535")
    return number


def floating(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("expected a finite number")
    return number


def accuracy(value: Any) -> float:
    number = floating(value)
    if not 0 <= number <= 100:
        raise ValueError("accuracy outside 0-100")
    return number


_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("expected true or false")


@_memoized
def asn(value: Any) -> int:
    """An autonomous system number, 1 to 4294967295; ``AS64496`` is accepted."""
    if isinstance(value, str):
        text = value.strip()
        if text[:2].upper() == "AS":
            text = text[2:]
        value = text
    number = integer(value)
    if not 1 <= number <= 4294967295:
        raise ValueError("ASN outside 1-4294967295")
    return number


def ip_address(value: Any) -> str:
    """IPv4 or IPv6 in canonical text form (IPv6 compressed, lower case); zone ids refused."""
    text = _text(value).strip()
    if ":" in text:
        try:
            packed = socket.inet_pton(socket.AF_INET6, text)
        except OSError:
            raise ValueError("not an IP address") from None
        if packed[:12] == b"\x00" * 10 + b"\xff\xff":
            return socket.inet_ntop(socket.AF_INET, packed[12:])
        # not inet_ntop: it writes ::1.2.3.4 when the first 96 bits are zero; the stdlib does not
        return str(ipaddress.IPv6Address(packed))
    try:
        packed = socket.inet_pton(socket.AF_INET, text)
    except OSError:
        raise ValueError("not an IP address") from None
    canonical = socket.inet_ntop(socket.AF_INET, packed)
    if canonical != text:
        # inet_pton accepts no leading zeros on glibc; be explicit about what we refuse
        raise ValueError("not a canonical IPv4 address")
    return canonical


def ip_network(value: Any) -> str:
    """A CIDR network; host bits are cleared (``192.0.2.7/24`` becomes ``192.0.2.0/24``)."""
    text = _text(value).strip()
    if "%" in text:
        raise ValueError("not a network (a zone id has no place in one)")
    if "/" not in text:
        text = f"{text}/128" if ":" in text else f"{text}/32"
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError as exc:
        raise ValueError(f"not a network ({exc})") from None


_LABEL = r"(?!-)[a-z0-9_-]{1,63}(?<!-)"
_NAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")


@_memoized
def fqdn(value: Any) -> str:
    """A domain name: lower case, no trailing dot, IDNA (punycode) for non-ASCII names."""
    text = _text(value).strip().rstrip(".").lower()
    if not text:
        raise ValueError("empty")
    if not text.isascii():
        try:
            text = idna.encode(text, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise ValueError(f"not a valid internationalised name ({exc})") from None
    if len(text) > 253:
        raise ValueError("longer than 253 characters")
    if not _NAME.match(text):
        raise ValueError("not a domain name")
    if text.rpartition(".")[2].isdigit():
        raise ValueError("an IP address is not a domain name")
    return text


_URL_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp", "ws", "wss", "tcp", "udp", "smb"})


def url(value: Any) -> str:
    """An absolute URL with a host; ``hxxp`` and a missing scheme are repaired to ``http``."""
    text = _url_text(value)
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ValueError(f"not a URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _URL_SCHEMES:
        raise ValueError(f"unsupported URL scheme {scheme!r}")
    if not host:
        raise ValueError("URL has no host")
    netloc = _url_host(host)
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def _url_text(value: Any) -> str:
    """The URL's text checked for size and white space, with ``hxxp`` and a missing scheme
    repaired."""
    text = _text(value).strip()
    if not text:
        raise ValueError("empty")
    if len(text) > 8192:
        raise ValueError("longer than 8192 characters")
    if any(ch in text for ch in "\x00\r\n\t "):
        raise ValueError("contains white space or control characters")
    if text[:4].lower() == "hxxp":
        text = "http" + text[4:]
    if "://" not in text:
        text = "http://" + text
    return text


def _url_host(host: str) -> str:
    """A URL's host in canonical form: an IP address (an IPv6 one in brackets), else a name as
    a browser accepts it (``url_hostname``)."""
    if ":" in host or host.replace(".", "").isdigit():
        address: str = ip_address(host)
        return f"[{address}]" if ":" in address else address
    name: str = url_hostname(host)
    return name


# What the WHATWG URL Standard forbids in a domain (its "forbidden domain code points"): the
# rest of ASCII is accepted by browsers, even where DNS would refuse it.
_FORBIDDEN_IN_HOST = frozenset(" #%/:<>?@[\\]^|\x7f") | frozenset(map(chr, range(32)))


@_memoized
def url_hostname(value: Any) -> str:
    """A URL's host name as browsers accept it (WHATWG URL Standard, "domain to ASCII" with
    neither DNS length nor hyphen checks): lower case, no trailing dot, IDNA (punycode) for
    non-ASCII labels; an empty label (``www..example.com``), a label of more than 63
    characters, an underscore or a hyphen at a label's end are kept, as a browser keeps them.
    Such a host is a URL's, not a domain name: ``fqdn`` still refuses it."""
    text = unquote(_text(value)).strip().rstrip(".").lower()  # browsers decode %XX in a host
    if not text:
        raise ValueError("empty host")
    if not text.isascii():
        try:
            text = ".".join(_ascii_label(label) for label in text.split("."))
        except idna.IDNAError as exc:
            raise ValueError(f"not a valid internationalised host ({exc})") from None
    if bad := sorted(set(text) & _FORBIDDEN_IN_HOST):
        raise ValueError(f"a URL host cannot hold {''.join(bad)!r}")
    last = text.rstrip(".").rpartition(".")[2]
    if last.isdigit():  # the URL Standard reads a host ending in a number as an IPv4 address
        raise ValueError("not an IP address, yet ends in a number")
    return text


def _ascii_label(label: str) -> str:
    if label.isascii():
        return label
    mapped = idna.uts46_remap(label, std3_rules=False, transitional=False)
    return "xn--" + mapped.encode("punycode").decode("ascii")


@_memoized
def country_code(value: Any) -> str:
    """An ISO 3166-1 alpha-2 code (upper case); ``EU`` and ``XK`` are accepted as in RIR data."""
    text = _text(value).strip().upper()
    if text not in COUNTRY_CODES:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return text


_TIME_CACHE_LIMIT = 100_000
_time_cache: dict[str, str] = {}
_MIN_YEAR = 1970
_MAX_YEAR = 2100


def datetime_utc(value: Any) -> str:
    """A point in time as UTC ISO 8601 (``2024-05-01T06:05:00+00:00``).

    Accepts ISO 8601 with ``T`` or a space, ``Z``, offsets, a trailing ``UTC``, and Unix seconds.
    A time without a zone is taken as UTC, as every feed Tocsin reads documents.
    """
    if type(value) is str:  # the usual value: a text seen before is answered at once
        cached = _time_cache.get(value)
        if cached is not None:
            return cached
    if isinstance(value, datetime):
        return _format(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(value)
    text = _text(value).strip()
    cached = _time_cache.get(text)
    if cached is not None:
        return cached
    result = _parse_time(text)
    if len(_time_cache) >= _TIME_CACHE_LIMIT:
        _time_cache.clear()
    _time_cache[text] = result
    return result


def _parse_time(text: str) -> str:
    if not text:
        raise ValueError("empty")
    if text.isdigit():
        return _from_epoch(int(text))
    candidate = text
    if candidate.endswith(" UTC") or candidate.endswith(" GMT"):
        candidate = candidate[:-4]
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise ValueError("not an ISO 8601 date and time") from None
    return _format(moment)


def _from_epoch(seconds: float) -> str:
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError("Unix time out of range") from None
    return _format(moment)


def _format(moment: datetime) -> str:
    try:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"year outside {_MIN_YEAR}-{_MAX_YEAR}") from None
    if not _MIN_YEAR <= moment.year <= _MAX_YEAR:
        raise ValueError(f"year outside {_MIN_YEAR}-{_MAX_YEAR}")
    return moment.isoformat()


def epoch_seconds(canonical: str) -> int:
    """Seconds since 1970 of a canonical ``datetime_utc`` value."""
    return int(datetime.fromisoformat(canonical).timestamp())


def _hexdigest(length: int, name: str) -> Sanitizer:
    pattern = re.compile(rf"^[0-9a-f]{{{length}}}$")

    def sanitize(value: Any) -> str:
        text = _text(value).strip().lower()
        if not pattern.match(text):
            raise ValueError(f"not a {name} hash ({length} hexadecimal digits)")
        return text

    sanitize.__name__ = name
    return sanitize


md5 = _hexdigest(32, "MD5")
sha1 = _hexdigest(40, "SHA-1")
sha256 = _hexdigest(64, "SHA-256")

_REGISTRIES = frozenset({"AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE"})


def registry(value: Any) -> str:
    text = uppercase(value)
    if text == "RIPENCC":
        text = "RIPE"
    if text not in _REGISTRIES:
        raise ValueError("not a regional internet registry")
    return text


JSON_DEPTH = 32  # lists and maps inside one another; deeper is no feed's data (and JSON
# encoders stop at a few hundred)


def json_value(value: Any) -> Any:
    """A value kept under ``extra.*``: text, numbers, booleans, or lists and maps of them (keys
    text), nested at most ``JSON_DEPTH`` deep. Text loses its bad control characters, whole
    numbers must fit in 64 bits and others be finite; ``null`` inside a list or map is kept."""
    if type(value) is str and value.isprintable():  # the usual value, at once (no NUL in it)
        return value
    if value is None:
        raise ValueError("empty")
    return _json(value, JSON_DEPTH)


def _json(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return bounded(value)
    if isinstance(value, float):
        return floating(value)
    if isinstance(value, list | dict):
        return _json_container(value, depth)
    raise ValueError(f"cannot keep a {type(value).__name__}")


def _json_container(value: list[Any] | dict[Any, Any], depth: int) -> Any:
    if depth <= 0:
        raise ValueError(f"nested deeper than {JSON_DEPTH} levels")
    if isinstance(value, list):
        return [_json(item, depth - 1) for item in value]
    kept: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise ValueError(f"a map key must be text, not a {type(key).__name__}")
        kept[clean_text(key)] = _json(item, depth - 1)
    return kept
