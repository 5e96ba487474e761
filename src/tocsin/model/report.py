"""A report from the public: what happened (in plain words), who reports it, and how that maps to
the desk's RSIT type and priority behind the scenes.

Pure data and checks: the words people read live in the portal's catalogues, keyed by the names
here; the checks return error codes (``required``, ``too_long``…) that the portal translates.
The reporter's reference and status-page code are made in ``report_codes`` and named here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from tocsin.model.constituent import CRITICAL_SECTORS
from tocsin.model.incident import Status
from tocsin.model.limits import limit_of
from tocsin.model.report_codes import canonical_code as canonical_code
from tocsin.model.report_codes import canonical_reference as canonical_reference
from tocsin.model.report_codes import new_reference as new_reference
from tocsin.model.report_codes import new_status_code as new_status_code

SHORT = limit_of("report.answer")  # characters of a one-line answer
LONG = limit_of("report.account")  # characters of the free-text account
PRIORITIES = ("P1", "P2", "P3", "P4")


class Kind(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    RADIO = "radio"
    CHECKS = "checks"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    kind: Kind = Kind.TEXT
    max_length: int = SHORT
    options: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True, slots=True)
class ReportPath:
    """One answer to "what happened?": the questions it asks and what the desk makes of it."""

    key: str
    type: str  # RSIT classification.type
    priority: str
    questions: tuple[Question, ...] = ()
    narrative_required: bool = False
    raised_by: Mapping[str, frozenset[str]] = field(default_factory=dict)  # answer → P+1

    def question(self, key: str) -> Question | None:
        return next((q for q in self.all_questions if q.key == key), None)

    @property
    def all_questions(self) -> tuple[Question, ...]:
        narrative = Question("narrative", Kind.TEXTAREA, LONG, required=self.narrative_required)
        return (*self.questions, Question("when", Kind.DATE), narrative)


_SITE = Question("site")
_GIVEN = Question("given", Kind.CHECKS, options=("password", "card", "identity", "unsure"))
_PAID_HOW = Question(
    "paid_how", Kind.RADIO, options=("transfer", "card", "crypto", "vouchers", "other")
)
_PLATFORM = Question("platform")
_OFFENDER = Question("offender")

PATHS: dict[str, ReportPath] = {
    p.key: p
    for p in (
        ReportPath(
            "phishing",
            "phishing",
            "P3",
            (_SITE, _GIVEN),
            raised_by={"given": frozenset({"password", "card", "identity"})},
        ),
        ReportPath(
            "money",
            "masquerade",
            "P2",
            (
                Question("amount", max_length=40),
                _PAID_HOW,
                Question("paid_to"),
            ),
        ),
        ReportPath(
            "ransom",
            "infected-system",
            "P2",
            (
                Question("scope", Kind.RADIO, options=("one", "several", "organisation")),
                Question("ransom_contact"),
            ),
            raised_by={"scope": frozenset({"organisation"})},
        ),
        ReportPath(
            "intimate",
            "harmful-speech",
            "P1",
            (_PLATFORM, _OFFENDER, Question("paid", Kind.RADIO, options=("yes", "no"))),
        ),
        ReportPath("harassment", "harmful-speech", "P2", (_PLATFORM, _OFFENDER)),
        ReportPath(
            "account",
            "unprivileged-account-compromise",
            "P3",
            (Question("service"), Question("access", Kind.RADIO, options=("yes", "no"))),
        ),
        ReportPath(
            "device",
            "infected-system",
            "P4",
            (Question("device", Kind.RADIO, options=("phone", "computer", "tablet", "other")),),
        ),
        ReportPath(
            "service",
            "outage",
            "P3",
            (_SITE, Question("what", Kind.RADIO, options=("down", "defaced"), required=True)),
        ),
        ReportPath("vulnerability", "vulnerable-system", "P4", (_SITE,), narrative_required=True),
        ReportPath("other", "undetermined", "P4", (), narrative_required=True),
    )
}
DEFACED_TYPE = "unauthorised-information-modification"  # RSIT's word for a defacement


class ReporterKind(StrEnum):
    SELF = "self"
    OTHER = "other"  # on someone else's behalf
    ORGANISATION = "organisation"


FLAGS = ("child", "older", "disability")  # the person harmed is…; each raises the priority
# what the desk reads: "the person harmed is a child", … (the portal's words are its catalogues')
HARMED = {
    "child": "a child",
    "older": "an older person",
    "disability": "a person with a disability",
}
# the sectors offered to organisations (the registry's names); critical ones raise the priority
REPORT_SECTORS = (
    "parliament",
    "elections",
    "public-administration",
    "health",
    "energy",
    "transport",
    "banking",
    "drinking-water",
    "digital-infrastructure",
    "telecommunications",
    "education",
    "media",
    "civil-society",
    "private",
    "other",
)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,40}$")


@dataclass(frozen=True, slots=True)
class Who:
    """Who reports, cleaned: everything here but ``kind``, ``sector`` and ``flags`` is identity
    and contact, kept apart from the incident."""

    kind: ReporterKind
    anonymous: bool
    sector: str | None = None
    flags: tuple[str, ...] = ()
    name: str = ""
    email: str = ""
    phone: str = ""
    victim_name: str = ""
    org_name: str = ""
    interpreter: str = ""

    @property
    def contact(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("name", self.name),
                ("email", self.email),
                ("phone", self.phone),
                ("victim_name", self.victim_name),
                ("org_name", self.org_name),
                ("interpreter", self.interpreter),
            )
            if v
        }


Answers = dict[str, str | list[str]]
Errors = dict[str, str]  # field → error code


def _text(raw: Mapping[str, Sequence[str]], key: str) -> str:
    values = raw.get(key) or ()
    return values[0].strip() if values else ""


def _length(errors: Errors, key: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[key] = "too_long"


def clean_path(raw: Mapping[str, Sequence[str]]) -> tuple[ReportPath | None, Errors]:
    key = _text(raw, "path")
    if key in PATHS:
        return PATHS[key], {}
    return None, {"path": "required" if not key else "not_an_option"}


def clean_answers(path: ReportPath, raw: Mapping[str, Sequence[str]]) -> tuple[Answers, Errors]:
    """The path's answers from a submitted form, with an error code per refused field."""
    answers: Answers = {}
    errors: Errors = {}
    for q in path.all_questions:
        answer, error = _answer(q, raw)
        if error:
            errors[q.key] = error
        elif answer:
            answers[q.key] = answer
    return answers, errors


