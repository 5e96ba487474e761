"""The pages' session cookie: what a logged-in one must carry to be read back."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from tests.desk import FakeClock
from tocsin.auth.sessions import SessionSigner
from tocsin.web.common.sessions import Session, Sessions

KEY = "k" * 40


def request_with(token: str) -> Request:
    cookie = f"tocsin_session={token}".encode()
    scope = {
        "type": "http",
        "scheme": "http",
        "server": ("testserver", 80),
        "path": "/",
        "query_string": b"",
        "headers": [(b"cookie", cookie)],
    }
    return Request(scope)


@pytest.mark.parametrize(
    "data",
    [
        {"sid": "s", "uid": 7},  # a cookie from before epochs: log in again
        {"sid": "s", "uid": 7, "gen": True, "began": 0},
        {"sid": "s", "uid": 7, "gen": "0", "began": 0},
        {"sid": "s", "uid": 7, "gen": 0, "began": -1},
        {"sid": "s", "uid": True, "gen": 0, "began": 0},
    ],
    ids=["no-epoch", "bool-epoch", "text-epoch", "negative-start", "bool-user"],
)
def test_a_logged_in_cookie_without_a_whole_epoch_and_start_is_refused(
    data: dict[str, Any],
) -> None:
    """Signed with the right key but missing the epoch or the start, or holding another type,
    a logged-in cookie reads as no session."""
    clock = FakeClock()
    token = SessionSigner(KEY, 3600, clock=clock).dumps(data)
    assert Sessions(KEY, clock=clock).read(request_with(token)) is None


def test_a_logged_in_session_reads_back_whole() -> None:
    """What ``save`` signs, ``read`` gives back: id, user, epoch and the time of logging in."""
    clock = FakeClock()
    sessions = Sessions(KEY, clock=clock)
    data = {"sid": "s", "uid": 7, "gen": 3, "began": clock.now}
    token = SessionSigner(KEY, 3600, clock=clock).dumps(data)
    assert sessions.read(request_with(token)) == Session("s", 7, 3, clock.now)
