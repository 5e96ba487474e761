"""The constituency registry on the web and in its service (issue 14, "the whole desk on the
web"): leads and admins add, change, rename, remove and import; each change is audited; a wrong
value or a wrong line changes nothing and is named; analysts and auditors read, see no form, and
are refused. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_console_http import Desk, csrf_of, desk, log_in
from tocsin.errors import Forbidden, InvalidValue
from tocsin.services.registry import Registry

__all__ = ["desk"]


def registry(desk: Desk) -> Registry:
    return Registry(desk.team.store, now=desk.team.clock)


def names(desk: Desk) -> list[str]:
    return [c.name for c in desk.team.store.constituents()]


def test_a_lead_adds_changes_renames_and_removes_audited(desk: Desk) -> None:
    lead = desk.team.people["lead"]
    service = registry(desk)
    service.save(
        lead,
        {"name": "Harbour Telecom", "networks": "198.51.100.0/24", "sector": "telecommunications"},
    )
    service.save(
        lead,
        {
            "name": "Harbour Telecom Ltd",
            "networks": "198.51.100.0/24 203.0.113.0/25",
            "abuse_contact": "abuse@harbour.example",
        },
        replacing="Harbour Telecom",
    )
    [kept] = desk.team.store.constituents()
    assert (kept.name, kept.networks) == (
        "Harbour Telecom Ltd",
        ("198.51.100.0/24", "203.0.113.0/25"),
    )
    service.delete(lead, "Harbour Telecom Ltd")
    assert names(desk) == []
    actions = [
        e.action for e in desk.team.store.cases.audit_for("constituent", "Harbour Telecom Ltd")
    ]
    assert actions.count("constituent.save") == 1 and "constituent.delete" in actions
    assert [
        e.action for e in desk.team.store.cases.audit_for("constituent", "Harbour Telecom")
    ] == ["constituent.save"]


def test_a_wrong_value_is_named_and_an_analyst_may_not_change(desk: Desk) -> None:
    service = registry(desk)
    with pytest.raises(InvalidValue) as wrong:
        service.save(desk.team.people["lead"], {"name": "X", "networks": "not-a-network"})
    assert str(wrong.value.field).endswith("networks")
    with pytest.raises(Forbidden):
        service.save(desk.team.people["analyst"], {"name": "Y"})
    assert names(desk) == []
    assert [c.name for c in service.list(desk.team.people["auditor"])] == []


def test_an_import_replaces_all_or_nothing(desk: Desk, tmp_path: Path) -> None:
    lead = desk.team.people["lead"]
    service = registry(desk)
    service.save(lead, {"name": "Old One"})
    good = tmp_path / "registry.csv"
    good.write_text(
        "name,sector,networks\n"
        "Riverside Clinic,health,192.0.2.0/26\n"
        "City Water,energy,192.0.2.64/26\n"
    )
    assert service.import_file(lead, good) == 2
    assert sorted(names(desk)) == ["City Water", "Riverside Clinic"]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,sector,networks\nA,health,192.0.2.0/26\nB,health,nonsense\n")
    with pytest.raises(InvalidValue, match=r"bad\.csv:3: .*networks"):
        service.import_file(lead, bad)
    assert sorted(names(desk)) == ["City Water", "Riverside Clinic"]
    [entry] = desk.team.store.cases.audit_for("constituent", "registry")
    assert entry.action == "constituent.import" and entry.details["constituents"] == 2


def test_the_pages_for_a_lead_and_for_an_analyst(desk: Desk) -> None:
    desk.user("leo", role="lead")
    assert log_in(desk.client, "leo").status_code == 303
    added = desk.client.post(
        "/constituents",
        data={
            "csrf": csrf_of(desk.client, "/constituents"),
            "name": "Harbour Telecom",
            "networks": "198.51.100.0/24",
        },
    )
    assert added.status_code == 303
    refused = desk.client.post(
        "/constituents",
        data={
            "csrf": csrf_of(desk.client, "/constituents"),
            "name": "Bad",
            "abuse_contact": "nope",
        },
    )
    assert refused.status_code == 400 and 'id="c-abuse_contact"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    uploaded = desk.client.post(
        "/constituents/import",
        data={"csrf": csrf_of(desk.client, "/constituents")},
        files={"file": ("registry.csv", b"name,sector\nCity Water,energy\n", "text/csv")},
    )
    assert uploaded.status_code == 303
    assert names(desk) == ["City Water"]
    wrong_kind = desk.client.post(
        "/constituents/import",
        data={"csrf": csrf_of(desk.client, "/constituents")},
        files={"file": ("registry.exe", b"MZ", "application/octet-stream")},
    )
    assert wrong_kind.status_code == 400 and names(desk) == ["City Water"]
    edit = desk.client.get("/constituents/edit", params={"name": "City Water"})
    assert edit.status_code == 200 and 'name="replacing" value="City Water"' in edit.text
    desk.client.cookies.clear()
    desk.user("ana")
    assert log_in(desk.client, "ana").status_code == 303
    page = desk.client.get("/constituents").text
    assert "City Water" in page and 'action="/constituents"' not in page
    assert desk.client.get("/constituents/edit", params={"name": "City Water"}).status_code == 404
    denied = desk.client.post(
        "/constituents/delete",
        data={"csrf": csrf_of(desk.client, "/constituents"), "name": "City Water"},
    )
    assert denied.status_code == 403 and names(desk) == ["City Water"]


def test_the_form_saves_a_region_and_the_pages_show_it(desk: Desk) -> None:
    """The console's form has a labelled region field with its hint; a region typed in lower case
    is saved upper-cased, shown in the registry beside the country and in the change form; a bad
    one is refused (400) pointing at the field, with what was typed kept."""
    desk.user("leo", role="lead")
    assert log_in(desk.client, "leo").status_code == 303
    page = desk.client.get("/constituents").text
    assert '<label for="c-region">' in page and 'id="c-region" name="region"' in page
    assert 'aria-describedby="c-region-hint"' in page
    assert "NUTS code, e.g. FR1, or ISO 3166-2, e.g. FR-IDF" in page
    added = desk.client.post(
        "/constituents",
        data={
            "csrf": csrf_of(desk.client, "/constituents"),
            "name": "Port of Tallinn",
            "country": "ee",
            "region": " ee001 ",
        },
    )
    assert added.status_code == 303
    [kept] = desk.team.store.constituents()
    assert (kept.country, kept.region) == ("EE", "EE001")
    listed = desk.client.get("/constituents").text
    assert '<th scope="col">Country</th><th scope="col">Region</th>' in listed
    assert "<td>EE</td>\n    <td>EE001</td>" in listed
    edit = desk.client.get("/constituents/edit", params={"name": "Port of Tallinn"}).text
    assert 'name="region" maxlength="6" size="7" spellcheck="false" value="EE001"' in edit
    refused = desk.client.post(
        "/constituents",
        data={
            "csrf": csrf_of(desk.client, "/constituents"),
            "replacing": "Port of Tallinn",
            "name": "Port of Tallinn",
            "region": "Harju maakond",
        },
    )
    assert refused.status_code == 400
    assert 'href="#c-region"' in refused.text and 'value="Harju maakond"' in refused.text
    assert 'aria-describedby="c-region-hint form-error" aria-invalid="true"' in refused.text
    assert [c.region for c in desk.team.store.constituents()] == ["EE001"]