def _answer(q: Question, raw: Mapping[str, Sequence[str]]) -> tuple[str | list[str], str | None]:
    """One question's answer (empty when not given), or the code of the error refusing it."""
    if q.kind is Kind.CHECKS:
        chosen = [v for v in dict.fromkeys(raw.get(q.key) or ()) if v]
        if any(v not in q.options for v in chosen):
            return [], "not_an_option"
        return chosen, None
    value = _text(raw, q.key)
    if not value:
        return "", "required" if q.required else None
    if len(value) > q.max_length:  # the length is checked last, and its error is the one shown
        return "", "too_long"
    if q.kind is Kind.RADIO and value not in q.options:
        return "", "not_an_option"
    if q.kind is Kind.DATE and not _is_date(value):
        return "", "bad_date"
    return value, None


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def clean_who(raw: Mapping[str, Sequence[str]]) -> tuple[Who | None, Errors]:
    errors: Errors = {}
    kind = _reporter(raw, errors)
    sector = _sector(raw, kind, errors)
    flags = tuple(f for f in FLAGS if f in (raw.get("flags") or ()))
    if any(f not in FLAGS for f in raw.get("flags") or ()):
        errors["flags"] = "not_an_option"
    contact = _text(raw, "contact")
    if contact not in ("yes", "anonymous"):
        errors["contact"] = "required" if not contact else "not_an_option"
    anonymous = contact == "anonymous"
    values = _identity(raw, contact, errors)
    if anonymous:  # what an anonymous reporter typed is dropped, never kept, but for the name
        # of an organisation: not a person's identity, and the desk needs to know whom it is about
        values = {k: v if k == "org_name" else "" for k, v in values.items()}
    if kind is not ReporterKind.OTHER:
        values["victim_name"] = ""
    if kind is not ReporterKind.ORGANISATION:
        values["org_name"] = ""
    if errors:
        return None, errors
    return Who(kind, anonymous, sector, flags, **values), {}


