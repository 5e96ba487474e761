"""Figures for parliament on the web, on SQLite and PostgreSQL: a lead checks a table on
``/statistics`` and releases it; another lead publishes it; anyone reads it on ``/figures`` and
downloads it; a pending release is nowhere public; an analyst has no statistics page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.test_console_http import Desk, csrf_of, desk, log_in

__all__ = ["desk"]

SPEC = 'name = "by-priority"\ntitle = "By priority"\nrows = "priority"\nfrom = "2026-11"\n'


def test_a_lead_checks_and_releases_a_table_another_publishes_it_anyone_reads_it(
    desk: Desk,
) -> None:
    desk.user("lea", "lead")
    desk.user("adam", "admin")
    lea: TestClient = desk.client
    assert log_in(lea, "lea").status_code == 303
    csrf = csrf_of(lea, "/statistics")
    checked = lea.post("/statistics/check", data={"csrf": csrf, "spec": SPEC})
    assert checked.status_code == 200
    assert "[c]" in checked.text and "fewer than 10" in checked.text  # two incidents in November
    released = lea.post("/statistics/release", data={"csrf": csrf, "spec": SPEC})
    assert released.status_code == 303
    (kept,) = desk.team.store.oversight.releases()
    public = TestClient(lea.app)
    assert public.get(f"/figures/{kept['id']}.csv").status_code == 404  # pending
    assert "By priority" not in public.get("/figures").text
    adam = TestClient(lea.app, follow_redirects=False)
    assert log_in(adam, "adam").status_code == 303
    own = lea.post(f"/statistics/{kept['id']}/approve", data={"csrf": csrf})
    assert own.status_code == 403  # four eyes
    done = adam.post(
        f"/statistics/{kept['id']}/approve", data={"csrf": csrf_of(adam, "/statistics")}
    )
    assert done.status_code == 303
    listed = public.get("/figures")
    assert listed.status_code == 200 and "By priority" in listed.text
    csv = public.get(f"/figures/{kept['id']}.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["content-disposition"].startswith("attachment")
    assert csv.text.startswith("priority,incidents\n") and "P1,[c]" in csv.text
    assert public.get(f"/figures/{kept['id']}.json").json()["state"] == "published"
    assert public.get(f"/figures/{kept['id']}.html").status_code == 404


def test_a_wrong_declaration_is_said_and_an_analyst_has_no_statistics_page(desk: Desk) -> None:
    desk.user("lea", "lead")
    desk.user("ana")
    lead = desk.client
    assert log_in(lead, "lea").status_code == 303
    bad = lead.post(
        "/statistics/check",
        data={"csrf": csrf_of(lead, "/statistics"), "spec": 'name = "x"\nrows = "colour"\n'},
    )
    assert bad.status_code == 400 and "rows" in bad.text
    analyst = TestClient(lead.app, follow_redirects=False)
    assert log_in(analyst, "ana").status_code == 303
    assert analyst.get("/statistics").status_code == 403
    assert 'href="/statistics"' not in analyst.get("/console").text


def test_a_dp_table_past_the_years_budget_is_refused_on_the_page(desk: Desk) -> None:
    """A differentially private table asking epsilon 5 of a year whose budget is 1.0 (the
    stats_budget default): the check answers with the statistics page and the refusal, naming the
    budget, not with an error page."""
    desk.user("lea", "lead")
    lea = desk.client
    assert log_in(lea, "lea").status_code == 303
    noisy = 'name = "noisy"\nrows = "priority"\nfrom = "2026-11"\nmethod = "dp"\nepsilon = 5\n'
    refused = lea.post(
        "/statistics/check", data={"csrf": csrf_of(lea, "/statistics"), "spec": noisy}
    )
    assert refused.status_code == 409
    assert 'id="form-error"' in refused.text and "refused: noisy" in refused.text
    assert "the privacy budget of 2026 is 1; 0 is spent" in refused.text
    assert "asks epsilon 5" in refused.text
    assert "name = &#34;noisy&#34;" in refused.text  # the declaration stays in the form
    assert desk.team.store.oversight.releases() == []  # nothing kept


def test_a_lead_checks_a_template_then_releases_its_tables_for_a_second_lead(desk: Desk) -> None:
    """The form's year is the desk's clock's (2026); the Art. 14 template's two tables are
    checked with nothing kept, then released together as two pending releases."""
    desk.user("lea", "lead")
    lea = desk.client
    assert log_in(lea, "lea").status_code == 303
    page = lea.get("/statistics").text
    assert 'id="template-year"' in page and 'value="2026"' in page
    csrf = csrf_of(lea, "/statistics")
    form = {"csrf": csrf, "template": "art14", "year": "2026"}
    checked = lea.post("/statistics/template/check", data=form)
    assert checked.status_code == 200
    assert "offences-2026" in checked.text and "offences-by-sector-2026" in checked.text
    assert "2 tables checked, nothing kept" in checked.text
    assert '<option value="art14" selected>' in checked.text  # the choice stays in the form
    assert desk.team.store.oversight.releases() == []
    released = lea.post("/statistics/template/release", data=form)
    assert released.status_code == 303 and released.headers["location"] == "/statistics"
    kept = desk.team.store.oversight.releases()
    assert sorted(r["name"] for r in kept) == ["offences-2026", "offences-by-sector-2026"]
    assert {r["state"] for r in kept} == {"pending"}
    listed = lea.get("/statistics").text
    assert "Releases (2)" in listed and listed.count("<td>pending</td>") == 2


def test_an_auditor_may_not_release_a_template_and_an_unknown_one_is_said(desk: Desk) -> None:
    desk.user("audrey", "auditor")
    desk.user("lea", "lead")
    auditor = desk.client
    assert log_in(auditor, "audrey").status_code == 303
    page = auditor.get("/statistics")
    assert page.status_code == 200 and "/statistics/template" not in page.text  # no form
    refused = auditor.post(
        "/statistics/template/release",
        data={"csrf": csrf_of(auditor, "/statistics"), "template": "art14", "year": "2026"},
    )
    assert refused.status_code == 403
    assert desk.team.store.oversight.releases() == []
    lead = TestClient(auditor.app, follow_redirects=False)
    assert log_in(lead, "lea").status_code == 303
    unknown = lead.post(
        "/statistics/template/check",
        data={"csrf": csrf_of(lead, "/statistics"), "template": "art99", "year": "2026"},
    )
    assert unknown.status_code == 400 and 'id="form-error"' in unknown.text
    assert "template: &#39;art99&#39;: one of annual, art14, art28" in unknown.text
    assert desk.team.store.oversight.releases() == []
