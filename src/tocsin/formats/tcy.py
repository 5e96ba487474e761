"""A request for assistance printed in the layout of the Council of Europe's T-CY templates.

T-CY(2018)11 (data preservation request under Budapest Convention Art. 29 and 30) and
T-CY(2018)10 (mutual legal assistance request under Art. 31) share sections 1–7: date, reference,
request status, requested authority, requesting authority, contact for additional confirmation,
investigative authority; the Art. 31 template adds 8 prosecution office or court, 9 previous MLA
request, 10 previous preservation request. Then come the elements the basis asks for (Art. 29(2)
(a)–(f) for a preservation request; ``tocsin.model.assist.bases.ELEMENTS`` for every basis), the
identifiers with their port, UTC time and flags, the scope and the confidentiality. Any other basis
is printed in a generic layout of the same sections and its own elements (``docs/assistance.md``).

``form`` builds a ``Form`` (pure data, the words from a label table ``tcy_labels/<language>.toml``;
a language without a table falls back to English and the footer says so); ``render_html`` and
``render_pdf`` (``tcy_pdf``) print it; ``print_request`` does both steps for the desk.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tocsin.formats.tcy_pdf import pdf
from tocsin.model.assist.bases import ELEMENTS, Basis
from tocsin.model.assist.request import Contact, Direction, Identifier, Request
from tocsin.model.tlp import TLP

DEFAULT = "en"


@dataclass(frozen=True, slots=True)
class Line:
    """One field of a section: its label and its value (may span lines)."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Section:
    number: str  # "1", "2"… as the template numbers them
    title: str
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Form:
    """A request ready to print: every word already in the form's language."""

    language: str  # the label table used
    asked: str  # the language asked for
    title: str
    layout: str  # "T-CY(2018)11", "T-CY(2018)10" or "" (generic)
    layout_label: str
    ref: str
    tlp: str  # "TLP:AMBER"
    banners: tuple[str, ...]  # emergency / urgent, at the top
    justification: tuple[Line, ...]  # the emergency's written justification
    sections: tuple[Section, ...]
    notes: tuple[str, ...]  # printed in the footer of every page (a fallback language…)
    page: str  # "Page {page} of {pages}"
    latin1_note: str  # the PDF's note when a letter falls outside its fonts
    date: datetime  # the request's date (the PDF's creation date: never the wall clock)


# Sections filled from ``ours``, our authority's details as the desk keeps them: (label, key).
_PARTY = (
    ("field.organisation", "organisation"),
    ("field.person", "person"),
    ("field.address", "address"),
    ("field.telephone", "telephone"),
    ("field.mobile", "mobile"),
    ("field.email", "email"),
    ("field.office_hours", "office_hours"),
    ("field.timezone", "timezone"),
    ("field.channel", "channel"),
)
_CONFIRMATION = (
    ("field.name", "confirmation_name"),
    ("field.job_title", "confirmation_title"),
    ("field.telephone", "confirmation_telephone"),
    ("field.mobile", "confirmation_mobile"),
    ("field.email", "confirmation_email"),
)
_INVESTIGATIVE = (
    ("field.authority", "investigative_authority"),
    ("field.person", "investigative_person"),
    ("field.telephone", "investigative_telephone"),
    ("field.email", "investigative_email"),
)
# T-CY(2018)10's sections 8–10, each one element of an Art. 31 request (model/assist/elements.py).
_STORED = (
    ("section.prosecution", "prosecution"),
    ("section.previous_mla", "mla_ref"),
    ("section.previous_preservation", "preservation_ref"),
)

_LAYOUTS = {
    Basis.BC_29: ("T-CY(2018)11", "title.preservation"),
    Basis.BC_30: ("T-CY(2018)11", "title.preservation"),
    Basis.BC_31: ("T-CY(2018)10", "title.stored"),
}


@cache
def _table(language: str) -> dict[str, dict[str, str]]:
    text = (
        resources.files("tocsin.formats")
        .joinpath(f"tcy_labels/{language}.toml")
        .read_text(encoding="utf-8")
    )
    data = tomllib.loads(text)
    return {group: dict(words) for group, words in data.items() if isinstance(words, dict)}


def languages() -> tuple[str, ...]:
    """The languages with a label table (ISO 639-1), English first."""
    folder = resources.files("tocsin.formats").joinpath("tcy_labels")
    found = sorted(item.name[:-5] for item in folder.iterdir() if item.name.endswith(".toml"))
    return (DEFAULT, *(code for code in found if code != DEFAULT))


