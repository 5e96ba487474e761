"""The yearly figures through the service on SQLite and PostgreSQL: the fixture set stored gives
the Art. 28 CSV written by hand; only the team's requests count; liaisons, leads, admins and
auditors read them and no one else; a request taken through its lifecycle by the request service
counts; the command line and the API give the same tables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.assist_figures import CONTACTS, REQUESTS, STEPS
from tests.audit_keys import AUDIT_KEY
from tests.desk import FakeClock, Team, make_team
from tests.integration.test_assist_requests import ART29, SAFEGUARDS
from tocsin.assist.figures import AssistFigures
from tocsin.assist.requests import Assistance
from tocsin.cli import app as cli_app
from tocsin.errors import Forbidden, InvalidValue
from tocsin.model.assist.request import Request
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store, open_store
from tocsin.web.app import create_app

EXPECTED = Path(__file__).resolve().parents[1] / "samples" / "assist" / "art28_2026_paris.csv"
READERS = ("liaison", "lead", "admin", "auditor")
OTHERS = ("analyst", "partner")


def seed(store: Store, org_id: int, requests: list[Request] = REQUESTS) -> dict[int, int]:
    """The fixture set in the store, for ``org_id``: its contacts, requests and steps, with the
    store's own ids (returned: fixture id → stored id)."""
    skip = {"id", "incident_ids"}
    with store.transaction() as tx:
        contacts = {
            c.id: store.assist.add_contact(
                tx,
                {f.name: getattr(c, f.name) for f in fields(c) if f.name not in ("id", "version")},
                "test",
            )
            for c in CONTACTS.values()
        }
        ids: dict[int, int] = {}
        for r in requests:
            values: dict[str, Any] = {f.name: getattr(r, f.name) for f in fields(r)}
            values = {k: v for k, v in values.items() if k not in skip}
            values["org_id"] = org_id
            values["counterpart_id"] = contacts.get(r.counterpart_id or 0)
            values["parent_id"] = ids.get(r.parent_id or 0)
            ids[r.id] = store.assist.add_request(tx, values)
        for fixture_id, steps in STEPS.items():
            if fixture_id not in ids:
                continue
            for s in steps:
                store.assist.add_step(
                    tx,
                    ids[fixture_id],
                    {"at": int(s.at.timestamp()), "state": s.state, "detail": dict(s.detail)},
                )
    return ids


@pytest.fixture
def team(store: Store) -> Team:
    return make_team(store)


def test_the_stored_fixture_set_makes_the_art28_table_written_by_hand(
    store: Store, team: Team
) -> None:
    seed(store, team.org_id)
    found = AssistFigures(store).csv(team.people["liaison"], 2026, "art28", "Europe/Paris")
    assert found == EXPECTED.read_text(encoding="utf-8")


def test_only_the_readers_of_requests_read_the_figures(store: Store, team: Team) -> None:
    seed(store, team.org_id)
    service = AssistFigures(store)
    for name in READERS:
        total = service.table(team.people[name], 2026, "art28", "Europe/Paris").rows[44]
        assert total[:4] == ("EPOC", "total", "total", "total") and total[4] == 8, name
    for name in OTHERS:
        with pytest.raises(Forbidden):
            service.year(team.people[name], 2026)


def test_another_teams_requests_do_not_count(store: Store, team: Team) -> None:
    seed(store, team.other_org_id)
    with store.transaction() as tx:
        other = store.people.add_user(
            tx,
            username="liaison2",
            display_name="L",
            role="liaison",
            org_id=team.other_org_id,
            disabled=False,
            password_hash="!",
            created=team.clock.now,
        )
    mine = AssistFigures(store).table(team.people["liaison"], 2026, "art28", "Europe/Paris")
    theirs = AssistFigures(store).table(Principal.of(other), 2026, "art28", "Europe/Paris")
    assert mine.rows[44][4] == 0 and theirs.rows[44][4] == 8
    everyone = AssistFigures(store).table(Principal.system(), 2026, "art28", "Europe/Paris")
    assert everyone.rows[44][4] == 8


def test_a_year_or_table_out_of_range_is_refused(store: Store, team: Team) -> None:
    service = AssistFigures(store)
    with pytest.raises(InvalidValue):
        service.year(team.people["lead"], 10_000)
    with pytest.raises(InvalidValue):
        service.table(team.people["lead"], 2026, "secret")
    with pytest.raises(InvalidValue):
        service.year(team.people["lead"], 2026, "Europe")


