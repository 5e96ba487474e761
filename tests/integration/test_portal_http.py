"""The report portal over HTTP, in-process: the guided steps to a reference and code, the
status page, and what the portal refuses (forged or missing CSRF, the honeypot, a report sent too
fast, too many reports or look-ups, over-long fields), its languages, its headers, and the
incident page's view of a report on the desk."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.desk import Team, make_team
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store, open_store
from tocsin.web.app import create_app

PASSWORD = "correct horse battery staple"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
REFERENCE = re.compile(r'id="reference">([^<]+)<')
CODE = re.compile(r'id="status-code">([^<]+)<')
TOO_FAST = "This was sent very quickly. Please check your answers, then send again."
TOO_LONG = "This answer is too long. Please shorten it."

Fields = dict[str, list[str]]

WHAT: Fields = {"path": ["phishing"]}
DETAILS: Fields = {
    "site": ["https://bank.example/login"],
    "given": ["password", "card"],
    "when": ["2026-11-20"],
    "narrative": ["A text asked me to log in."],
}
WHO: Fields = {
    "reporter": ["self"],
    "contact": ["yes"],
    "name": ["Ana Lima"],
    "email": ["ana@example.org"],
    "phone": ["+351 21 000 0000"],
}
ALL: Fields = WHAT | DETAILS | WHO


@dataclass
class Site:
    team: Team
    store: Store
    client: TestClient
    new_client: Callable[[], TestClient]

    def counts(self) -> tuple[int, int]:
        """How many reports and incidents the store holds."""
        return self.store.reports.count(), len(self.store.cases.incidents())

    def log_in(self, name: str) -> TestClient:
        """A client of its own, logged in as the team's ``name``."""
        Accounts(self.store, now=self.team.clock).reset_password(Principal.system(), name, PASSWORD)
        client = self.new_client()
        page = client.get("/login")
        form = {"username": name, "password": PASSWORD, "csrf": csrf_of(page.text)}
        answer = client.post("/login", data=form | {"next": "/console"})
        assert answer.status_code == 303, answer.text[:300]
        return client


@pytest.fixture
def make_site(sqlite_url: str, tmp_path: Path) -> Iterator[Callable[..., Site]]:
    """Builds the app on a fresh SQLite store and the team's fake clock, with settings changed
    as asked (by default reports may be sent at once and without limit)."""
    with ExitStack() as stack:

        def build(**changes: Any) -> Site:
            write_keys(tmp_path / "data")
            store = open_store(sqlite_url, audit_key=AUDIT_KEY)
            stack.callback(store.close)
            team = make_team(store)
            wanted = {"report_min_seconds": 0, "report_limit": 1000} | changes
            settings = Settings(database_url=sqlite_url, workers=0).but(
                data_dir=str(tmp_path / "data"), **wanted
            )
            app = create_app(settings, clock=team.clock, watch_clocks=False)

            def new_client() -> TestClient:
                return stack.enter_context(TestClient(app, follow_redirects=False))

            return Site(team, store, new_client(), new_client)

        yield build


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    return make_site()


def csrf_of(text: str) -> str:
    found = CSRF.search(text)
    assert found, "no CSRF field on the page"
    return found.group(1)


def hidden(text: str) -> Fields:
    """The hidden fields of a page's form, as a browser would post them back."""
    fields: Fields = {}
    for name, value in HIDDEN.findall(text):
        fields.setdefault(name, []).append(html.unescape(value))
    return fields


def post(client: TestClient, page: str, answers: Fields, go: str = "next", **kw: Any) -> Response:
    """The form on ``page`` sent with ``answers`` and the button ``go``."""
    return client.post("/report", data=hidden(page) | answers | {"go": [go]}, **kw)


def step_of(text: str) -> str:
    return hidden(text)["step"][0]