def choose_language(contact: Contact | None, asked: str = "") -> str:
    """The language to print in: the one asked for, else the counterpart's first language that
    has a label table, else English."""
    have = languages()
    for code in (asked, *(contact.languages if contact else ())):
        if _code(code) in have:
            return _code(code)
    return DEFAULT


def _code(language: str) -> str:
    return language.strip().lower().replace("_", "-").split("-")[0]


class _Words:
    """A label table with English under it: a key the table lacks is printed in English."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._tables = (_table(language), _table(DEFAULT))

    def __call__(self, path: str, default: str = "") -> str:
        """The words at ``group.key``; ``default`` when no table has them, and a KeyError when
        there is no default (the English table must hold every word the form prints)."""
        group, key = path.split(".", 1)
        for table in self._tables:
            if key in table.get(group, {}):
                return table[group][key]
        if default:
            return default
        raise KeyError(f"no words for {path} in tcy_labels/{DEFAULT}.toml")


def form(
    request: Request, contact: Contact | None, *, ours: Mapping[str, str], language: str
) -> Form:
    """The request's printed form in ``language`` (English when it has no label table)."""
    asked = _code(language) or DEFAULT
    used = asked if asked in languages() else DEFAULT
    w = _Words(used)
    layout, title = _LAYOUTS.get(request.basis, ("", "title.generic"))
    notes = () if used == asked else (_Words(DEFAULT)("word.fallback").format(asked=asked),)
    banners = tuple(
        w(key)
        for key, on in (("word.emergency", request.emergency), ("word.urgent", request.urgent))
        if on
    )
    justification = (
        (Line(w("field.justification"), request.justification),) if request.emergency else ()
    )
    return Form(
        language=used,
        asked=asked,
        title=w(title),
        layout=layout,
        layout_label=f"{w('title.layout')} {layout}" if layout else "",
        ref=request.ref,
        tlp=TLP.parse(request.tlp).label,
        banners=banners,
        justification=justification,
        sections=_numbered(_sections(request, contact, ours, w), w),
        notes=notes,
        page=w("word.page"),
        latin1_note=w("word.latin1"),
        date=request.sent_at or request.created_at,
    )


def _sections(
    request: Request, contact: Contact | None, ours: Mapping[str, str], w: _Words
) -> list[tuple[str, tuple[Line, ...]]]:
    def pick(table: tuple[tuple[str, str], ...]) -> tuple[Line, ...]:
        return tuple(Line(w(label), ours.get(key, "")) for label, key in table)

    outgoing = request.direction is Direction.OUTGOING
    mine, theirs = pick(_PARTY), _contact_lines(contact, w)
    found = [
        ("section.date", (Line(w("field.date"), _day(request.sent_at or request.created_at)),)),
        ("section.reference", _reference(request, w)),
        ("section.status", _status(request, ours, w)),
        ("section.requested", theirs if outgoing else mine),
        ("section.requesting", mine if outgoing else theirs),
        ("section.confirmation", pick(_CONFIRMATION)),
        ("section.investigative", pick(_INVESTIGATIVE)),
    ]
    printed: set[str] = set()
    if request.basis is Basis.BC_31:
        found += [(title, (_element(request, key, w),)) for title, key in _STORED]
        printed = {key for _, key in _STORED}
    heading = "section.elements_29" if request.basis is Basis.BC_29 else "section.elements"
    return [
        *found,
        (heading, _elements(request, printed, w)),
        ("section.identifiers", tuple(_identifier(item, w) for item in request.identifiers)),
        ("section.scope", _scope(request, w)),
        ("section.confidentiality", _confidentiality(request, w)),
    ]


def _numbered(found: list[tuple[str, tuple[Line, ...]]], w: _Words) -> tuple[Section, ...]:
    return tuple(
        Section(str(number), w(title), lines) for number, (title, lines) in enumerate(found, 1)
    )


def _reference(request: Request, w: _Words) -> tuple[Line, ...]:
    ours, theirs = "field.ref_requesting", "field.ref_requested"
    if request.direction is Direction.INCOMING:
        ours, theirs = theirs, ours
    return (
        Line(w("field.legal_basis"), w(f"basis.{request.basis.value}", request.basis.value)),
        Line(w(ours), request.ref),
        Line(w(theirs), request.their_ref),
    )