def test_a_request_taken_through_the_service_counts(store: Store, team: Team) -> None:
    """An outgoing Art. 29 request drafted, approved by a second person, sent and preserved two
    hours later: one request, preserved, 2.0 hours to its data."""
    assist = Assistance(store, now=team.clock)
    liaison, lead = team.people["liaison"], team.people["lead"]
    made = assist.create(
        liaison, basis="BC-29", title="Preserve", elements=ART29, safeguards=SAFEGUARDS
    ).request
    assist.move(liaison, made.id, "awaiting_approval")
    assist.approve(lead, made.id)
    assist.move(liaison, made.id, "sent")
    team.clock.advance(3600)
    assist.move(liaison, made.id, "acknowledged")
    team.clock.advance(3600)
    assist.move(liaison, made.id, "preserved")
    figures = AssistFigures(store).year(lead, 2026)
    found = [
        r
        for r in figures.table("requests").records()
        if (r["basis"], r["direction"], r["country"], r["emergency"])
        == ("BC-29", "outgoing", "ZZ", "total")
    ]
    assert len(found) == 1
    assert (found[0]["requests"], found[0]["preserved"], found[0]["hours_to_data_median"]) == (
        1,
        1,
        2.0,
    )


def test_the_command_line_prints_a_table_as_csv_and_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TOCSIN_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    store = open_store(url, audit_key=AUDIT_KEY)
    team = make_team(store)
    seed(store, team.org_id)
    tokens = {
        name: Accounts(store, now=team.clock).create_token(team.people[name], "cli", "read").secret
        for name in ("auditor", "analyst")
    }
    store.close()
    runner = CliRunner()

    def run(who: str, *args: str, code: int = 0) -> str:
        monkeypatch.setenv("TOCSIN_TOKEN", tokens[who])
        result = runner.invoke(cli_app, ["requests", "figures", *args], obj=FakeClock())
        assert result.exit_code == code, result.output
        return result.output

    assert run("auditor", "--year", "2026", "--tz", "Europe/Paris") == EXPECTED.read_text(
        encoding="utf-8"
    )
    kpi = orjson.loads(run("auditor", "--year", "2026", "--table", "kpi", "--format", "json"))
    totals = {r["direction"]: r["urgent"] for r in kpi["rows"] if r["country"] == "total"}
    assert kpi["name"] == "kpi" and totals == {"outgoing": 4, "incoming": 1}
    everything = orjson.loads(run("auditor", "--year", "2026", "--format", "json"))
    assert [t["name"] for t in everything["tables"]][:2] == ["art28", "art28_grounds"]
    assert "only liaisons, leads, admins and auditors" in run("analyst", "--year", "2026", code=2)
    assert "not an IANA time zone" in run("auditor", "--year", "2026", "--tz", "Mars", code=2)


@pytest.fixture
def api(
    settings: Settings, store: Store, team: Team
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    seed(store, team.org_id)
    accounts = Accounts(store, now=team.clock)
    tokens = {
        name: accounts.create_token(team.people[name], "api", "read").secret
        for name in (*READERS, *OTHERS)
    }
    with TestClient(create_app(settings, clock=team.clock, watch_clocks=False)) as client:
        yield client, tokens


def test_the_api_gives_the_figures_to_their_readers_only(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = api
    path = "/api/v1/assist/figures?year=2026&tz=Europe/Paris"
    for name in READERS:
        answer = client.get(path, headers={"Authorization": f"Bearer {tokens[name]}"})
        assert answer.status_code == 200, name
        art28 = answer.json()["tables"][0]
        assert art28["name"] == "art28" and art28["rows"][44]["issued"] == 8
    for name in OTHERS:
        answer = client.get(path, headers={"Authorization": f"Bearer {tokens[name]}"})
        assert answer.status_code == 403, name
    assert client.get(path).status_code == 401


def test_the_api_gives_one_table_as_csv(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    auth = {"Authorization": f"Bearer {tokens['lead']}"}
    answer = client.get("/api/v1/assist/figures?year=2026&tz=Europe/Paris&format=csv", headers=auth)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text == EXPECTED.read_text(encoding="utf-8")
    one = client.get("/api/v1/assist/figures?year=2026&table=refusals", headers=auth).json()
    assert [t["name"] for t in one["tables"]] == ["refusals"]
    bad = client.get("/api/v1/assist/figures?year=2026&tz=Europe", headers=auth)
    assert bad.status_code == 400
    assert client.get("/api/v1/assist/figures?year=1969", headers=auth).status_code == 422
