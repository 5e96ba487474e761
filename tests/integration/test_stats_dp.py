"""Differentially private statistics releases (``stats/dp.py`` through ``stats/releases.py``) on
SQLite and PostgreSQL: a dp release is kept with its parameters and its noisy, never suppressed
cells, its JSON valid against the schema; the year's ledger sums it; a release past the year's
budget is refused and nothing kept; a refused release gives its epsilon back; a dp release's
noisy cells are no constraint of the differencing audit; the command line checks a dp table and
prints the ledger."""

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
from tocsin.stats.dp import parameters
from tocsin.stats.outputs import schema
from tocsin.stats.releases import Oversight
from tocsin.stats.tables import Spec, build, spec_of
from tocsin.store import Store

MONTHS = {"2026-01": 1, "2026-10": 10, "2026-11": 11}


@pytest.fixture
def team(store: Store) -> Team:
    """As in test_stats_releases: energy has 4 victims a month, health 3 but 1 in November; and
    in November energy-0 opens 6 incidents more (7 that month, of which a dp table counts 3)."""
    team = make_team(store)
    analyst = team.people["analyst"]
    for month, number in MONTHS.items():
        team.clock.now = int(datetime(2026, number, 5, tzinfo=UTC).timestamp())
        for sector, victims in (("energy", 4), ("health", 1 if month == "2026-11" else 3)):
            for n in range(victims + (6 if (month, sector) == ("2026-11", "energy") else 0)):
                team.desk.create(
                    analyst,
                    title=f"{sector} {n}",
                    type="phishing",
                    priority="P3",
                    constituent=f"{sector}-{n if n < victims else 0}",
                    sector=sector,
                )
    team.clock.now = int(datetime(2026, 12, 6, tzinfo=UTC).timestamp())
    return team


def spec(first: str, last: str, name: str, epsilon: float | None = None) -> Spec:
    declared: dict[str, object] = {"name": name, "rows": "sector", "from": first, "to": last}
    declared["threshold"] = 2
    if epsilon is not None:
        declared |= {"method": "dp", "epsilon": epsilon, "contributions": 3}
    return spec_of(declared)


def test_a_dp_release_is_kept_with_its_parameters_and_published_with_them(team: Team) -> None:
    oversight = Oversight(team.store, now=team.clock)
    lead, admin = team.people["lead"], team.people["admin"]
    checked = oversight.check(lead, spec("2026-11", "2026-11", "nov", 0.5))
    assert checked.noise is not None and checked.noise.left_out == 4  # energy-0: 7, 3 counted
    counted = {r["key"][0]: r["value"] for r in checked.rows()}
    assert (counted["energy"], counted["health"], counted["Total"]) == (4 + 2, 1, 7)
    kept = oversight.release(lead, spec("2026-11", "2026-11", "nov", 0.5))
    assert kept["spec"]["method"] == "dp" and kept["spec"]["epsilon"] == 0.5
    expected = parameters(build(spec("2026-11", "2026-11", "nov", 0.5), []))
    assert kept["spec"]["noise"] == expected.as_dict()
    assert expected.scale == pytest.approx(2 * 3 / 0.5)
    assert not any(row["suppressed"] for row in kept["cells"])  # health's 1 victim is shown
    assert all(isinstance(row["shown"], int) and row["shown"] >= 0 for row in kept["cells"])
    with pytest.raises(Forbidden):
        oversight.approve(lead, kept["id"])
    oversight.approve(admin, kept["id"])
    assert "[c]" not in oversight.csv(None, kept["id"])
    sdmx = oversight.output(None, kept["id"], "sdmx")
    assert ",C\n" not in sdmx and "TOCSIN:NOV(1.0),health,2026-11," in sdmx
    published = orjson.loads(oversight.output(None, kept["id"], "json"))
    jsonschema.validate(published, schema())
    assert published["method"] == {
        "kind": "dp",
        "epsilon": 0.5,
        "contributions": 3,
        "scale": expected.scale,
        "accuracy95": expected.accuracy95,
    }
    assert "victims" not in orjson.dumps(published).decode()
    plain = oversight.release(lead, spec("2026-10", "2026-10", "oct"))
    suppressed = orjson.loads(oversight.output(lead, plain["id"], "json"))
    jsonschema.validate(suppressed, schema())
    assert suppressed["method"]["kind"] == "suppression"
    broken = published | {"method": published["method"] | {"threshold": 10}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema())