def _status(request: Request, ours: Mapping[str, str], w: _Words) -> tuple[Line, ...]:
    previous = ours.get("previous_ref", "")
    status = w("word.extension") if previous else w("word.new")
    return (Line(w("field.status"), status), Line(w("field.previous_ref"), previous))


def _contact_lines(contact: Contact | None, w: _Words) -> tuple[Line, ...]:
    if contact is None:
        return (Line(w("field.organisation"), ""),)
    return (
        Line(w("field.country"), contact.country),
        Line(w("field.organisation"), contact.authority),
        Line(w("field.address"), contact.address),
        Line(w("field.channel"), contact.channel),
        Line(w("field.languages"), ", ".join(contact.languages)),
        Line(w("field.office_hours"), contact.office_hours),
        Line(w("field.timezone"), contact.timezone),
    )


def _elements(request: Request, printed: set[str], w: _Words) -> tuple[Line, ...]:
    """The basis's elements in its table's order (less those a section of the layout printed),
    then any other element the request holds: never dropped."""
    declared = [item.id for item in ELEMENTS.get(request.basis, ()) if item.id not in printed]
    extra = [key for key in request.elements if key not in declared and key not in printed]
    return tuple(_element(request, key, w) for key in (*declared, *extra))


def _element(request: Request, key: str, w: _Words) -> Line:
    """An element with its label: the label table's for this basis (``[element-BC-29]``), else
    the element's own (English) label, else its id."""
    own = {item.id: item.label for item in ELEMENTS.get(request.basis, ())}
    default = own.get(key) or key.replace("_", " ").capitalize()
    return Line(w(f"element-{request.basis.value}.{key}", default), request.elements.get(key, ""))


def _identifier(item: Identifier, w: _Words) -> Line:
    parts = [item.value]
    if item.port is not None:
        parts.append(f"{w('word.port')} {item.port}")
    if item.at is not None:
        when = f"{_moment(item.at)} {w('word.utc')}"
        parts.append(f"{when} ± {item.tolerance} s" if item.tolerance else when)
    if item.flags:
        parts.append(f"{w('word.flags')}: {'; '.join(item.flags)}")
    return Line(w(f"identifier.{item.kind}", item.kind), " · ".join(parts))


def _scope(request: Request, w: _Words) -> tuple[Line, ...]:
    safe = request.safeguards
    period = ""
    if safe.scope_from or safe.scope_to:
        start = f"{_moment(safe.scope_from)} {w('word.utc')}" if safe.scope_from else "…"
        end = f"{_moment(safe.scope_to)} {w('word.utc')}" if safe.scope_to else "…"
        period = f"{w('word.from')} {start} {w('word.to')} {end}"
    return (
        Line(w("field.data_categories"), ", ".join(safe.data_categories)),
        Line(w("field.period"), period),
        Line(w("field.necessity"), safe.necessity),
        Line(w("field.approving_authority"), safe.approving_authority),
        Line(w("field.retention"), _day(safe.retention_until) if safe.retention_until else ""),
        Line(w("field.onward_transfer"), safe.onward_transfer),
    )


def _confidentiality(request: Request, w: _Words) -> tuple[Line, ...]:
    key = "word.confidential" if request.safeguards.confidential else "word.not_confidential"
    return (Line("", w(key)),)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(moment: datetime) -> str:
    return _utc(moment).strftime("%d/%m/%Y")


def _moment(moment: datetime) -> str:
    """An instant to the second, ISO 8601 order (an identifier's time leaves no doubt)."""
    return _utc(moment).strftime("%Y-%m-%d %H:%M:%S")


_html = Environment(
    loader=PackageLoader("tocsin.formats", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(printed: Form) -> str:
    """The form as one HTML page (autoescaped; the TLP marking heads and foots every printed
    page)."""
    return _html.get_template("tcy.html").render(form=printed)


def render_pdf(printed: Form) -> bytes:
    """The form as a PDF with real text (``tocsin.formats.tcy_pdf``)."""
    return pdf(printed)


def print_request(
    request: Request,
    contact: Contact | None,
    ours: Mapping[str, str],
    language: str,
    kind: Literal["pdf", "html"],
) -> bytes:
    """The request printed as ``kind`` in ``language``: what the desk hands out."""
    printed = form(request, contact, ours=ours, language=language)
    if kind == "pdf":
        return render_pdf(printed)
    if kind == "html":
        return render_html(printed).encode("utf-8")
    raise ValueError("a request prints as pdf or html")
