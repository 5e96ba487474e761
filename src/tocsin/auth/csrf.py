"""CSRF tokens bound to the session: an HMAC of its id, so only that session's pages have one.

The web layer puts ``csrf_token(session_id, key)`` in every form and checks the submitted value
with ``check_csrf`` on every state-changing request (SameSite=Lax cookies are the first line).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from tocsin.auth.keys import check_secret_key
from tocsin.errors import InvalidValue

_PURPOSE = b"tocsin.csrf\x00"  # separates these MACs from any other use of the same key


def csrf_token(session_id: str, secret_key: str) -> str:
    """The URL-safe CSRF token (HMAC-SHA256, 43 characters) for ``session_id``."""
    if not session_id:
        raise InvalidValue("session_id", session_id, "a CSRF token needs a session id")
    key = check_secret_key(secret_key).encode("utf-8")
    mac = hmac.new(key, _PURPOSE + session_id.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def check_csrf(token: str, session_id: str, secret_key: str) -> bool:
    """Whether ``token`` is the CSRF token of ``session_id``, compared in constant time."""
    if not session_id or not token:
        return False
    expected = csrf_token(session_id, secret_key).encode("ascii")
    return hmac.compare_digest(expected, token.encode("utf-8", "replace"))
