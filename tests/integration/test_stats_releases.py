"""Statistics releases (``stats/releases.py``) on SQLite and PostgreSQL: a table of incidents by
sector suppresses what fewer than the threshold's victims stand behind, and its complement; a
lead other than the author publishes it; its CSV shows ``[c]``; a release that together with the
earlier ones lets an attacker derive a suppressed value (the differencing attack) is refused and
nothing is kept; exercise and test incidents are left out; the command line checks a table."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import orjson
import pytest
from typer.testing import CliRunner

from tests.desk import Team, make_team
from tocsin.cli import app
from tocsin.errors import Conflict, Forbidden
from tocsin.stats.outputs import schema
from tocsin.stats.releases import Oversight
from tocsin.stats.tables import spec_of
from tocsin.store import Store

MONTHS = {"2026-01": 1, "2026-10": 10, "2026-11": 11}


@pytest.fixture
def team(store: Store) -> Team:
    """Incidents in January, October and November: energy has 4 victims a month, health 3,
    but only 1 in November."""
    team = make_team(store)
    analyst = team.people["analyst"]
    for month, number in MONTHS.items():
        team.clock.now = int(datetime(2026, number, 5, tzinfo=UTC).timestamp())
        for sector, victims in (("energy", 4), ("health", 1 if month == "2026-11" else 3)):
            for n in range(victims):
                team.desk.create(
                    analyst,
                    title=f"{sector} {n}",
                    type="phishing",
                    priority="P3",
                    constituent=f"{sector}-{n}",
                    sector=sector,
                )
    team.clock.now = int(datetime(2026, 12, 6, tzinfo=UTC).timestamp())
    return team


def spec(first: str, last: str, name: str) -> object:
    return spec_of({"name": name, "rows": "sector", "from": first, "to": last, "threshold": 2})


def test_a_release_suppresses_a_sector_of_one_victim_and_a_second_lead_publishes_it(
    team: Team,
) -> None:
    oversight = Oversight(team.store, now=team.clock)
    lead, admin = team.people["lead"], team.people["admin"]
    checked = oversight.check(lead, spec("2026-11", "2026-11", "nov"))  # type: ignore[arg-type]
    rows = {"/".join(r["key"]): r for r in checked.rows()}
    assert rows["health"]["suppressed"] and rows["health"]["value"] == 1
    assert "1 victims, fewer than 2" in rows["health"]["reason"]
    assert rows["energy"]["suppressed"]  # its complement: else Total − energy = health
    assert rows["Total"]["shown"] == 5 and not rows["Total"]["suppressed"]
    kept = oversight.release(lead, spec("2026-11", "2026-11", "nov"))  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        oversight.approve(lead, kept["id"])
    assert oversight.approve(admin, kept["id"])["state"] == "published"
    text = oversight.csv(None, kept["id"])
    assert "health,[c]\n" in text and "Total,5\n" in text
    sdmx = oversight.output(None, kept["id"], "sdmx").splitlines()
    assert sdmx[0] == "DATAFLOW,SECTOR,TIME_PERIOD,OBS_VALUE,CONF_STATUS"
    assert "TOCSIN:NOV(1.0),health,2026-11,,C" in sdmx
    assert "TOCSIN:NOV(1.0),_T,2026-11,5,F" in sdmx
    published = orjson.loads(oversight.output(None, kept["id"], "json"))
    jsonschema.validate(published, schema())
    assert {"key": ["health"], "value": None, "suppressed": True} in published["cells"]
    actions = [e.action for e in team.store.cases.audit()]
    assert actions[-2:] == ["stats.release", "stats.publish"]


def test_a_release_that_opens_an_earlier_one_by_differencing_is_refused(team: Team) -> None:
    oversight = Oversight(team.store, now=team.clock)
    lead, admin = team.people["lead"], team.people["admin"]
    for first, last, name in (("2026-01", "2026-10", "to-oct"), ("2026-11", "2026-11", "nov")):
        made = oversight.release(lead, spec(first, last, name))  # type: ignore[arg-type]
        oversight.approve(admin, made["id"])
    with pytest.raises(Conflict, match="health"):
        oversight.release(lead, spec("2026-01", "2026-11", "to-nov"))  # type: ignore[arg-type]
    assert [r["name"] for r in oversight.releases(lead)] == ["nov", "to-oct"]


def test_exercise_incidents_are_not_counted(team: Team) -> None:
    oversight = Oversight(team.store, now=team.clock)
    lead = team.people["lead"]
    team.clock.now = int(datetime(2026, 11, 20, tzinfo=UTC).timestamp())
    drill = team.desk.create(
        team.people["analyst"], title="Drill", type="phishing", priority="P3", sector="energy"
    )
    team.desk.describe(team.people["analyst"], drill.id, tags="exercise")
    checked = oversight.check(lead, spec("2026-11", "2026-11", "nov"))  # type: ignore[arg-type]
    total = next(r for r in checked.rows() if r["key"] == ["Total"])
    assert total["value"] == 5


def test_the_command_line_checks_a_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOCSIN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    declared = tmp_path / "sectors.toml"
    declared.write_text('name = "sectors"\nrows = "sector"\nfrom = "2026-11"\n')
    done = CliRunner().invoke(app, ["stats", "check", str(declared)])
    assert done.exit_code == 0, done.output
    assert "0 of" in done.output and "cells suppressed" in done.output
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('name = "x"\nrows = "colour"\nfrom = "2026-11"\n')
    refused = CliRunner().invoke(app, ["stats", "check", str(wrong)])
    assert refused.exit_code != 0 and "rows" in refused.output
