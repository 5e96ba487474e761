"""Keys out of the box: with no TOCSIN_SECRET_KEY, the server makes a key on first start and
keeps it in the data folder, so a session outlives a restart and notices work on a fresh desk."""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi.testclient import TestClient

from tests.desk import FakeClock, make_team
from tests.integration.test_console_http import PASSWORD, log_in
from tocsin.model.people import Principal
from tocsin.services.desk import Desk
from tocsin.settings import Settings
from tocsin.web.app import create_app


def fresh_desk(tmp_path: Path) -> tuple[Settings, FakeClock]:
    """Settings on an empty data folder and a new SQLite store, with one analyst, ana."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'tocsin.db'}",
        data_dir=str(tmp_path / "data"),
        workers=0,
    )
    desk = Desk.open(settings)
    try:
        team = make_team(desk.store)
        desk.accounts.add_user(
            Principal.system(), name="ana", password=PASSWORD, role="analyst", org_id=team.org_id
        )
    finally:
        desk.close()
    return settings, team.clock


def test_a_session_outlives_a_restart(tmp_path: Path) -> None:
    """A cookie from the first start opens the console on the second: both signed with the key
    the first start made and kept, 0600, in the data folder."""
    settings, clock = fresh_desk(tmp_path)
    with TestClient(create_app(settings, clock=clock, watch_clocks=False)) as first:
        first.follow_redirects = False
        assert log_in(first, "ana").status_code == 303
        cookies = dict(first.cookies)
    key = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with TestClient(create_app(settings, clock=clock, watch_clocks=False)) as second:
        second.follow_redirects = False
        assert second.get("/console").status_code == 303  # no cookie: to the log-in page
        second.cookies.update(cookies)
        assert second.get("/console").status_code == 200


def test_notices_answer_on_a_fresh_desk(tmp_path: Path) -> None:
    """/notices is the desk's list, not a 404, with no TOCSIN_SECRET_KEY anywhere."""
    settings, clock = fresh_desk(tmp_path)
    assert settings.secret_key == ""
    with TestClient(
        create_app(settings, clock=clock, watch_clocks=False), follow_redirects=False
    ) as client:
        assert log_in(client, "ana").status_code == 303
        page = client.get("/notices")
    assert page.status_code == 200