def send_all(client: TestClient, answers: Fields = ALL, **kw: Any) -> Response:
    """A whole report in one post: the first page's token and stamp, every answer, send."""
    first = client.get("/report")
    fields = hidden(first.text) | {"step": ["evidence"]} | answers
    return client.post("/report", data=fields | {"go": ["send"]}, **kw)


def receipt_of(done: Response) -> tuple[str, str]:
    reference, code = REFERENCE.search(done.text), CODE.search(done.text)
    assert reference and code, done.text[:500]
    return reference.group(1), code.group(1)


def look_up(client: TestClient, reference: str, code: str) -> Response:
    form = client.get("/report/status")
    data = {"csrf": csrf_of(form.text), "lang": "en", "reference": reference, "code": code}
    return client.post("/report/status", data=data)


# -- the guided report ---------------------------------------------------------------------------


def test_a_report_goes_through_the_four_steps_to_a_reference_and_code(site: Site) -> None:
    """what → details → who → evidence → sent: the done page holds the reference and code, and
    the status page shows the stage, received and then being worked on."""
    client = site.client
    page = client.get("/report")
    assert page.status_code == 200 and step_of(page.text) == "what"
    page = post(client, page.text, WHAT)
    assert page.status_code == 200 and step_of(page.text) == "details"
    page = post(client, page.text, DETAILS)
    assert page.status_code == 200 and step_of(page.text) == "who"
    page = post(client, page.text, WHO)
    assert page.status_code == 200 and step_of(page.text) == "evidence"
    assert "ana@example.org" in page.text  # the review shows the reporter their own answers
    files = {"files": ("shot.png", b"\x89PNG\r\n\x1a\n" + bytes(40), "image/png")}
    done = post(client, page.text, {}, "send", files=files)
    assert done.status_code == 200, done.text[:500]
    reference, code = receipt_of(done)
    assert re.fullmatch(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert re.fullmatch(r"[0-9A-Z]{5}(-[0-9A-Z]{5}){3}", code)
    assert site.counts() == (1, 1)
    report = site.store.reports.by_reference(reference)
    assert report is not None
    assert report[0].answers == {
        "site": "https://bank.example/login",
        "given": ["password", "card"],
        "when": "2026-11-20",
        "narrative": "A text asked me to log in.",
    }
    assert report[0].files == 1
    status = look_up(client, reference, code)
    assert status.status_code == 200
    assert '<span id="stage">Received</span>' in status.text
    site.team.desk.transition(site.team.people["analyst"], report[0].incident_id, "in_progress")
    status = look_up(client, reference.lower(), code.lower())
    assert '<span id="stage">Being worked on</span>' in status.text


def test_a_step_with_a_wrong_answer_comes_back_with_its_errors(site: Site) -> None:
    """A missing path comes back as the first step with 400, an error summary linking to the
    field, and the field marked invalid and described by its message."""
    page = site.client.get("/report")
    answer = post(site.client, page.text, {})
    assert answer.status_code == 400 and step_of(answer.text) == "what"
    assert 'class="error-summary" role="alert"' in answer.text
    assert 'href="#f-path"' in answer.text
    assert 'id="e-path"' in answer.text


def test_every_answer_is_checked_again_on_the_last_step(site: Site) -> None:
    """A bad answer of an earlier step, posted with the last one, sends the reporter back to
    that step with 400, and nothing is stored."""
    answer = send_all(site.client, ALL | {"email": ["not an address"]})
    assert answer.status_code == 400 and step_of(answer.text) == "who"
    assert 'id="f-email"' in answer.text and 'aria-invalid="true"' in answer.text
    assert site.counts() == (0, 0)


# -- what the portal refuses ---------------------------------------------------------------------


def test_a_post_without_the_sessions_csrf_token_is_refused(site: Site) -> None:
    """A whole report without a token, or with another session's token, is 403 and stores
    nothing."""
    first = site.client.get("/report")
    fields = hidden(first.text) | {"step": ["evidence"]} | ALL | {"go": ["send"]}
    without = {k: v for k, v in fields.items() if k != "csrf"}
    assert site.client.post("/report", data=without).status_code == 403
    other = site.new_client()
    other.get("/report")
    forged = other.post("/report", data=fields)  # a token of the first client's session
    assert forged.status_code == 403
    assert "Nothing was sent." in forged.text
    assert site.counts() == (0, 0)


@pytest.mark.parametrize("step", ["what", "details", "who", "evidence"])
def test_every_step_refuses_a_missing_csrf(site: Site, step: str) -> None:
    """Each step, posted with good answers but no token, is 403."""
    first = site.client.get("/report")
    fields = {k: v for k, v in hidden(first.text).items() if k != "csrf"}
    answer = site.client.post("/report", data=fields | ALL | {"step": [step], "go": ["next"]})
    assert answer.status_code == 403


def test_a_status_lookup_without_csrf_is_refused(site: Site) -> None:
    """The status form without its token is 403."""
    site.client.get("/report/status")
    answer = site.client.post("/report/status", data={"reference": "R-0000-0000", "code": "x"})
    assert answer.status_code == 403


def test_a_filled_honeypot_is_refused(site: Site) -> None:
    """A report with the hidden 'leave this empty' field filled is 400 on the evidence step,
    and nothing is stored."""
    answer = send_all(site.client, ALL | {"website": ["https://spam.example"]})
    assert answer.status_code == 400 and step_of(answer.text) == "evidence"
    assert 'href="#f-website"' in answer.text
    assert site.counts() == (0, 0)


def test_a_report_sent_too_fast_is_refused_until_the_time_has_passed(
    make_site: Callable[..., Site],
) -> None:
    """With report_min_seconds=30, a report sent 5 s after its first page is 400 with the
    too-fast message and not stored; the same form sent at 31 s is stored."""
    site = make_site(report_min_seconds=30)
    first = site.client.get("/report")
    fields = hidden(first.text) | {"step": ["evidence"]} | ALL | {"go": ["send"]}
    site.team.clock.advance(5)
    early = site.client.post("/report", data=fields)
    assert early.status_code == 400
    assert TOO_FAST in early.text
    assert site.counts() == (0, 0)
    site.team.clock.advance(26)
    later = site.client.post("/report", data=fields)
    assert later.status_code == 200, later.text[:300]
    assert site.counts() == (1, 1)


def test_a_forged_start_stamp_is_refused(make_site: Callable[..., Site]) -> None:
    """A 'started' time changed by the client (to look older) is refused and stores nothing."""
    site = make_site(report_min_seconds=30)
    first = site.client.get("/report")
    fields = hidden(first.text) | {"step": ["evidence"]} | ALL | {"go": ["send"]}
    stamp = fields["started"][0]
    value, _, mac = stamp.rpartition(".")
    when, _, nonce = value.partition("-")
    fields["started"] = [f"{int(when) - 3600}-{nonce}.{mac}"]
    assert site.client.post("/report", data=fields).status_code == 403
    assert site.counts() == (0, 0)


def test_one_start_stamp_sends_one_report(make_site: Callable[..., Site]) -> None:
    """The form of a report once sent (its signed start stamp, after the minimum time) is
    refused when sent again, whole or with other answers, and stores nothing more; a new first
    page gives a new stamp that sends the next report."""
    site = make_site(report_min_seconds=15)
    first = site.client.get("/report")
    fields = hidden(first.text) | {"step": ["evidence"]} | ALL | {"go": ["send"]}
    site.team.clock.advance(15)
    assert site.client.post("/report", data=fields).status_code == 200
    again = site.client.post("/report", data=fields)
    assert again.status_code == 403
    other = fields | {"narrative": ["Another text asked me to log in."]}
    assert site.client.post("/report", data=other).status_code == 403
    assert site.counts() == (1, 1)
    second = site.client.get("/report")
    site.team.clock.advance(15)
    fresh = hidden(second.text) | {"step": ["evidence"]} | ALL | {"go": ["send"]}
    assert site.client.post("/report", data=fresh).status_code == 200
    assert site.counts() == (2, 2)


def test_a_start_stamp_older_than_a_session_is_refused(make_site: Callable[..., Site]) -> None:
    """A stamp is good for a session's lifetime (12 hours), after which its form is refused
    as out of date, as a used stamp is forgotten by then."""
    site = make_site()
    first = site.client.get("/report")
    fields = hidden(first.text) | {"step": ["evidence"]} | ALL | {"go": ["send"]}
    site.team.clock.advance(12 * 3600 + 1)
    assert site.client.post("/report", data=fields).status_code == 403
    assert site.counts() == (0, 0)


def test_the_third_report_of_an_address_over_a_limit_of_two_is_429(
    make_site: Callable[..., Site],
) -> None:
    """With report_limit=2, the third report from the same client is 429 with Retry-After,
    and only two are stored."""
    site = make_site(report_limit=2)
    assert [send_all(site.client).status_code for _ in range(2)] == [200, 200]
    third = send_all(site.client)
    assert third.status_code == 429
    assert 0 < int(third.headers["retry-after"]) <= 3600
    assert site.counts() == (2, 2)


def test_a_wrong_code_and_an_unknown_reference_look_the_same(site: Site) -> None:
    """An unknown reference and a wrong code give the same status and the same page, apart
    from the reference echoed in the form."""
    reference, code = receipt_of(send_all(site.client))
    unknown = look_up(site.client, "R-0000-0000", code)
    wrong = look_up(site.client, reference, "00000-00000-00000-00000")
    assert unknown.status_code == wrong.status_code == 404
    assert unknown.text.replace("R-0000-0000", "REF") == wrong.text.replace(reference, "REF")
    assert "No report matches this reference and code." in wrong.text


def test_the_status_form_describes_the_code_as_it_is_handed_out(site: Site) -> None:
    """The form's hint for the private code counts its groups right: codes are four groups
    of five letters and digits."""
    code = receipt_of(send_all(site.client))[1]
    assert [len(group) for group in code.split("-")] == [5, 5, 5, 5]
    form = site.client.get("/report/status").text
    assert "Five groups of five letters and digits." not in form, (
        "templates/portal/status_form.html tells reporters the code is five groups of five; "
        "the codes handed out are four groups of five"
    )


def test_the_21st_status_lookup_is_429(site: Site) -> None:
    """Twenty look-ups from one client are answered; the 21st is 429 with Retry-After."""
    client = site.client
    form = client.get("/report/status")
    data = {"csrf": csrf_of(form.text), "reference": "R-0000-0000", "code": "0" * 20}
    statuses = [client.post("/report/status", data=data).status_code for _ in range(21)]
    assert statuses == [404] * 20 + [429]
    last = client.post("/report/status", data=data)
    assert last.status_code == 429 and int(last.headers["retry-after"]) > 0


def test_an_over_long_narrative_is_400_too_long(site: Site) -> None:
    """A 5001-character account comes back as the details step, 400, 'too long', and is not
    stored."""
    answer = send_all(site.client, ALL | {"narrative": ["x" * 5001]})
    assert answer.status_code == 400 and step_of(answer.text) == "details"
    assert TOO_LONG in answer.text
    assert site.counts() == (0, 0)


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
def test_an_80_kb_field_is_refused_not_a_crash(site: Site, multipart: bool) -> None:
    """An 80 kB field (an answer, or the token itself), form-encoded or in a multipart form, is
    refused with 400, not 500, and nothing is stored."""
    files = {"files": ("note.txt", b"hello", "text/plain")} if multipart else None
    for field in ("narrative", "name", "csrf"):
        answer = send_all(site.client, ALL | {field: ["y" * 80_000]}, files=files)
        assert answer.status_code == 400, (field, answer.status_code)
    assert site.counts() == (0, 0)


# -- languages -----------------------------------------------------------------------------------


def html_tag(text: str) -> str:
    found = re.search(r"<html [^>]*>", text)
    assert found
    return found.group(0)


def test_lang_picks_the_page_language_and_direction(site: Site) -> None:
    """?lang=ar gives an Arabic page written right to left; Accept-Language fr-CA gives French;
    an unsupported language gives English."""
    arabic = site.client.get("/report?lang=ar")
    assert html_tag(arabic.text) == '<html lang="ar" dir="rtl">'
    assert arabic.headers["content-language"] == "ar"
    french = site.client.get("/report", headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert html_tag(french.text) == '<html lang="fr" dir="ltr">'
    german = site.client.get("/report", headers={"Accept-Language": "de"})
    assert html_tag(german.text) == '<html lang="en" dir="ltr">'


def test_back_keeps_the_answers(site: Site) -> None:
    """Back from 'who' shows the details again with their answers in place, and the who
    answers ride along; forward again shows them filled in."""
    client = site.client
    page = post(client, post(client, client.get("/report").text, WHAT).text, DETAILS)
    back = post(client, page.text, WHO, "back")
    assert back.status_code == 200 and step_of(back.text) == "details"
    assert 'id="f-site" name="site" type="text" value="https://bank.example/login"' in back.text
    assert re.search(r'name="given" value="password" id="f-given" checked', back.text)
    assert re.search(r'name="given" value="card" id="f-given-card" checked', back.text)
    assert hidden(back.text)["email"] == ["ana@example.org"]
    again = post(client, back.text, {})
    assert step_of(again.text) == "who"
    assert 'id="f-email" name="email" type="email" value="ana@example.org"' in again.text
    assert re.search(r'name="contact" value="yes" id="f-contact" checked', again.text)


def test_a_language_switch_keeps_the_answers_and_the_step(site: Site) -> None:
    """go=lang:es on the details step renders the details step again, in Spanish, with every
    answer kept."""
    client = site.client
    details = post(client, client.get("/report").text, WHAT)
    switched = post(client, details.text, DETAILS, "lang:es")
    assert switched.status_code == 200 and step_of(switched.text) == "details"
    assert html_tag(switched.text) == '<html lang="es" dir="ltr">'
    assert hidden(switched.text)["lang"] == ["es"]
    assert 'value="https://bank.example/login"' in switched.text
    assert re.search(r'name="given" value="card" id="f-given-card" checked', switched.text)
    assert hidden(switched.text)["path"] == ["phishing"]


# -- headers -------------------------------------------------------------------------------------


def test_portal_pages_are_not_cached_and_allow_no_inline_script(site: Site) -> None:
    """Every portal page, shown or posted, says cache-control: no-store and carries a CSP
    without 'unsafe-inline'."""
    reference, code = receipt_of(send_all(site.client))
    responses = [
        site.client.get("/report"),
        site.client.get("/report/status"),
        send_all(site.client),
        look_up(site.client, reference, code),
        send_all(site.client, ALL | {"website": ["x"]}),
    ]
    for response in responses:
        assert response.headers["cache-control"] == "no-store"
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy


# -- the report on the desk ----------------------------------------------------------------------


def test_the_incident_page_shows_the_report_and_the_contact_link_only_to_its_readers(
    site: Site,
) -> None:
    """An unassigned analyst sees the report section but no link to the reporter, and is 403
    on the reporter page; a lead and, once assigned, the analyst get the link, and the
    reporter page shows the contact."""
    send_all(site.client)
    incident = site.store.cases.incidents()[0]
    page = f"/incidents/{incident.id}"
    link = f'href="/incidents/{incident.id}/reporter"'
    other = site.log_in("analyst2")
    seen = other.get(page)
    assert seen.status_code == 200
    assert 'id="public-report"' in seen.text and link not in seen.text
    assert other.get(f"{page}/reporter").status_code == 403
    lead = site.log_in("lead")
    assert link in lead.get(page).text
    team = site.team
    team.desk.assign(team.people["lead"], incident.id, team.people["analyst"].user_id)
    analyst = site.log_in("analyst")
    assert link in analyst.get(page).text
    contact = analyst.get(f"{page}/reporter")
    assert contact.status_code == 200
    assert 'id="reporter-contact"' in contact.text and "ana@example.org" in contact.text
    assert contact.headers["cache-control"] == "no-store"
    assert other.get(f"{page}/reporter").status_code == 403


def test_a_reporter_whose_identity_expired_is_shown_as_removed(site: Site, tmp_path: Path) -> None:
    """Once the retention of reporters' identities ran out after the case closed, the reporter
    page says the details were removed, and shows none."""
    from tocsin.model.incident import Status
    from tocsin.model.retention import DAY
    from tocsin.services.retention import Retention

    send_all(site.client)
    incident = site.store.cases.incidents()[0]
    with site.store.transaction() as tx:
        site.store.cases.update_incident(
            tx, incident.id, status=Status.CLOSED, closed_at=site.team.clock()
        )
    site.team.clock.advance(181 * DAY)
    settings = Settings(database_url=site.store.url, data_dir=str(tmp_path))
    Retention(settings, site.store, site.team.clock).run()
    contact = site.log_in("lead").get(f"/incidents/{incident.id}/reporter")
    assert contact.status_code == 200
    assert "were removed when their retention ran out" in contact.text
    assert "ana@example.org" not in contact.text


def test_the_arabic_review_joins_lists_with_the_arabic_comma(site: Site) -> None:
    """The review page lists several answers with "، " in Arabic and ", " in English."""
    for lang, comma in (("ar", "، "), ("en", ", ")):
        client = site.new_client()
        page = client.get("/report", headers={"Accept-Language": lang})
        for answers in (WHAT, DETAILS, WHO):
            page = post(client, page.text, answers)
        assert step_of(page.text) == "evidence"
        assert f"ana@example.org{comma}+351" in page.text
        other = "، " if comma == ", " else ", "
        assert f"Ana Lima{other}" not in page.text


def test_the_reporter_adds_to_their_report_from_the_status_page(site: Site) -> None:
    """The status page has a form to add a text and files; sent, the page thanks them and the
    desk sees it; the same form sent again (a reload) adds nothing and says so."""
    client = site.client
    done = send_all(client)
    reference, code = receipt_of(done)
    status = look_up(client, reference, code)
    assert 'action="/report/status/add"' in status.text
    fields = hidden(status.text) | {"text": ["He called again from another number."]}
    files = {"files": ("sms.png", b"\x89PNG\r\n\x1a\n" + bytes(40), "image/png")}
    added = client.post("/report/status/add", data=fields, files=files)
    assert added.status_code == 200, added.text[:500]
    assert "Thank you: we added this to your report." in added.text
    report = site.store.reports.by_reference(reference)
    assert report is not None
    incident_id = report[0].incident_id
    lines = [x["text"] for x in site.store.cases.timeline(incident_id)]
    assert any("He called again from another number." in line for line in lines)
    assert len(site.store.cases.evidence(incident_id)) == 1
    again = client.post("/report/status/add", data=fields)
    assert again.status_code == 400 and "This was already added to your report." in again.text
    assert len(site.store.cases.evidence(incident_id)) == 1
    empty = client.post("/report/status/add", data=hidden(again.text))
    assert empty.status_code == 400 and "Write what you want to add" in empty.text
    wrong = hidden(status.text) | {"code": ["AAAAA-AAAAA-AAAAA-AAAAA"], "text": ["x"]}
    assert client.post("/report/status/add", data=wrong).status_code == 404
