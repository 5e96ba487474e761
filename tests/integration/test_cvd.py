"""The CVD service on SQLite and PostgreSQL: a vulnerability case is created with its vendors and
products, moves through its workflow (illegal moves refused, publication refused before the
embargo), keeps a communication log, and every change commits with its audit entry. Staff read,
writers change, and the reporter's contact reaches leads, admins and the handler only. The
``tocsin cvd`` commands drive it end to end."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.audit_keys import AUDIT_KEY
from tests.desk import Team, make_team
from tests.integration.test_csaf import schema_errors
from tocsin.cases.audit import verify_chain
from tocsin.cli import app as cli_app
from tocsin.cvd.cases import Cvd
from tocsin.errors import Conflict, Forbidden, InvalidValue, NotFound
from tocsin.formats.csaf import EmbargoInForce, Publisher
from tocsin.model.constituent import Constituent
from tocsin.model.cvd import Case, Direction, ProductStatus, State, VendorStatus
from tocsin.services.accounts import Accounts
from tocsin.store import Store, open_store
from tocsin.store.sql import schema

ROUTER = "cpe:2.3:h:acme:router:1.2.0:*:*:*:*:*:*:*"
FIXED_ROUTER = "cpe:2.3:h:acme:router:1.3.0:*:*:*:*:*:*:*"
LIBRARY = "pkg:pypi/globex-parser@2.4.1"
XSS = "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"
DAY = 86_400
PUBLISHER = Publisher("National CSIRT", "https://csirt.example")


@dataclass
class Desk:
    team: Team
    cvd: Cvd

    def new(self, **changes: object) -> Case:
        """A case opened by the analyst (its handler): Acme's router, Globex's parser."""
        values: dict[str, object] = {
            "title": "Stored XSS in the Acme router's admin page",
            "reporter": "Ana Lima",
            "contact": "ana@example.org",
            "vendors": ["Acme", "Globex"],
            "products": [("Acme", ROUTER), ("Globex", LIBRARY)],
            "description": "The admin page echoes the device name unescaped.",
            "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
            "cwe_id": "CWE-79",
            "cwe_name": XSS,
            "cve_id": "CVE-2026-12345",
            **changes,
        }
        return self.cvd.create(self.team.people["analyst"], **values)  # type: ignore[arg-type]

    def to_vendors_notified(self, case: Case) -> Case:
        analyst = self.team.people["analyst"]
        self.cvd.move(analyst, case.id, "triaged")
        for vendor in case.vendors:
            self.cvd.log(analyst, case.id, direction="out", party=vendor.name, text="Details.")
        return self.cvd.move(analyst, case.id, "vendors_notified")


@pytest.fixture
def desk(store: Store) -> Desk:
    team = make_team(store)
    return Desk(team, Cvd(store, now=team.clock))


def actions(store: Store, case: Case) -> list[str]:
    return [e.action for e in store.cases.audit_for("cvd", case.public_id)]


# -- creating ------------------------------------------------------------------------------------


def test_a_case_is_created_with_its_vendors_products_and_identifiers(desk: Desk) -> None:
    """A public id of the year, state received, vendors not contacted, products affected with
    name and version read from their CPE or purl, the CVSS score computed, the analyst handling."""
    case = desk.new()
    assert (case.public_id, case.state) == ("TOCSIN-VU-2026-0001", State.RECEIVED)
    assert [(v.name, v.status) for v in case.vendors] == [
        ("Acme", VendorStatus.NOT_CONTACTED),
        ("Globex", VendorStatus.NOT_CONTACTED),
    ]
    assert [(p.name, p.version, p.status) for p in case.products] == [
        ("router", "1.2.0", ProductStatus.AFFECTED),
        ("globex-parser", "2.4.1", ProductStatus.AFFECTED),
    ]
    assert case.cvss is not None and (case.cvss.score, case.cvss.severity) == (6.1, "Medium")
    assert (case.cwe, case.cve) == (("CWE-79", XSS), "CVE-2026-12345")
    assert case.handler_id == desk.team.people["analyst"].user_id
    assert case.received_at == desk.team.clock.now
    assert actions(desk.team.store, case) == ["cvd.create"]


def test_public_ids_count_up_within_the_year(desk: Desk) -> None:
    """The second case of 2026 is TOCSIN-VU-2026-0002; it is found again by its public id."""
    desk.new()
    second = desk.new(title="Another one")
    assert second.public_id == "TOCSIN-VU-2026-0002"
    found = desk.cvd.by_public_id(desk.team.people["auditor"], "tocsin-vu-2026-0002")
    assert found.id == second.id


def test_a_refused_value_stores_nothing(desk: Desk) -> None:
    """A malformed CPE, CWE, CVE, vector or time zone is refused by field; no row is written."""
    for bad in (
        {"products": [("Acme", "cpe:/h:acme:router:1.2")]},
        {"cwe_id": "XSS"},
        {"cve_id": "CVE-26-1"},
        {"cvss": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
        {"embargo": "2026-12-15T09:00", "zone": "Europe/Atlantis"},
        {"cwe_name": ""},
    ):
        with pytest.raises(InvalidValue):
            desk.new(**bad)
    with desk.team.store.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.cvd_cases)).scalar() == 0


def test_an_anonymous_reporter_cannot_be_credited_by_name(desk: Desk) -> None:
    """Anonymity and credit by name contradict each other: refused; credit anonymously passes."""
    with pytest.raises(InvalidValue, match="not credited by name"):
        desk.new(anonymous=True)
    case = desk.new(anonymous=True, credit="anonymous")
    assert case.reporter.anonymous and case.reporter.credit.value == "anonymous"


def test_the_embargo_is_stored_in_utc_with_its_zone(desk: Desk) -> None:
    """09:00 in Paris on 15 December is kept as 08:00 UTC and the zone Europe/Paris."""
    case = desk.new(embargo="2026-12-15T09:00", zone="Europe/Paris")
    assert case.embargo is not None
    assert (case.embargo.at, case.embargo.zone) == (1_797_321_600, "Europe/Paris")


# -- the workflow --------------------------------------------------------------------------------


def test_the_workflow_runs_to_publication_each_step_audited(desk: Desk) -> None:
    """received → triaged → vendors notified → fix in progress → published, each move one
    cvd.transition entry with from and to, the dates set, and the audit chain intact."""
    case = desk.to_vendors_notified(desk.new())
    analyst = desk.team.people["analyst"]
    desk.cvd.move(analyst, case.id, "fix in progress")
    published = desk.cvd.move(analyst, case.id, "published")
    assert published.state is State.PUBLISHED
    assert published.triaged_at == published.published_at == desk.team.clock.now
    assert [r.number for r in published.revisions] == [1]
    moves = [
        (e.details["from"], e.details["to"])
        for e in desk.team.store.cases.audit_for("cvd", case.public_id)
        if e.action == "cvd.transition"
    ]
    assert moves == [
        ("received", "triaged"),
        ("triaged", "vendors_notified"),
        ("vendors_notified", "fix_in_progress"),
        ("fix_in_progress", "published"),
    ]
    verdict = verify_chain(desk.team.store, AUDIT_KEY)
    assert verdict.ok


def test_an_illegal_move_is_refused_naming_the_allowed_ones(desk: Desk) -> None:
    """Publishing a case just received is a Conflict that lists triaged, rejected, duplicate;
    nothing changes and nothing is audited."""
    case = desk.new()
    with pytest.raises(Conflict, match="it can become: triaged, rejected, duplicate"):
        desk.cvd.move(desk.team.people["analyst"], case.id, "published")
    assert desk.cvd.get(desk.team.people["analyst"], case.id).state is State.RECEIVED
    assert actions(desk.team.store, case) == ["cvd.create"]


def test_vendors_are_notified_only_once_each_is_contacted(desk: Desk) -> None:
    """While Globex is not contacted, the move to vendors notified is refused naming it."""
    case = desk.new()
    analyst = desk.team.people["analyst"]
    desk.cvd.move(analyst, case.id, "triaged")
    desk.cvd.log(analyst, case.id, direction="out", party="acme", text="Found XSS.")
    with pytest.raises(Conflict, match="contact every vendor first: Globex"):
        desk.cvd.move(analyst, case.id, "vendors_notified")


def test_publication_is_refused_before_the_embargo(desk: Desk) -> None:
    """A minute before the agreed time, publishing is refused with the date in its zone; at the
    time it succeeds."""
    case = desk.to_vendors_notified(desk.new())
    clock, analyst = desk.team.clock, desk.team.people["analyst"]
    desk.cvd.update(analyst, case.id, embargo="2026-12-15T09:00", zone="Europe/Paris")
    clock.now = 1_797_321_600 - 60
    with pytest.raises(EmbargoInForce, match=r"2026-12-15 09:00 Europe/Paris \(2026-12-15 08:00"):
        desk.cvd.move(analyst, case.id, "published")
    clock.now = 1_797_321_600
    assert desk.cvd.move(analyst, case.id, "published").published_at == clock.now


def test_a_published_case_keeps_its_embargo(desk: Desk) -> None:
    """Once published the embargo cannot be moved."""
    case = desk.to_vendors_notified(desk.new())
    analyst = desk.team.people["analyst"]
    desk.cvd.move(analyst, case.id, "published")
    with pytest.raises(Conflict, match="embargo is over"):
        desk.cvd.update(analyst, case.id, embargo="2027-01-01T00:00")


def test_a_duplicate_names_its_original(desk: Desk) -> None:
    """A duplicate needs an existing original (not itself); it is closed and points at it."""
    original, copy = desk.new(), desk.new(title="The same XSS again")
    analyst = desk.team.people["analyst"]
    with pytest.raises(InvalidValue, match="name the case"):
        desk.cvd.move(analyst, copy.id, "duplicate")
    with pytest.raises(InvalidValue, match="cannot duplicate itself"):
        desk.cvd.move(analyst, copy.id, "duplicate", duplicate_of=copy.public_id)
    with pytest.raises(NotFound):
        desk.cvd.move(analyst, copy.id, "duplicate", duplicate_of="TOCSIN-VU-2026-0099")
    closed = desk.cvd.move(analyst, copy.id, "duplicate", duplicate_of=original.public_id)
    assert (closed.duplicate_of, closed.closed_at) == (original.public_id, desk.team.clock.now)


def test_a_rejected_case_reopens_for_triage(desk: Desk) -> None:
    """Rejected closes the case; triaged again reopens it."""
    case = desk.new()
    analyst = desk.team.people["analyst"]
    assert desk.cvd.move(analyst, case.id, "rejected").closed_at is not None
    reopened = desk.cvd.move(analyst, case.id, "triaged")
    assert (reopened.state, reopened.closed_at) == (State.TRIAGED, None)


# -- vendors, products and the log ---------------------------------------------------------------


def test_the_log_keeps_direction_party_and_tlp_and_sets_the_dates(desk: Desk) -> None:
    """The first message out to the reporter acknowledges the report, the first out to a vendor
    marks it contacted, and the audit entry keeps who and how but never the text."""
    case = desk.new()
    analyst, clock = desk.team.people["analyst"], desk.team.clock
    clock.advance(3600)
    desk.cvd.log(analyst, case.id, direction="out", party="reporter", text="Thanks, received.")
    clock.advance(3600)
    desk.cvd.log(
        analyst, case.id, direction="out", party="Acme", text="Secret details.", tlp="AMBER+STRICT"
    )
    desk.cvd.log(analyst, case.id, direction="in", party="Globex", text="Who are you?")
    messages = desk.cvd.messages(desk.team.people["auditor"], case.id)
    assert [(m.direction, m.party, m.tlp) for m in messages] == [
        (Direction.OUT, "reporter", "AMBER"),
        (Direction.OUT, "Acme", "AMBER+STRICT"),
        (Direction.IN, "Globex", "AMBER"),
    ]
    case = desk.cvd.get(analyst, case.id)
    assert case.acknowledged_at == clock.now - 3600
    acme, globex = case.vendors
    assert (acme.status, acme.contacted_at) == (VendorStatus.CONTACTED, clock.now)
    assert case.vendor_contacted_at == clock.now
    assert globex.status is VendorStatus.NOT_CONTACTED  # a message in does not contact them
    logged = [
        e for e in desk.team.store.cases.audit_for("cvd", case.public_id) if e.action == "cvd.log"
    ]
    assert logged[1].details == {
        "direction": "out",
        "party": "Acme",
        "tlp": "AMBER+STRICT",
        "length": 15,
    }
    assert all("Secret" not in str(e.details) for e in logged)


def test_vendor_statuses_carry_their_dates(desk: Desk) -> None:
    """A vendor moved to fix available is contacted, acknowledged and fixed at that moment; a
    new vendor is added by name."""
    case = desk.new()
    lead = desk.team.people["lead"]
    case = desk.cvd.set_vendor(lead, case.id, "Acme", "fix available", advice="Update to 1.3.0.")
    acme = case.vendor("acme")
    assert acme is not None and acme.status is VendorStatus.FIX_AVAILABLE
    now = desk.team.clock.now
    assert (acme.contacted_at, acme.acknowledged_at, acme.fixed_at) == (now, now, now)
    assert acme.advice == "Update to 1.3.0."
    case = desk.cvd.set_vendor(lead, case.id, "Initech")
    assert [v.name for v in case.vendors] == ["Acme", "Globex", "Initech"]
    with pytest.raises(InvalidValue, match="not a vendor status"):
        desk.cvd.set_vendor(lead, case.id, "Acme", "asleep")


def test_products_are_added_to_a_vendor_and_marked_fixed(desk: Desk) -> None:
    """A fixed version is added; the same identifier twice is a Conflict; an unknown vendor is
    refused; the affected one becomes fixed."""
    case = desk.new()
    analyst = desk.team.people["analyst"]
    case = desk.cvd.add_product(
        analyst, case.id, vendor="Acme", identifier=FIXED_ROUTER, status="fixed"
    )
    assert case.products[-1].status is ProductStatus.FIXED
    with pytest.raises(Conflict):
        desk.cvd.add_product(analyst, case.id, vendor="Acme", identifier=FIXED_ROUTER)
    with pytest.raises(InvalidValue, match="not a vendor of this case"):
        desk.cvd.add_product(analyst, case.id, vendor="Hooli", identifier="pkg:npm/hooli@1.0")
    case = desk.cvd.set_product(analyst, case.id, LIBRARY, "fixed")
    assert [p.status for p in case.products] == [
        ProductStatus.AFFECTED,
        ProductStatus.FIXED,
        ProductStatus.FIXED,
    ]


def test_a_change_after_publication_adds_a_revision(desk: Desk) -> None:
    """Marking a product fixed after publication is revision 2 of the advisory, dated then."""
    case = desk.to_vendors_notified(desk.new())
    analyst = desk.team.people["analyst"]
    desk.cvd.move(analyst, case.id, "published")
    desk.team.clock.advance(7 * DAY)
    case = desk.cvd.set_product(analyst, case.id, ROUTER, "fixed")
    assert [(r.number, r.at) for r in case.revisions] == [
        (1, desk.team.clock.now - 7 * DAY),
        (2, desk.team.clock.now),
    ]
    document = desk.cvd.advisory(analyst, case.id, publisher=PUBLISHER)
    assert document["document"]["tracking"]["version"] == "2"


def test_the_advisory_of_a_stored_case_validates(desk: Desk) -> None:
    """A case made through the service, published, gives a schema-valid advisory; producing it
    is audited with its status and version."""
    case = desk.to_vendors_notified(desk.new())
    analyst = desk.team.people["analyst"]
    desk.cvd.set_vendor(analyst, case.id, "Acme", "fix_available")
    desk.cvd.move(analyst, case.id, "published")
    document = desk.cvd.advisory(analyst, case.id, publisher=PUBLISHER)
    assert schema_errors(document) == []
    last = desk.team.store.cases.audit_for("cvd", case.public_id)[-1]
    assert (last.action, last.details) == ("cvd.advisory", {"status": "final", "version": "1"})


# -- who may do what -----------------------------------------------------------------------------


def test_staff_read_writers_change_others_see_nothing(desk: Desk) -> None:
    """The auditor reads but may not change; a partner and another team's analyst find no case;
    a partner may not list cases."""
    case = desk.new()
    people = desk.team.people
    assert desk.cvd.get(people["auditor"], case.id).id == case.id
    with pytest.raises(Forbidden):
        desk.cvd.move(people["auditor"], case.id, "triaged")
    with pytest.raises(Forbidden):
        desk.cvd.create(people["auditor"], title="x", reporter="y")
    for outsider in ("partner", "outsider"):
        with pytest.raises(NotFound):
            desk.cvd.get(people[outsider], case.id)
        with pytest.raises(NotFound):
            desk.cvd.log(people[outsider], case.id, direction="out", party="Acme", text="x")
    with pytest.raises(Forbidden):
        desk.cvd.list_cases(people["partner"])
    assert desk.cvd.list_cases(people["outsider"]) == []
    assert [c.id for c in desk.cvd.list_cases(people["analyst2"])] == [case.id]


def test_a_tlp_red_case_is_hidden_from_analysts_who_do_not_handle_it(desk: Desk) -> None:
    """At TLP:RED the handler, leads and auditors see the case; another analyst does not."""
    case = desk.new(tlp="RED")
    people = desk.team.people
    for name in ("analyst", "lead", "auditor", "admin"):
        assert desk.cvd.get(people[name], case.id).tlp == "RED"
    with pytest.raises(NotFound):
        desk.cvd.get(people["analyst2"], case.id)
    assert desk.cvd.list_cases(people["analyst2"]) == []


def test_the_reporters_contact_reaches_leads_admins_and_the_handler_each_reading_audited(
    desk: Desk,
) -> None:
    """The handler, a lead and an admin read the contact, each reading audited; another analyst
    and the auditor are refused; it is never in the case object."""
    case = desk.new()
    people = desk.team.people
    for name in ("analyst", "lead", "admin"):
        assert desk.cvd.contact(people[name], case.id) == "ana@example.org"
    for name in ("analyst2", "auditor"):
        with pytest.raises(Forbidden):
            desk.cvd.contact(people[name], case.id)
    reads = [
        e.actor
        for e in desk.team.store.cases.audit_for("cvd", case.public_id)
        if e.action == "cvd.contact_read"
    ]
    assert reads == ["analyst", "lead", "admin"]
    assert "ana@example.org" not in repr(desk.cvd.get(people["lead"], case.id))


def test_a_new_handler_reads_the_contact_and_the_old_one_no_longer(desk: Desk) -> None:
    """Assigning analyst2 moves the right to read the contact with the case."""
    case = desk.new()
    people = desk.team.people
    desk.cvd.assign(people["lead"], case.id, people["analyst2"].user_id)
    assert desk.cvd.contact(people["analyst2"], case.id) == "ana@example.org"
    with pytest.raises(Forbidden):
        desk.cvd.contact(people["analyst"], case.id)
    with pytest.raises(InvalidValue, match="cannot handle"):
        desk.cvd.assign(people["lead"], case.id, people["auditor"].user_id)


# -- the constituents concerned ------------------------------------------------------------------


def test_affected_constituents_are_those_named_and_those_of_the_sectors(desk: Desk) -> None:
    """Named constituents and every one of a sector are concerned, sorted, once each; a name
    not in the registry is refused."""
    desk.team.store.replace_constituents(
        [
            Constituent("City Water Utility", sector="drinking-water"),
            Constituent("Hospital North", sector="health"),
            Constituent("Hospital South", sector="health"),
            Constituent("Bakery", sector="retail"),
        ]
    )
    case = desk.new()
    lead = desk.team.people["lead"]
    assert desk.cvd.affected_constituents(case.id) == []
    desk.cvd.concern(
        lead, case.id, constituents=["City Water Utility", "Hospital North"], sectors=["health"]
    )
    assert desk.cvd.affected_constituents(case.id) == [
        "City Water Utility",
        "Hospital North",
        "Hospital South",
    ]
    with pytest.raises(InvalidValue, match="not in the constituency registry"):
        desk.cvd.concern(lead, case.id, constituents=["Nowhere Inc"])
    with pytest.raises(NotFound):
        desk.cvd.affected_constituents(case.id + 100)


# -- the command line ----------------------------------------------------------------------------


def test_the_cvd_commands_run_a_case_to_its_advisory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """add, list, move (refused then allowed), log, vendor, product, set, show and advisory
    against a SQLite file; the advisory printed is valid CSAF."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TOCSIN_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    store = open_store(url, audit_key=AUDIT_KEY)
    team = make_team(store)  # a move acts for a person: the analyst, by their API token
    token = Accounts(store, now=team.clock).create_token(
        team.people["analyst"], "cli", "read,write"
    )
    store.close()
    monkeypatch.setenv("TOCSIN_TOKEN", token.secret)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli_app, ["cvd", *args])
        assert result.exit_code == code, result.output
        return result.output

    added = run(
        "add",
        "--title",
        "Stored XSS in Acme router",
        "--reporter",
        "Ana Lima",
        "--contact",
        "ana@example.org",
        "--vendor",
        "Acme",
        "--product",
        f"Acme={ROUTER}",
        "--cvss",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        "--cwe",
        "CWE-79",
        "--cwe-name",
        XSS,
        "--embargo",
        "2099-01-01T09:00",
        "--zone",
        "Europe/Paris",
    )
    ref = added.split()[1].rstrip(":")
    assert ref.startswith("TOCSIN-VU-")
    assert ref in run("list")
    assert "it can become: triaged" in run("move", ref, "published", code=2)
    run("move", ref, "triaged")
    run("log", ref, "--text", "Found an XSS.", "--party", "Acme", "--direction", "out")
    run("move", ref, "vendors_notified")
    run("product", ref, FIXED_ROUTER, "--vendor", "Acme", "--status", "fixed")
    run("vendor", ref, "Acme", "--status", "fix_available")
    assert "embargoed until 2099-01-01 09:00 Europe/Paris" in run("move", ref, "published", code=2)
    shown = run("show", ref)
    assert "ana@example.org" in shown and "→ Acme" in shown and "fix available" in shown
    draft = orjson.loads(run("advisory", ref, "--draft"))
    assert draft["document"]["tracking"]["status"] == "draft" and schema_errors(draft) == []
    assert "embargoed until" in run("advisory", ref, code=2)
    run("set", ref, "--embargo", "2020-01-01T00:00")
    assert "only a published case" in run("advisory", ref, code=2)
    run("move", ref, "published")
    document = orjson.loads(run("advisory", ref, "--namespace", "https://cert.example"))
    assert schema_errors(document) == []
    assert document["document"]["publisher"]["namespace"] == "https://cert.example"
    assert document["vulnerabilities"][0]["product_status"]["fixed"] == ["CSAFPID-0002"]