def test_the_ledger_sums_the_year_and_refuses_past_its_budget_keeping_nothing(
    team: Team,
) -> None:
    oversight = Oversight(team.store, now=team.clock)  # the default budget: 1.0 a year
    lead, auditor = team.people["lead"], team.people["auditor"]
    first = oversight.release(lead, spec("2026-01", "2026-01", "jan", 0.25))
    second = oversight.release(lead, spec("2026-10", "2026-11", "oct-nov", 0.5))
    oversight.release(lead, spec("2026-01", "2026-11", "plain"))  # suppression: no epsilon
    ledger = oversight.ledger(auditor, 2026)
    assert (ledger["spent"], ledger["budget"], ledger["left"]) == (0.75, 1.0, 0.25)
    assert [r["id"] for r in ledger["releases"]] == [first["id"], second["id"]]
    assert oversight.ledger(auditor, 2025)["spent"] == 0
    before = [r["id"] for r in oversight.releases(lead)]
    with pytest.raises(
        Conflict, match=r"2026 is 1; 0\.75 is spent and this table asks epsilon 0\.5"
    ):
        oversight.release(lead, spec("2026-11", "2026-11", "nov", 0.5))
    with pytest.raises(Conflict, match=r"0\.75 is spent"):
        oversight.check(lead, spec("2026-11", "2026-11", "nov", 0.5))
    assert [r["id"] for r in oversight.releases(lead)] == before
    assert oversight.ledger(auditor, 2026)["spent"] == 0.75
    oversight.release(lead, spec("2026-11", "2026-11", "nov", 0.25))  # exactly the budget
    assert oversight.ledger(auditor, 2026)["left"] == 0
    with pytest.raises(Forbidden):
        oversight.ledger(team.people["analyst"], 2026)
    larger = Oversight(team.store, now=team.clock, budget=2.0)  # the stats_budget setting
    assert larger.ledger(auditor, 2026)["left"] == 1.0


def test_a_refused_release_gives_its_epsilon_back(team: Team) -> None:
    oversight = Oversight(team.store, now=team.clock, budget=0.5)
    lead, admin = team.people["lead"], team.people["admin"]
    kept = oversight.release(lead, spec("2026-11", "2026-11", "nov", 0.5))
    with pytest.raises(Conflict, match=r"budget of 2026 is 0\.5"):
        oversight.release(lead, spec("2026-10", "2026-10", "oct", 0.5))
    oversight.refuse(admin, kept["id"], "a month alone is too fine")
    assert oversight.ledger(lead, 2026)["spent"] == 0
    again = oversight.release(lead, spec("2026-10", "2026-10", "oct", 0.5))
    assert [r["id"] for r in oversight.ledger(lead, 2026)["releases"]] == [again["id"]]


def test_a_dp_releases_noisy_cells_are_no_constraint_of_the_differencing_audit(
    team: Team,
) -> None:
    """January–October (suppression), then January–November with noise: had its true counts
    been taken as exact, November's health (1 victim) would be opened by November alone, which
    is kept; and suppression releases are still audited against one another."""
    oversight = Oversight(team.store, now=team.clock)
    lead = team.people["lead"]
    oversight.release(lead, spec("2026-01", "2026-10", "to-oct"))
    oversight.release(lead, spec("2026-01", "2026-11", "to-nov", 0.5))
    november = oversight.release(lead, spec("2026-11", "2026-11", "nov"))
    assert any(row["suppressed"] for row in november["cells"])
    with pytest.raises(Conflict, match="health"):  # minus to-oct: nov's health, exactly
        oversight.release(lead, spec("2026-01", "2026-11", "to-nov-exact"))


def test_the_command_line_checks_a_dp_table_and_prints_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOCSIN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("TOCSIN_STATS_BUDGET", "0.75")
    declared = tmp_path / "noisy.toml"
    declared.write_text(
        'name = "noisy"\nrows = "sector"\ncolumns = "priority"\nfrom = "2026-11"\n'
        'method = "dp"\nepsilon = 0.5\n'
    )
    done = CliRunner().invoke(app, ["stats", "check", str(declared)])
    assert done.exit_code == 0, done.output
    assert "differential privacy: epsilon 0.5, at most 3 incidents a victim" in done.output
    assert "scale 24:" in done.output and "[c]" not in done.output
    ledger = CliRunner().invoke(app, ["stats", "ledger", "2026"])
    assert ledger.exit_code == 0, ledger.output
    assert "2026: epsilon 0 spent of a budget of 0.75, 0.75 left" in ledger.output
    declared.write_text(declared.read_text() + "rounding = 5\n")
    refused = CliRunner().invoke(app, ["stats", "check", str(declared)])
    assert refused.exit_code != 0 and "rounding" in refused.output
