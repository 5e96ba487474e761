"""Checked credentials remembered for a short while, keyed by a digest of the ``Authorization``
header, so that a partner paging through a collection pays for one password check, not one per
page. A remembered credential is worth nothing once its user's session epoch moved on (a new
password, a disable or enable: ``Accounts.session_epoch``), which one small query tells at each
use; a revoked token is refused at most ``REMEMBER`` seconds later."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from tocsin.model.people import Principal

REMEMBER = 60.0
MOST = 10_000  # past this many remembered headers, all are forgotten at once


class Remembered:
    """Who each recently checked ``Authorization`` header was, for ``REMEMBER`` seconds."""

    def __init__(self) -> None:
        self._known: dict[bytes, tuple[float, Principal, int]] = {}

    def principal(
        self, header: str, check: Callable[[], Principal], epoch: Callable[[Principal], int]
    ) -> Principal:
        """Who ``header`` is: remembered while its user's ``epoch`` is the one it was checked
        in, else ``check()``-ed and then remembered. ``epoch`` raises for a user gone or
        disabled."""
        key = hashlib.sha256(header.encode()).digest()
        now = time.monotonic()
        known = self._known.get(key)
        if known is not None and known[0] > now and epoch(known[1]) == known[2]:
            return known[1]
        who = check()
        if len(self._known) > MOST:
            self._known.clear()
        self._known[key] = (now + REMEMBER, who, epoch(who))
        return who
