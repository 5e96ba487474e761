"""The collectors file (setting ``collectors``): one ``[[collector]]`` table per source.

Credentials never stand in the file: a key ending in ``_env`` names the environment variable that
holds one (``key_env = "SHADOWSERVER_KEY"``), and a value that looks like a credential itself (a
key named like one, a header that carries one, a password in a URL) is refused, saying where.
"""

from __future__ import annotations

import os
import re
import tomllib
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tocsin.collect.base import MAX_BYTES, MAX_SECONDS, Spec
from tocsin.errors import ConfigError
from tocsin.model.tlp import TLP

COMMON = {"name", "kind", "feed", "every", "tlp", "mapping", "max_bytes", "max_seconds"}
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_VARIABLE = re.compile(r"[A-Z_][A-Z0-9_]{0,127}")
# key names and header names that carry a credential
_SECRET_WORDS = re.compile(r"key|secret|passw|token|auth|cookie|credential", re.IGNORECASE)
_SECRET_QUERY = re.compile(r"key|secret|passw|token|auth|sig", re.IGNORECASE)
MOVE_IT = "put it in an environment variable and name the variable with {key}_env"


def load(path: str | Path) -> list[Spec]:
    """Every collector of the file, checked; ``ConfigError`` naming the collector and key."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read collectors file {path}: {exc}") from None
    unknown = set(data) - {"collector"}
    if unknown:
        raise ConfigError(f"{path}: unknown table(s) {sorted(unknown)}; use [[collector]]")
    tables = data.get("collector", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{path}: collector must be a list of tables ([[collector]])")
    specs: list[Spec] = []
    for number, table in enumerate(tables, start=1):
        spec = _spec(table, number)
        if any(s.name == spec.name for s in specs):
            raise spec.fail("name", "a second collector has this name")
        specs.append(spec)
    return specs


def _spec(table: Mapping[str, Any], number: int) -> Spec:
    name = table.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(
            f"collector #{number}: name: lower-case letters, digits, '.', '_' and '-', please"
        )
    probe = Spec(name, "", "", 0)
    for key in ("kind", "feed"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise probe.fail(key, "missing (a word)")
    every = _whole(probe, table, "every", None, 60)
    tlp = table.get("tlp")
    if tlp is not None:
        try:
            tlp = TLP.parse(tlp).label
        except ValueError as exc:
            raise probe.fail("tlp", str(exc)) from None
    mapping = table.get("mapping")
    if mapping is not None and not isinstance(mapping, str):
        raise probe.fail("mapping", "the path of a TOML mapping file, please")
    options = {k: v for k, v in table.items() if k not in COMMON}
    spec = Spec(
        name,
        table["kind"],
        table["feed"],
        every,
        tlp=tlp,
        mapping=mapping,
        max_bytes=_whole(probe, table, "max_bytes", MAX_BYTES, 1),
        max_seconds=_whole(probe, table, "max_seconds", MAX_SECONDS, 1),
        options=options,
    )
    for key, value in options.items():
        refuse_secret(spec, key, value)
    return spec


def _whole(spec: Spec, table: Mapping[str, Any], key: str, default: int | None, least: int) -> int:
    value = table.get(key, default)
    if value is None:
        raise spec.fail(key, "missing (seconds)")
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise spec.fail(key, f"a whole number of at least {least}, please")
    return value


def refuse_secret(spec: Spec, key: str, value: Any) -> None:
    """``ConfigError`` when ``value`` (at ``key``) looks like a credential written in the file;
    the message names the place, never the value."""
    if key.endswith("_env"):
        for label, variable in _variables(key, value):
            if not isinstance(variable, str) or not _VARIABLE.fullmatch(variable):
                raise spec.fail(
                    label,
                    "the name of an environment variable, please (upper-case letters, digits, "
                    "'_'); the file never holds the credential itself",
                )
        return
    if isinstance(value, Mapping):
        for inner, item in value.items():
            refuse_secret(spec, f"{key}.{inner}", item)
        return
    if _SECRET_WORDS.search(key.rsplit(".", 1)[-1]):
        raise spec.fail(key, "looks like a credential in the file; " + MOVE_IT.format(key=key))
    if isinstance(value, str) and "://" in value:
        _refuse_in_url(spec, key, value)


def _variables(key: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, Mapping):
        return [(f"{key}.{inner}", item) for inner, item in value.items()]
    return [(key, value)]


def _refuse_in_url(spec: Spec, key: str, value: str) -> None:
    parts = urllib.parse.urlsplit(value)
    if parts.password is not None:
        raise spec.fail(key, "a password in the URL; " + MOVE_IT.format(key="password"))
    for name, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if _SECRET_QUERY.search(name):
            raise spec.fail(
                key, f"the URL's parameter {name!r} looks like a credential; use headers_env"
            )


def secret(spec: Spec, key: str, variable: str) -> str:
    """The credential in the environment variable ``variable`` (named at ``key``); a
    ``ConfigError`` naming the variable, never a value, when it is unset or empty."""
    value = os.environ.get(variable, "")
    if not value:
        raise spec.fail(key, f"the environment variable {variable} is not set")
    return value


def option(spec: Spec, key: str, default: Any = None, kind: type = str) -> Any:
    """A kind's own key, of the type it must have (``ConfigError`` naming it otherwise)."""
    value = spec.options.get(key, default)
    if value is None:
        raise spec.fail(key, "missing")
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise spec.fail(key, f"expected {'a ' + kind.__name__}")
    return value


def only(spec: Spec, allowed: set[str]) -> None:
    """``ConfigError`` for a key this kind does not know."""
    extra = sorted(set(spec.options) - allowed)
    if extra:
        raise spec.fail(extra[0], f"not a key of a {spec.kind} collector; known: {sorted(allowed)}")


__all__ = ["load", "only", "option", "refuse_secret", "secret"]