def _reporter(raw: Mapping[str, Sequence[str]], errors: Errors) -> ReporterKind:
    """Who reports (for whom); an error recorded when missing or unknown."""
    try:
        return ReporterKind(_text(raw, "reporter"))
    except ValueError:
        errors["reporter"] = "required" if not _text(raw, "reporter") else "not_an_option"
        return ReporterKind.SELF


def _sector(raw: Mapping[str, Sequence[str]], kind: ReporterKind, errors: Errors) -> str | None:
    """The sector of a reporting organisation (required of one); None for anyone else."""
    sector = _text(raw, "sector") or None
    if kind is not ReporterKind.ORGANISATION:
        return None
    if sector not in REPORT_SECTORS:
        errors["sector"] = "required" if sector is None else "not_an_option"
    return sector


def _identity(raw: Mapping[str, Sequence[str]], contact: str, errors: Errors) -> dict[str, str]:
    """Names and means of contact as typed, with their errors: all within their length; an
    e-mail address and a phone number well formed unless the reporter stays anonymous (what
    they typed is dropped, not checked); one of them given when the reporter wants contact."""
    values = {k: _text(raw, k) for k in ("name", "email", "phone", "victim_name", "org_name")}
    values["interpreter"] = _text(raw, "interpreter")
    for key, value in values.items():
        _length(errors, key, value, 254 if key == "email" else SHORT)
    if contact != "anonymous":
        _check_means(values, errors)
    if contact == "yes" and not (values["email"] or values["phone"]):
        errors["email"] = "need_contact"
    return values


def _check_means(values: dict[str, str], errors: Errors) -> None:
    """An e-mail address and a phone number, when given and of a fit length, well formed."""
    if values["email"] and "email" not in errors and not _EMAIL.match(values["email"]):
        errors["email"] = "bad_email"
    if values["phone"] and "phone" not in errors and not _PHONE.match(values["phone"]):
        errors["phone"] = "bad_phone"


def classify(path: ReportPath, answers: Answers, who: Who) -> tuple[str, str]:
    """The RSIT type and the priority: the path's own, raised one step by an answer that makes
    it worse, once more by a critical sector (parliament and elections included), and once more
    when the person harmed is a child, an older person or a person with a disability."""
    kind = DEFACED_TYPE if path.key == "service" and answers.get("what") == "defaced" else path.type
    steps = 0
    for key, worse in path.raised_by.items():
        given = answers.get(key)
        chosen = set(given) if isinstance(given, list) else {given}
        if chosen & worse:
            steps += 1
    if who.sector in CRITICAL_SECTORS:
        steps += 1
    if who.flags:
        steps += 1
    index = max(PRIORITIES.index(path.priority) - steps, 0)
    return kind, PRIORITIES[index]


class Stage(StrEnum):
    """Where a report stands, in the words its reporter reads."""

    RECEIVED = "received"
    READ = "read"
    WORKING = "working"
    WAITING = "waiting"
    DONE = "done"
    CLOSED = "closed"


STAGE_OF: dict[Status, Stage] = {
    Status.NEW: Stage.RECEIVED,
    Status.ACKNOWLEDGED: Stage.READ,
    Status.IN_PROGRESS: Stage.WORKING,
    Status.WAITING: Stage.WAITING,
    Status.RESOLVED: Stage.DONE,
    Status.CLOSED: Stage.CLOSED,
}


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    reference: str
    path: str
    lang: str
    created: int
    incident_id: int
    answers: Answers
    reporter_kind: ReporterKind
    anonymous: bool
    sector: str | None = None
    flags: tuple[str, ...] = ()
    files: int = 0
