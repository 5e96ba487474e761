"""The secret key that sessions, CSRF tokens and notices' acknowledgement links are signed with:
checked before it is used, and kept in a file of the data folder when none is configured.

A key in the environment (``TOCSIN_SECRET_KEY``) wins. Without one, the key is made on first
start and kept in a file (``auth/key_files.py``: 0600, made atomically), so sessions survive a
restart and every process of one Tocsin (the server, the worker, ``tocsin notify``) signs with
the same key. A key file anyone but its owner may read, or one too short, is refused rather
than used: a weak or leaked key would let anyone forge a session.
"""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

from tocsin.auth.key_files import read_key_file
from tocsin.errors import ConfigError

MIN_SECRET_KEY_LENGTH = 32


def new_secret_key() -> str:
    """A fresh random key (256 bits, URL-safe text) for the ``secret_key`` setting."""
    return secrets.token_urlsafe(32)


def check_secret_key(secret_key: str) -> str:
    """The key itself when long enough to sign with; a ``ConfigError`` (never showing it) if not."""
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"secret_key must be at least {MIN_SECRET_KEY_LENGTH} characters "
            "(set TOCSIN_SECRET_KEY to a long random value)"
        )
    return secret_key


def stored_secret_key(path: Path) -> str:
    """The secret key kept at ``path``, made there first when missing; a ``ConfigError`` when
    others may read or write the file, or when it holds too short a key."""
    text = read_key_file(path, "secret key", lambda: new_secret_key().encode() + b"\n")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"the secret key at {path} is open to others (mode {mode:04o}); run: chmod 600 {path}"
        )
    try:
        key = text.decode("utf-8").strip()
    except UnicodeDecodeError:
        key = ""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"the secret key at {path} is shorter than {MIN_SECRET_KEY_LENGTH} characters; "
            "delete the file to have a new one made (sessions then end), or set TOCSIN_SECRET_KEY"
        )
    return key
