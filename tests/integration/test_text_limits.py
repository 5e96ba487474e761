"""Every free-text field has a declared limit (tocsin.model.limits), and the service that takes
it refuses a longer text whole, before anything is stored: one case per declared field, so a
field added to the table without a way to reach it here fails at once. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.assist_desk import ART29, SAFEGUARDS
from tests.desk import Team, make_team
from tests.integration.test_console_http import Desk, desk, log_in, post
from tocsin.assist.directory import Contacts
from tocsin.assist.requests import Assistance
from tocsin.cvd.cases import Cvd
from tocsin.errors import NotFound, TooLong
from tocsin.model.limits import LIMITS
from tocsin.model.report import PATHS, clean_answers, clean_who
from tocsin.services.accounts import Accounts
from tocsin.services.views import Views
from tocsin.share.sharing import Sharing
from tocsin.store import Store

__all__ = ["desk"]

LIBRARY = "pkg:pypi/globex-parser@2.4.1"
FIVE_MB = "x" * 5_000_000


@dataclass
class World:
    team: Team
    sharing: Sharing
    accounts: Accounts
    cvd: Cvd
    assist: Assistance
    contacts: Contacts
    views: Views
    incident_id: int | None = None
    case_id: int | None = None
    request_id: int | None = None

    @property
    def analyst(self):  # type: ignore[no-untyped-def]
        return self.team.people["analyst"]

    @property
    def lead(self):  # type: ignore[no-untyped-def]
        return self.team.people["lead"]

    @property
    def liaison(self):  # type: ignore[no-untyped-def]
        return self.team.people["liaison"]

    def request(self) -> int:
        """The request for assistance the attempts change, made once like the incident."""
        if self.request_id is None:
            self.request_id = self.draft().request.id
        return self.request_id

    def draft(self, **changes: object):  # type: ignore[no-untyped-def]
        values = {
            "basis": "BC-29",
            "title": "Preserve the VPS account's logs",
            "elements": ART29,
            "safeguards": SAFEGUARDS,
            **changes,
        }
        return self.assist.create(self.liaison, **values)

    def contact(self, **changes: object):  # type: ignore[no-untyped-def]
        values = {
            "country": "DE",
            "authority": "DE 24/7 point of contact",
            "channel": "email",
            "address": "24-7@de.example",
            "languages": "en",
            "timezone": "Europe/Berlin",
            **changes,
        }
        return self.contacts.add(self.liaison, **values)

    def incident(self) -> int:
        """The incident the attempts change: made once, before the audit log is measured."""
        if self.incident_id is None:
            made = self.team.desk.create(
                self.analyst, title="Phishing", type="phishing", priority="P3"
            )
            self.incident_id = made.id
        return self.incident_id

    def case(self) -> int:
        """The vulnerability case the attempts change, made once like the incident."""
        if self.case_id is None:
            made = self.cvd.create(self.analyst, title="Overflow", reporter="R", vendors=["Acme"])
            self.case_id = made.id
        return self.case_id


Attempt = Callable[[World, str], object]


def _safeguard(name: str) -> Attempt:
    return lambda w, text: w.draft(safeguards={**SAFEGUARDS, name: text})


def _cvd_create(field: str) -> Attempt:
    given = {"cwe_id": "CWE-79"} if field == "cwe_name" else {}
    return lambda w, text: w.cvd.create(
        w.analyst, **{"title": "Overflow", "reporter": "R", **given, field: text}
    )


ATTEMPTS: dict[str, Attempt] = {
    "incident.title": lambda w, text: w.team.desk.create(
        w.analyst, title=text, type="phishing", priority="P3"
    ),
    "incident.comment": lambda w, text: w.team.desk.transition(
        w.analyst, w.incident(), "acknowledged", text
    ),
    "incident.note": lambda w, text: w.team.desk.add_note(w.analyst, w.incident(), text),
    "incident.task": lambda w, text: w.team.desk.add_task(w.analyst, w.incident(), text),
    "incident.description": lambda w, text: w.team.desk.describe(
        w.analyst, w.incident(), description=text
    ),
    "collection.title": lambda w, text: w.sharing.add_collection(w.lead, "community", text),
    "collection.description": lambda w, text: w.sharing.add_collection(
        w.lead, "community", "Community", text
    ),
    "release.reason": lambda w, text: w.sharing.refuse(w.team.people["admin"], 1, text),
    "organisation.name": lambda w, text: w.sharing.add_partner(w.lead, text),
    "user.display_name": lambda w, text: w.accounts.add_user(
        w.team.people["admin"],
        name="newcomer",
        password="correct horse battery staple",
        role="analyst",
        org_id=w.team.org_id,
        display_name=text,
    ),
    "token.name": lambda w, text: w.accounts.create_token(w.analyst, text),
    "view.name": lambda w, text: w.views.save(w.analyst, text, {"priority": "P1"}),
    "cvd.title": lambda w, text: w.cvd.create(w.analyst, title=text, reporter="R"),
    "cvd.description": _cvd_create("description"),
    "cvd.impact": _cvd_create("impact"),
    "cvd.cwe_name": _cvd_create("cwe_name"),
    "cvd.reporter": lambda w, text: w.cvd.create(w.analyst, title="Overflow", reporter=text),
    "cvd.contact": lambda w, text: w.cvd.create(
        w.analyst, title="Overflow", reporter="R", contact=text
    ),
    "cvd.comment": lambda w, text: w.cvd.move(w.analyst, w.case(), "triaged", comment=text),
    "cvd.message": lambda w, text: w.cvd.log(
        w.analyst, w.case(), direction="out", party="Acme", text=text
    ),
    "cvd.party": lambda w, text: w.cvd.log(
        w.analyst, w.case(), direction="out", party=text, text="Details."
    ),
    "cvd.vendor": lambda w, text: w.cvd.set_vendor(w.analyst, w.case(), text),
    "cvd.advice": lambda w, text: w.cvd.set_vendor(w.analyst, w.case(), "Acme", advice=text),
    "cvd.product": lambda w, text: w.cvd.add_product(
        w.analyst, w.case(), vendor="Acme", identifier=LIBRARY, name=text
    ),
    "cvd.version": lambda w, text: w.cvd.add_product(
        w.analyst, w.case(), vendor="Acme", identifier=LIBRARY, version=text
    ),
    "assist.title": lambda w, text: w.draft(title=text),
    "assist.their_ref": lambda w, text: w.draft(their_ref=text),
    "assist.element": lambda w, text: w.draft(elements={**ART29, "facts": text}),
    "assist.safeguard": _safeguard("necessity"),
    "assist.justification": lambda w, text: w.draft(emergency=True, justification=text),
    "assist.note": lambda w, text: w.assist.move(w.liaison, w.request(), "withdrawn", note=text),
    "assist.ledger": lambda w, text: w.assist.ledger.add(
        w.liaison, w.request(), kind="purpose", text=text
    ),
    "contact.authority": lambda w, text: w.contact(authority=text),
    "contact.address": lambda w, text: w.contact(address=text),
    "contact.notes": lambda w, text: w.contact(notes=text),
}


@pytest.fixture
def world(store: Store) -> World:
    team = make_team(store)
    return World(
        team,
        Sharing(store, now=team.clock),
        Accounts(store, now=team.clock),
        Cvd(store, now=team.clock),
        Assistance(store, now=team.clock),
        Contacts(store, now=team.clock),
        Views(store, now=team.clock),
    )


def test_every_declared_field_has_a_case_here() -> None:
    """The table and this test name the same fields (the portal's are checked below)."""
    portal = {"report.answer", "report.account"}
    assert set(ATTEMPTS) | portal == set(LIMITS)


@pytest.mark.parametrize("field", sorted(ATTEMPTS))
def test_a_text_one_over_its_limit_is_refused_and_nothing_is_stored(
    world: World, store: Store, field: str
) -> None:
    """One character over the field's limit is refused with TooLong naming the limit, and the
    audit log (where every change goes) has not moved; the same text at the limit goes in."""
    limit = LIMITS[field]
    world.incident(), world.case(), world.request()
    before = store.cases.last_audit_seq()
    with pytest.raises(TooLong, match=f"at most {limit} characters") as refused:
        ATTEMPTS[field](world, "x" * (limit + 1))
    assert refused.value.limit == limit
    assert store.cases.last_audit_seq() == before
    if field == "release.reason":  # no release 1: the reason at its limit passes to the lookup
        with pytest.raises(NotFound):
            ATTEMPTS[field](world, "y" * limit)
        return
    ATTEMPTS[field](world, "y" * limit)
    assert store.cases.last_audit_seq() > before


def test_a_5_mb_transition_comment_is_refused_and_the_incident_is_unchanged(
    world: World, store: Store
) -> None:
    """The review's case: a 5 MB comment with a change of status. Refused; the incident keeps its
    status and its timeline, and the audit log has not moved."""
    incident = world.incident()
    timeline = store.cases.timeline(incident)
    before = store.cases.last_audit_seq()
    with pytest.raises(TooLong):
        world.team.desk.transition(world.analyst, incident, "acknowledged", "x" * 5_000_000)
    assert world.team.desk.get(world.analyst, incident).status.value == "new"
    assert store.cases.timeline(incident) == timeline
    assert store.cases.last_audit_seq() == before


def test_the_portal_refuses_an_answer_or_an_account_over_its_limit() -> None:
    """The portal's one-line answers and its free-text account come back as "too_long"."""
    path = PATHS["vulnerability"]
    long_account = {"narrative": ["x" * (LIMITS["report.account"] + 1)]}
    assert clean_answers(path, long_account)[1]["narrative"] == "too_long"
    fits = {"narrative": ["x" * LIMITS["report.account"]]}
    assert "narrative" not in clean_answers(path, fits)[1]
    long_name = {"reporter": ["citizen"], "contact": ["yes"], "email": ["a@b.example"]}
    long_name["name"] = ["x" * (LIMITS["report.answer"] + 1)]
    assert clean_who(long_name)[1].get("name") == "too_long"


def test_the_api_answers_422_to_a_5_mb_comment_and_stores_nothing(desk: Desk) -> None:
    """POST /api/v1/incidents/N/transition with a 5 MB comment: 422 as problem details, the
    incident still new, its timeline as it was."""
    token = desk.token(desk.user("ana"), "read,write")
    before = desk.timeline(desk.phish)
    response = desk.client.post(
        f"/api/v1/incidents/{desk.phish.id}/transition",
        json={"status": "acknowledged", "comment": FIVE_MB},
        headers=token,
    )
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    assert "at most 20000 characters" in response.json()["detail"]
    assert len(response.content) < 2000  # the refusal does not echo the text
    assert desk.timeline(desk.phish) == before
    after = desk.team.store.cases.incident(desk.phish.id)
    assert after is not None and after.status.value == "new"


def test_the_console_shows_the_form_error_for_a_note_over_its_limit(desk: Desk) -> None:
    """A note one character over the limit, posted from the incident page, comes back as the
    form's error and is not in the timeline."""
    desk.user("ana")
    assert log_in(desk.client, "ana").status_code == 303
    before = desk.timeline(desk.phish)
    text = "z" * (LIMITS["incident.note"] + 1)
    response = post(desk.client, f"/incidents/{desk.phish.id}/notes", text=text)
    assert response.status_code in (400, 422), response.status_code
    assert "at most 20000 characters" in response.text
    assert desk.timeline(desk.phish) == before
