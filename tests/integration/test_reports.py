"""The reports service on SQLite and PostgreSQL: a report becomes one incident with its report,
reporter and evidence in one transaction; refused files store nothing; the reporter follows it
with reference and code; the contact details reach only the assignee and leads, audited, and
never an event, an export, a share or a statistic."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.audit_keys import AUDIT_KEY
from tests.desk import FakeClock, Team, make_team
from tocsin.cases.audit import verify_chain
from tocsin.cases.evidence_files import EvidenceFiles
from tocsin.cases.incidents import Incidents
from tocsin.cases.reports import (
    MAX_FILE_BYTES,
    AlreadySent,
    FileRefused,
    Receipt,
    Reports,
    StartStamp,
    Upload,
)
from tocsin.cli import app as cli_app
from tocsin.errors import Forbidden, InvalidValue, NotFound, TooLong, TooManyAttempts
from tocsin.model.access import incident_scope
from tocsin.model.constituent import Constituent
from tocsin.model.incident import Incident, Status
from tocsin.model.people import Principal
from tocsin.model.report import PATHS, Stage, clean_answers, clean_who, new_reference
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.store.sql import schema
from tocsin.web.app import create_app

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
ZIP = b"PK\x03\x04" + b"\x14\x00" * 20
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Monotonic:
    """A monotonic clock that tests move by hand (the rate limiters read it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Portal:
    team: Team
    reports: Reports
    files: EvidenceFiles
    evidence_dir: Path
    monotonic: Monotonic

    def send(
        self,
        key: str,
        details: dict[str, list[str]],
        who: dict[str, list[str]],
        uploads: tuple[tuple[str, bytes], ...] = (),
    ) -> Receipt:
        """A report as the portal sends it, from form fields checked by the model."""
        path = PATHS[key]
        answers, errors = clean_answers(path, details)
        assert errors == {}
        cleaned, errors = clean_who(who)
        assert errors == {} and cleaned is not None
        streams = [Upload(name, io.BytesIO(data)) for name, data in uploads]
        return self.reports.submit(path, answers, cleaned, "en", streams)

    def files_on_disk(self) -> list[Path]:
        if not self.evidence_dir.exists():
            return []
        return [p for p in self.evidence_dir.rglob("*") if p.is_file()]


@pytest.fixture
def portal(store: Store, tmp_path: Path) -> Portal:
    """The service over the team of tests.desk, its evidence under tmp_path, its own clock."""
    team = make_team(store)
    evidence_dir = tmp_path / "ev"
    files = EvidenceFiles(evidence_dir)
    clock = Monotonic()
    reports = Reports(store, team.desk, files, lambda: team.org_id, monotonic=clock)
    return Portal(team, reports, files, evidence_dir, clock)


SELF = {
    "reporter": ["self"],
    "contact": ["yes"],
    "name": ["Ana Lima"],
    "email": ["ana@example.org"],
}
ANONYMOUS = {"reporter": ["self"], "contact": ["anonymous"]}


def rows(store: Store, table: sa.Table) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        return [dict(r._mapping) for r in conn.execute(sa.select(table))]


def count(store: Store, table: sa.Table) -> int:
    return len(rows(store, table))


def incident_of(store: Store, receipt: Receipt) -> Incident:
    found = store.cases.incident(receipt.incident_id)
    assert found is not None
    return found


# -- receiving a report --------------------------------------------------------------------------


def test_a_report_becomes_one_incident_of_the_right_kind(portal: Portal) -> None:
    """Phishing with a password given: one incident, phishing P2, TLP AMBER+STRICT, the team's,
    from source report:<ref>, naming the report, with its SLA clock running."""
    receipt = portal.send("phishing", {"given": ["password"], "site": ["https://b.example"]}, SELF)
    store = portal.team.store
    incidents = store.cases.incidents()
    assert [i.id for i in incidents] == [receipt.incident_id]
    incident = incidents[0]
    assert (incident.type, incident.priority, incident.tlp) == ("phishing", "P2", "AMBER+STRICT")
    assert incident.org_id == portal.team.org_id
    assert incident.source == f"report:{receipt.reference}"
    assert incident.status is Status.NEW
    assert incident.due is not None and incident.due > receipt.created
    row = rows(store, schema.incidents)[0]
    assert receipt.reference in row["details"]


def test_an_organisation_named_as_in_the_registry_is_that_constituent(portal: Portal) -> None:
    """An organisation's report naming itself as the registry does (in any case) opens an
    incident of that constituent, with the sector it gave; an unknown name opens one of none."""
    store = portal.team.store
    store.replace_constituents(
        [Constituent("Riverside Clinic", "health", "NL", "abuse@riverside.example", ())]
    )
    org = {"reporter": ["organisation"], "sector": ["health"], "contact": ["anonymous"]}
    known = portal.send(
        "ransom", {"scope": ["organisation"]}, org | {"org_name": ["riverside CLINIC"]}
    )
    unknown = portal.send("ransom", {"scope": ["organisation"]}, org | {"org_name": ["Hillside"]})
    mine = incident_of(store, known)
    assert (mine.constituent, mine.sector) == ("Riverside Clinic", "health")
    assert incident_of(store, unknown).constituent is None


def test_what_the_victim_wrote_finds_the_incident_in_the_search(portal: Portal) -> None:
    """The words of a victim's account and answers find the incident (full text), saying
    where they were found; a word nobody wrote finds nothing."""
    said = "A caller from the fraud department asked for my card number"
    receipt = portal.send("phishing", {"site": ["https://b.example"], "narrative": [said]}, SELF)
    store = portal.team.store
    scope = incident_scope(portal.team.people["lead"])
    found = store.cases.incidents_saying(scope, "fraud departm", 20)
    assert [(i.id, why) for i, why in found] == [(receipt.incident_id, "account")]
    assert store.cases.incidents_saying(scope, "narrative", 20) == []


def test_the_report_and_its_reporter_are_stored_apart(portal: Portal) -> None:
    """The report row holds the answers and the reporter's kind; the contact lives in the
    reporters table, one row, and the code only as a hash."""
    receipt = portal.send("ransom", {"scope": ["organisation"]}, SELF)
    store = portal.team.store
    report = store.reports.for_incident(receipt.incident_id)
    assert report is not None
    assert (report.reference, report.path, report.answers) == (
        receipt.reference,
        "ransom",
        {"scope": "organisation"},
    )
    assert report.anonymous is False and report.reporter_kind.value == "self"
    assert store.reports.reporter(report.id) == {"name": "Ana Lima", "email": "ana@example.org"}
    assert count(store, schema.reporters) == 1
    stored = rows(store, schema.reports)[0]
    assert receipt.code not in str(stored) and len(stored["code_hash"]) == 64
    assert incident_of(store, receipt).priority == "P1"


def test_an_anonymous_report_has_no_reporter_row(portal: Portal) -> None:
    """Nothing is kept of an anonymous reporter: no reporters row, an empty contact."""
    receipt = portal.send("device", {"device": ["phone"]}, ANONYMOUS)
    store = portal.team.store
    report = store.reports.for_incident(receipt.incident_id)
    assert report is not None and report.anonymous
    assert count(store, schema.reporters) == 0
    assert store.reports.reporter(report.id) == {}


def test_each_flag_adds_a_routing_task(portal: Portal) -> None:
    """A child and an older person harmed: two tasks routing the report to trained staff."""
    who = {"reporter": ["other"], "contact": ["anonymous"], "flags": ["child", "older"]}
    receipt = portal.send("harassment", {}, who)
    titles = [t["title"] for t in portal.team.store.cases.tasks(receipt.incident_id)]
    assert titles == [
        "Route to staff trained in victim support: the person harmed is a child",
        "Route to staff trained in victim support: the person harmed is an older person",
    ]
    assert incident_of(portal.team.store, receipt).priority == "P1"


def test_a_report_without_flags_has_no_task(portal: Portal) -> None:
    """No flag, no routing task."""
    receipt = portal.send("harassment", {}, ANONYMOUS)
    assert portal.team.store.cases.tasks(receipt.incident_id) == []


def test_uploaded_files_are_stored_with_their_custody(portal: Portal) -> None:
    """Each file is on disk under its digest, typed by its bytes, with an evidence row and an
    'uploaded' custody entry by the reporter; the receipt lists them."""
    receipt = portal.send(
        "money",
        {"amount": ["300 EUR"]},
        SELF,
        (("screenshot.png", PNG), ("../../etc/receipt.pdf", PDF)),
    )
    store = portal.team.store
    items = store.cases.evidence(receipt.incident_id)
    assert [(i["media_type"], i["size"], i["uploaded_by"]) for i in items] == [
        ("image/png", len(PNG), "reporter"),
        ("application/pdf", len(PDF), "reporter"),
    ]
    assert "/" not in items[1]["filename"]
    for item in items:
        assert portal.files.verify(item["sha256"])
        custody = store.cases.custody(item["id"])
        assert [(c["action"], c["actor"], c["sha256"]) for c in custody] == [
            ("uploaded", "reporter", item["sha256"])
        ]
    assert [(sha, size) for _, sha, size in receipt.files] == [
        (i["sha256"], i["size"]) for i in items
    ]
    assert len(portal.files_on_disk()) == 2
    report = store.reports.for_incident(receipt.incident_id)
    assert report is not None and report.files == 2


@pytest.mark.parametrize(
    ("uploads", "reason"),
    [
        ((("a.png", PNG), ("tool", ELF)), "type"),
        ((("a.png", PNG), ("photos.zip", ZIP)), "type"),
        ((("a.png", PNG), ("empty.txt", b"")), "empty"),
        (tuple((f"{n}.txt", f"note {n}".encode()) for n in range(6)), "too_many"),
        ((("a.png", PNG), ("big.txt", b"a" * (MAX_FILE_BYTES + 1))), "too_large"),
        (
            tuple((f"{n}.txt", bytes([65 + n]) * (MAX_FILE_BYTES - 1)) for n in range(3)),
            "too_large",
        ),
    ],
    ids=["elf", "zip", "empty", "sixth-file", "over-10-MB", "over-20-MB-in-all"],
)
def test_a_refused_file_refuses_the_whole_report(
    portal: Portal, uploads: tuple[tuple[str, bytes], ...], reason: str
) -> None:
    """One file of a refused type, size or count refuses the report: no incident, no report,
    no reporter, no evidence row and no file on disk, not even the good ones."""
    with pytest.raises(FileRefused) as refused:
        portal.send("money", {}, SELF, uploads)
    assert refused.value.reason == reason
    store = portal.team.store
    for table in (
        schema.incidents,
        schema.reports,
        schema.reporters,
        schema.evidence,
        schema.custody,
        schema.audit_log,
    ):
        assert count(store, table) == 0, table.name
    assert portal.files_on_disk() == []


# -- the reporter following it -------------------------------------------------------------------


def test_the_right_code_shows_the_stage_and_its_history(portal: Portal) -> None:
    """With reference and code a new report is 'received'; once the desk works on it, it is
    'working', with both steps in its history and no word of the desk's."""
    receipt = portal.send("account", {"access": ["no"]}, SELF)
    progress = portal.reports.progress(receipt.reference, receipt.code, "192.0.2.1")
    assert progress.stage is Stage.RECEIVED
    assert progress.history == ((receipt.created, Stage.RECEIVED),)
    team = portal.team
    team.clock.advance(600)
    team.desk.transition(team.people["analyst"], receipt.incident_id, "in_progress", "on it")
    progress = portal.reports.progress(receipt.reference, receipt.code, "192.0.2.1")
    assert progress.stage is Stage.WORKING
    assert progress.history == (
        (receipt.created, Stage.RECEIVED),
        (receipt.created + 600, Stage.WORKING),
    )
    assert progress.updated == receipt.created + 600
    assert progress.report.reference == receipt.reference


def test_the_history_lists_every_stage_in_order(portal: Portal) -> None:
    """Read, worked on, waiting, worked on again, dealt with, closed: the history has each
    step at its time, oldest first, and the stage is the last."""
    receipt = portal.send("money", {}, ANONYMOUS)
    team = portal.team
    expected = [(receipt.created, Stage.RECEIVED)]
    moves = [
        ("acknowledged", Stage.READ),
        ("in_progress", Stage.WORKING),
        ("waiting", Stage.WAITING),
        ("in_progress", Stage.WORKING),
        ("resolved", Stage.DONE),
        ("closed", Stage.CLOSED),
    ]
    for status, stage in moves:
        team.clock.advance(60)
        team.desk.transition(team.people["lead"], receipt.incident_id, status, "done")
        expected.append((team.clock.now, stage))
    progress = portal.reports.progress(receipt.reference, receipt.code, "192.0.2.1")
    assert list(progress.history) == expected
    assert (progress.stage, progress.updated) == (Stage.CLOSED, team.clock.now)


def test_a_reference_already_taken_does_not_lose_the_report(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a new report draw a reference already given (40 random bits: about one chance in
    200 over 100 000 reports), it is still received, under a reference of its own."""
    first = portal.send("device", {}, ANONYMOUS)
    drawn = iter([first.reference])
    monkeypatch.setattr(
        "tocsin.cases.reports.new_reference", lambda: next(drawn, None) or new_reference()
    )
    try:
        second = portal.send("device", {}, ANONYMOUS)
    except sa.exc.IntegrityError:
        pytest.fail(
            "Reports.submit raised IntegrityError on a reference collision: the report is "
            "lost (a 500 for the reporter) instead of drawing another reference"
        )
    assert second.reference != first.reference
    assert portal.team.store.reports.count() == 2


def test_the_code_may_be_typed_as_people_copy_it(portal: Portal) -> None:
    """A reference and code in lower case with spaces still open the status."""
    receipt = portal.send("device", {}, ANONYMOUS)
    typed_ref = receipt.reference.lower().replace("-", " ")
    typed_code = receipt.code.lower().replace("-", " ")
    assert portal.reports.progress(typed_ref, typed_code, "192.0.2.1").stage is Stage.RECEIVED


def test_a_wrong_code_and_an_unknown_reference_are_the_same_not_found(portal: Portal) -> None:
    """A wrong code, an unknown reference, an empty code and nonsense all raise NotFound with
    one message, which tells nothing of which part was wrong."""
    receipt = portal.send("device", {}, ANONYMOUS)
    other = "0000000000000000000A" if receipt.code != "00000-00000-00000-0000A" else "1" * 20
    messages = set()
    for reference, code in (
        (receipt.reference, other),
        ("R-0000-0000", receipt.code),
        (receipt.reference, ""),
        ("nonsense", "nonsense"),
    ):
        with pytest.raises(NotFound) as missing:
            portal.reports.progress(reference, code, "192.0.2.1")
        messages.add(str(missing.value))
    assert messages == {"no report matches this reference and code"}


def test_the_21st_lookup_from_an_address_is_refused(portal: Portal) -> None:
    """Twenty look-ups (right or wrong) within ten minutes from one address pass; the 21st is
    TooManyAttempts, another address is not held back, and ten minutes later it may try again."""
    receipt = portal.send("device", {}, ANONYMOUS)
    for n in range(20):
        code = receipt.code if n % 2 else "WRONG"
        with contextlib.suppress(NotFound):
            portal.reports.progress(receipt.reference, code, "192.0.2.1")
        portal.monotonic.advance(1)
    with pytest.raises(TooManyAttempts) as refused:
        portal.reports.progress(receipt.reference, receipt.code, "192.0.2.1")
    assert 0 < refused.value.retry_after <= 600
    assert portal.reports.progress(receipt.reference, receipt.code, "192.0.2.2")
    portal.monotonic.advance(600)
    assert portal.reports.progress(receipt.reference, receipt.code, "192.0.2.1")


def test_submissions_per_address_are_limited(store: Store, tmp_path: Path) -> None:
    """With a limit of two an hour, an address's third report is TooManyAttempts; another
    address may still send, and an hour later the first may again."""
    team = make_team(store)
    clock = Monotonic()
    reports = Reports(
        store,
        team.desk,
        EvidenceFiles(tmp_path / "ev"),
        lambda: team.org_id,
        submit_limit=2,
        monotonic=clock,
    )
    reports.allow_submission("192.0.2.1")
    reports.allow_submission("192.0.2.1")
    with pytest.raises(TooManyAttempts):
        reports.allow_submission("192.0.2.1")
    reports.allow_submission("192.0.2.2")
    clock.advance(3600)
    reports.allow_submission("192.0.2.1")


# -- the desk reading the reporter's contact -----------------------------------------------------


def test_the_contact_reaches_the_assignee_and_leads_only_each_reading_audited(
    portal: Portal,
) -> None:
    """The assignee and a lead read the contact, each reading appending report.contact_read;
    another analyst, the auditor and the admin get Forbidden, another team's analyst NotFound,
    and refused readings leave no audit entry. The chain still verifies."""
    receipt = portal.send("intimate", {"paid": ["no"]}, SELF)
    team = portal.team
    people = team.people
    team.desk.assign(people["lead"], receipt.incident_id, people["analyst"].user_id)
    expected = {"name": "Ana Lima", "email": "ana@example.org"}
    assert portal.reports.contact(people["analyst"], receipt.incident_id) == expected
    assert portal.reports.contact(people["lead"], receipt.incident_id) == expected
    for name in ("analyst2", "auditor", "admin"):
        with pytest.raises(Forbidden):
            portal.reports.contact(people[name], receipt.incident_id)
    with pytest.raises(NotFound):
        portal.reports.contact(people["outsider"], receipt.incident_id)
    reads = [e for e in team.store.cases.audit() if e.action == "report.contact_read"]
    assert [(e.actor, e.object_type, e.object_id) for e in reads] == [
        ("analyst", "report", receipt.reference),
        ("lead", "report", receipt.reference),
    ]
    incident = team.store.cases.incident(receipt.incident_id)
    assert incident is not None
    assert all(e.details == {"incident": incident.reference} for e in reads)
    verdict = verify_chain(team.store, AUDIT_KEY)
    assert verdict.ok, verdict.reason


def test_an_unassigned_incident_shows_its_contact_to_leads_only(portal: Portal) -> None:
    """Before anyone is assigned, no analyst reads the contact; may_read_contact says the same
    as contact does."""
    receipt = portal.send("money", {}, SELF)
    people = portal.team.people
    incident = portal.team.store.cases.incident(receipt.incident_id)
    assert incident is not None
    everyone = ("admin", "lead", "analyst", "analyst2", "auditor", "partner", "outsider")
    allowed = {n for n in everyone if portal.reports.may_read_contact(people[n], incident)}
    assert allowed == {"lead"}
    with pytest.raises(Forbidden):
        portal.reports.contact(people["analyst"], receipt.incident_id)


def test_the_report_behind_an_incident_is_shown_only_to_who_sees_the_incident(
    portal: Portal,
) -> None:
    """for_incident gives the report to the team, NotFound to another team."""
    receipt = portal.send("device", {}, ANONYMOUS)
    people = portal.team.people
    found = portal.reports.for_incident(people["analyst2"], receipt.incident_id)
    assert found is not None and found.reference == receipt.reference
    with pytest.raises(NotFound):
        portal.reports.for_incident(people["outsider"], receipt.incident_id)


def test_receiving_reports_keeps_the_audit_chain_whole(portal: Portal) -> None:
    """Reports, their files and the desk's work on them leave a log that verifies, with one
    report.receive entry per report."""
    first = portal.send("money", {}, SELF, (("a.png", PNG),))
    portal.send("device", {}, ANONYMOUS)
    team = portal.team
    team.desk.transition(team.people["analyst"], first.incident_id, "acknowledged")
    actions = [e.action for e in team.store.cases.audit()]
    assert actions.count("report.receive") == 2
    verdict = verify_chain(team.store, AUDIT_KEY)
    assert verdict.ok and verdict.checked == len(actions)


# -- privacy: the reporter's identity stays in its own table -------------------------------------

NAME = "Zephyrine Quillfeather"
EMAIL = "zq.reporter7731@mailbox.example"
PHONE = "+44 20 7946 0873"
VICTIM = "Bartholomew Vexley-Orme"
ORG = "Obsidian Heron Holdings"
INTERPRETER = "Quenya-Sindarin"
DROPPED = "Ottoline Anonymova"  # typed by an anonymous reporter: kept nowhere
SHOWN = (NAME, EMAIL, PHONE, VICTIM, ORG, INTERPRETER)
SECRETS = (*SHOWN, DROPPED)


@dataclass
class Sent:
    portal: Portal
    receipts: list[Receipt]
    client: TestClient

    def log_in(self, name: str) -> None:
        """``client`` logged in as the team's ``name`` (given a password first)."""
        team = self.portal.team
        Accounts(team.store, now=team.clock).reset_password(Principal.system(), name, PASSWORD)
        self.client.cookies.clear()
        found = CSRF.search(self.client.get("/login").text)
        assert found, "no CSRF field on /login"
        form = {"username": name, "password": PASSWORD, "csrf": found.group(1)}
        answer = self.client.post("/login", data=form | {"next": "/console"})
        assert answer.status_code == 303, answer.text[:300]


@pytest.fixture
def sent(portal: Portal, settings: Settings, tmp_path: Path) -> Iterator[Sent]:
    """Four reports with distinctive identities (self, on behalf of someone, an organisation,
    and an anonymous reporter who typed a name anyway), worked on by the desk: assigned,
    moved, the contact read; and the app serving the same store."""
    receipts = [
        portal.send(
            "phishing",
            {"given": ["password"]},
            {
                "reporter": ["self"],
                "contact": ["yes"],
                "name": [NAME],
                "email": [EMAIL],
                "phone": [PHONE],
                "interpreter": [INTERPRETER],
            },
            (("mail.eml", b"From: a@b.example\nSubject: x\n\nhello\n"),),
        ),
        portal.send(
            "harassment",
            {},
            {
                "reporter": ["other"],
                "contact": ["yes"],
                "victim_name": [VICTIM],
                "email": [EMAIL],
                "flags": ["child"],
            },
        ),
        portal.send(
            "service",
            {"what": ["defaced"]},
            {
                "reporter": ["organisation"],
                "sector": ["parliament"],
                "org_name": [ORG],
                "contact": ["yes"],
                "phone": [PHONE],
            },
        ),
        portal.send(
            "other",
            {"narrative": ["my laptop shows pop-ups"]},
            {"reporter": ["self"], "contact": ["anonymous"], "name": [DROPPED]},
        ),
    ]
    team = portal.team
    people = team.people
    for receipt in receipts[:3]:
        team.desk.assign(people["lead"], receipt.incident_id, people["analyst"].user_id)
        team.desk.transition(people["analyst"], receipt.incident_id, "in_progress")
        portal.reports.contact(people["analyst"], receipt.incident_id)
        portal.reports.contact(people["lead"], receipt.incident_id)
    app = create_app(
        settings.but(data_dir=str(tmp_path / "app-data")), clock=team.clock, watch_clocks=False
    )
    with TestClient(app, follow_redirects=False) as client:
        yield Sent(portal, receipts, client)


def leaked(text: str, secrets: tuple[str, ...] = SECRETS) -> list[str]:
    return [s for s in secrets if s.lower() in text.lower()]


def test_the_identity_is_kept_only_in_the_reporters_table(sent: Sent) -> None:
    """Every row of every table but reporters (incidents, timeline, tasks, audit log, events,
    evidence, custody, reports…) holds none of the reporters' names, e-mail, phone,
    organisation or interpreter; reporters holds them, and not what an anonymous one typed."""
    store = sent.portal.team.store
    assert {"incidents", "timeline", "tasks", "audit_log", "events", "evidence"} <= set(
        schema.metadata.tables
    )
    found: dict[str, list[str]] = {}
    for table in schema.metadata.sorted_tables:
        if table.name == "reporters":
            continue
        for row in rows(store, table):
            text = " ".join(
                v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                for v in row.values()
            )
            if hits := leaked(text):
                found.setdefault(table.name, []).extend(hits)
    assert found == {}
    kept = " ".join(str(row) for row in rows(store, schema.reporters))
    assert leaked(kept, SHOWN) == list(SHOWN)
    assert DROPPED not in kept


def test_the_api_never_shows_the_identity(sent: Sent) -> None:
    """A lead's token reads the queue, each incident, its evidence, its related incidents and
    the events: none shows a reporter's identity."""
    team = sent.portal.team
    secret = Accounts(team.store, now=team.clock).create_token(team.people["lead"], "t", "read")
    headers = {"Authorization": f"Bearer {secret.secret}"}
    paths = ["/api/v1/incidents", "/api/v1/events?limit=1000"]
    for receipt in sent.receipts:
        base = f"/api/v1/incidents/{receipt.incident_id}"
        paths += [base, f"{base}/evidence", f"{base}/related"]
    seen = 0
    for path in paths:
        response = sent.client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text[:200])
        assert leaked(response.text) == [], path
        seen += response.text.count("report:R-")
    queue = sent.client.get("/api/v1/incidents", headers=headers).json()
    assert len(queue) == 4 and seen > 0  # the reports were there to be read


def test_the_console_shows_the_identity_only_on_the_reporter_page(sent: Sent) -> None:
    """An unassigned analyst's queue, hand-over and incident pages show the report and no
    identity, and its reporter page is refused; the assignee's incident page shows no identity
    either, only the link to the reporter page, which shows it (and, being read, is audited)."""
    client = sent.client
    sent.log_in("analyst2")
    pages = ["/console", "/handover"] + [f"/incidents/{r.incident_id}" for r in sent.receipts]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert leaked(response.text) == [], page
    incident_page = client.get(f"/incidents/{sent.receipts[0].incident_id}").text
    assert 'id="public-report"' in incident_page and "/reporter" not in incident_page
    assert client.get(f"/incidents/{sent.receipts[0].incident_id}/reporter").status_code == 403
    sent.log_in("analyst")
    own = client.get(f"/incidents/{sent.receipts[0].incident_id}")
    assert leaked(own.text) == []
    assert f'href="/incidents/{sent.receipts[0].incident_id}/reporter"' in own.text
    before = len(sent.portal.team.store.cases.audit())
    shown = client.get(f"/incidents/{sent.receipts[0].incident_id}/reporter")
    assert shown.status_code == 200
    assert leaked(shown.text) == [NAME, EMAIL, PHONE, INTERPRETER]
    after = sent.portal.team.store.cases.audit()
    assert [e.action for e in after[before:]] == ["report.contact_read"]


def test_the_audit_page_shows_no_identity(sent: Sent) -> None:
    """The auditor's audit log page lists the contact readings but none of the details read."""
    sent.log_in("auditor")
    response = sent.client.get("/audit")
    assert response.status_code == 200
    assert "report.contact_read" in response.text
    assert leaked(response.text) == []


def test_the_events_command_exports_no_identity(
    sent: Sent, backend_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tocsin events --format jsonl --all` on the same store prints none of the identity."""
    monkeypatch.setenv("TOCSIN_DATABASE_URL", backend_url)
    monkeypatch.setenv("TOCSIN_WORKERS", "0")
    result = CliRunner().invoke(cli_app, ["events", "--format", "jsonl", "--all"])
    assert result.exit_code == 0, result.output
    assert leaked(result.output) == []


def test_the_first_report_of_a_new_desk_makes_its_team_and_is_stored(
    store: Store, tmp_path: Path
) -> None:
    """On a store with no team yet, the first report, carrying its start stamp, is stored: the
    team is made in a transaction of its own before the report's (nested in it, SQLite's one
    writer waited on itself)."""
    clock = FakeClock()
    accounts = Accounts(store, now=clock)
    reports = Reports(
        store, Incidents(store, now=clock), EvidenceFiles(tmp_path / "ev"), accounts.ensure_team
    )
    path = PATHS["phishing"]
    answers, _ = clean_answers(path, {"site": ["https://bank.example/"], "given": ["password"]})
    who, _ = clean_who(ANONYMOUS)
    assert who is not None
    stamp = StartStamp("started-by-this-test", clock() + 3600)
    receipt = reports.submit(path, answers, who, "en", [], stamp=stamp)
    assert store.reports.count() == 1
    incident = store.cases.incident(receipt.incident_id)
    assert incident is not None and incident.org_id == accounts.ensure_team()


# -- the reporter adding to their report ---------------------------------------------------------


def test_the_reporter_adds_a_text_and_a_file_once(portal: Portal) -> None:
    """With the reference and code, a text and a file go to the report's incident: the text on
    its timeline, the file as evidence uploaded by the reporter; the same form again is refused
    (a reload adds nothing), a wrong code finds nothing, an empty addition is refused."""
    receipt = portal.send("device", {"device": ["phone"]}, ANONYMOUS)
    store = portal.team.store
    added = portal.reports.add_to(
        receipt.reference,
        receipt.code,
        "192.0.2.1",
        "They called again from a new number.",
        [Upload("sms.png", io.BytesIO(PNG))],
        f"{receipt.reference}-1",
    )
    assert added.text and [name for name, _, _ in added.files] == ["sms.png"]
    assert added.progress.report.reference == receipt.reference
    lines = [x["text"] for x in store.cases.timeline(receipt.incident_id)]
    assert any(
        line.startswith(f"the reporter added to report {receipt.reference}: They called again")
        for line in lines
    )
    evidence = store.cases.evidence(receipt.incident_id)
    assert [(e["filename"], e["uploaded_by"]) for e in evidence] == [("sms.png", "reporter")]
    with pytest.raises(AlreadySent):
        portal.reports.add_to(
            receipt.reference, receipt.code, "192.0.2.1", "Again.", [], f"{receipt.reference}-1"
        )
    with pytest.raises(NotFound):
        portal.reports.add_to(
            receipt.reference, "A" * 20, "192.0.2.1", "x", [], f"{receipt.reference}-2"
        )
    with pytest.raises(InvalidValue, match="empty"):
        portal.reports.add_to(
            receipt.reference, receipt.code, "192.0.2.1", "  ", [], f"{receipt.reference}-3"
        )
    with pytest.raises(TooLong):
        portal.reports.add_to(
            receipt.reference, receipt.code, "192.0.2.1", "x" * 5001, [], f"{receipt.reference}-4"
        )
    assert len(store.cases.evidence(receipt.incident_id)) == 1
    actions = [e.action for e in store.cases.audit_for("incident", added_reference(store, receipt))]
    assert actions.count("report.addition") == 1


def added_reference(store: Store, receipt: Receipt) -> str:
    incident = store.cases.incident(receipt.incident_id)
    assert incident is not None
    return incident.reference


def test_an_addition_follows_the_incident_it_was_merged_into(portal: Portal) -> None:
    receipt = portal.send("device", {"device": ["phone"]}, ANONYMOUS)
    team = portal.team
    target = team.desk.create(team.people["analyst"], title="Wave", type="malware", priority="P2")
    team.desk.merge(team.people["analyst"], receipt.incident_id, target.id)
    portal.reports.add_to(
        receipt.reference, receipt.code, "192.0.2.1", "More.", [], f"{receipt.reference}-1"
    )
    lines = [x["text"] for x in team.store.cases.timeline(target.id)]
    assert f"the reporter added to report {receipt.reference}: More." in lines
