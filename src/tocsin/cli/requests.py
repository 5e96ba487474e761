"""``tocsin requests`` and ``tocsin contacts``: the register of requests for assistance and the
directory of 24/7 contacts from the command line. A command acts as the local administrator, or
for the person ``--as`` names (proven by their token in ``TOCSIN_TOKEN`` or their password);
``requests approve`` always acts for a person: a second person approves a request (four eyes).
``--json`` prints what a command shows as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from tocsin.cli.common import cells, desk, out, shown
from tocsin.cli.person import As, acting, person
from tocsin.services.desk import Desk
from tocsin.services.types import Contact, Request, Result

requests_app = typer.Typer(
    help="Requests for assistance to and from counterparts abroad (Budapest Convention, its "
    "Second Protocol, EU e-Evidence, UN Convention, bilateral treaties)."
)
contacts_app = typer.Typer(help="The directory of 24/7 points of contact and central authorities.")

Ref = Annotated[str, typer.Argument(help="The request: RFA-2026-0001 (or its number).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ContactId = Annotated[int, typer.Argument(help="The contact's number.", min=1)]


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "-"


def _pairs(option: str, given: list[str] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in given or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter("NAME=TEXT", param_hint=f"'{option}'")
        found[key.strip()] = value
    return found


def request_json(request: Request) -> dict[str, Any]:
    return {
        "id": request.id,
        "ref": request.ref,
        "direction": request.direction.value,
        "basis": request.basis.value,
        "state": request.state.value,
        "title": request.title,
        "counterpart_id": request.counterpart_id,
        "their_ref": request.their_ref,
        "emergency": request.emergency,
        "urgent": request.urgent,
        "justification": request.justification,
        "elements": dict(request.elements),
        "identifiers": [i.as_json() for i in request.identifiers],
        "safeguards": request.safeguards.as_json(),
        "tlp": request.tlp,
        "language": request.language,
        "parent_id": request.parent_id,
        "link": request.link.value,
        "outcome": request.outcome,
        "outcome_note": request.outcome_note,
        "incident_ids": list(request.incident_ids),
        "created_at": request.created_at.isoformat(),
        "sent_at": request.sent_at.isoformat() if request.sent_at else None,
        "closed_at": request.closed_at.isoformat() if request.closed_at else None,
    }


def contact_json(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "country": contact.country,
        "authority": contact.authority,
        "kind": contact.kind,
        "channel": contact.channel,
        "address": contact.address,
        "languages": list(contact.languages),
        "timezone": contact.timezone,
        "office_hours": contact.office_hours,
        "version": contact.version,
        "confirmed_at": contact.confirmed_at.isoformat() if contact.confirmed_at else None,
    }


def _print_json(value: Any) -> None:
    typer.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


def _done(result: Result, as_json: bool, said: str) -> None:
    if as_json:
        _print_json({**request_json(result.request), "warnings": list(result.warnings)})
        return
    out.print(shown(said))
    for warning in result.warnings:
        out.print(shown(f"warning: {warning}"))


def _find(d: Desk, ref: str, as_: str | None) -> tuple[Any, Request]:
    who = acting(d, as_)
    return who, d.assist.find(who, ref)


# -- requests ------------------------------------------------------------------------------------


@requests_app.command("new")
def new(
    basis: Annotated[str, typer.Option(help="BC-29, BC-30, BC-31, P2-6, EPOC, EPOC-PR, …")],
    title: Annotated[str, typer.Option(help="What is asked, in one line.")],
    element: Annotated[
        list[str] | None, typer.Option(help="ID=TEXT, an element of the basis (repeat).")
    ] = None,
    safeguard: Annotated[
        list[str] | None,
        typer.Option(help="NAME=TEXT: necessity, approving_authority, data_categories, …"),
    ] = None,
    incoming: Annotated[bool, typer.Option("--incoming", help="A counterpart asks us.")] = False,
    counterpart: Annotated[int | None, typer.Option(help="The contact's number.")] = None,
    their_ref: Annotated[str, typer.Option(help="The other authority's case reference.")] = "",
    emergency: Annotated[
        bool, typer.Option("--emergency", help="Imminent risk to life or safety.")
    ] = False,
    urgent: Annotated[bool, typer.Option("--urgent", help="To be acknowledged within 8 h.")] = (
        False
    ),
    justification: Annotated[str, typer.Option(help="The emergency's justification.")] = "",
    tlp: Annotated[str, typer.Option(help="The request's TLP.")] = "AMBER",
    language: Annotated[str, typer.Option(help="The language of the form.")] = "en",
    as_: As = None,
    as_json: Json = False,
) -> None:
    """Register a request: an outgoing one as a draft, an incoming one as delivered."""
    with desk() as d:
        who = acting(d, as_)
        team = d.accounts.ensure_team() if who.org_id is None else who.org_id
        result = d.assist.create(
            who,
            basis=basis,
            title=title,
            direction="incoming" if incoming else "outgoing",
            elements=_pairs("--element", element),
            safeguards=_pairs("--safeguard", safeguard) or None,
            counterpart_id=counterpart,
            their_ref=their_ref,
            emergency=emergency,
            urgent=urgent,
            justification=justification,
            tlp=tlp,
            language=language,
            org_id=team,
        )
    request = result.request
    _done(result, as_json, f"{request.ref} {request.state.label}")


@requests_app.command("list")
def list_requests(
    direction: Annotated[str | None, typer.Option(help="incoming or outgoing.")] = None,
    state: Annotated[str | None, typer.Option(help="Only requests in this state.")] = None,
    basis: Annotated[str | None, typer.Option(help="Only requests on this basis.")] = None,
    emergency: Annotated[
        bool | None, typer.Option("--emergency/--no-emergency", help="Only (or no) emergencies.")
    ] = None,
    as_: As = None,
    as_json: Json = False,
) -> None:
    """The register: emergencies first, then the newest first."""
    with desk() as d:
        found = d.assist.register(
            acting(d, as_), direction=direction, state=state, basis=basis, emergency=emergency
        )
    if as_json:
        _print_json([request_json(r) for r in found])
        return
    table = Table("request", "way", "basis", "state", "title", "emergency", box=None)
    for r in found:
        table.add_row(
            *cells(
                r.ref,
                "in" if r.direction.value == "incoming" else "out",
                r.basis.value,
                r.state.label,
                r.title,
                "EMERGENCY" if r.emergency else "",
            )
        )
    out.print(table)


@requests_app.command("show")
def show(ref: Ref, as_: As = None, as_json: Json = False) -> None:
    """A request: its elements, safeguards, links and history."""
    with desk() as d:
        who, request = _find(d, ref, as_)
        steps = d.assist.steps(who, request.id)
        warnings = d.assist.warnings(request)
    if as_json:
        _print_json(
            {
                **request_json(request),
                "steps": [
                    {"at": s.at.isoformat(), "state": s.state.value, "note": s.note} for s in steps
                ],
                "warnings": list(warnings),
            }
        )
        return
    lines = [
        f"{request.ref}  {request.title}",
        f"{request.direction.value} {request.basis.value}   state: {request.state.label}   "
        f"TLP:{request.tlp}" + ("   EMERGENCY" if request.emergency else ""),
        f"their reference: {request.their_ref}" if request.their_ref else "",
        f"outcome: {request.outcome} {request.outcome_note}".rstrip() if request.outcome else "",
        *(f"{k}: {v}" for k, v in request.elements.items()),
        *(f"safeguard {k}: {v}" for k, v in request.safeguards.as_json().items() if v),
        *(f"identifier {i.kind}: {i.value}" for i in request.identifiers),
        *(f"incident #{i}" for i in request.incident_ids),
        *(f"{_when(s.at)} {s.state.label} {s.note}".rstrip() for s in steps),
        *(f"warning: {w}" for w in warnings),
    ]
    out.print(*(shown(line, lines=True) for line in lines if line), sep="\n")


@requests_app.command("move")
def move(
    ref: Ref,
    state: Annotated[str, typer.Argument(help="awaiting_approval, sent, acknowledged, …")],
    code: Annotated[
        str, typer.Option(help="The ground of a refusal, reason of a non-execution.")
    ] = (""),
    note: Annotated[str, typer.Option(help="What is said with the move.")] = "",
    as_: As = None,
    as_json: Json = False,
) -> None:
    """Move a request along its lifecycle; an illegal move names the allowed ones."""
    with desk() as d:
        who, request = _find(d, ref, as_)
        result = d.assist.move(who, request.id, state, code=code, note=note)
    _done(result, as_json, f"{result.request.ref} is {result.request.state.label}")


@requests_app.command("approve")
def approve(
    ref: Ref,
    note: Annotated[str, typer.Option(help="Said with it.")] = "",
    as_: As = None,
    as_json: Json = False,
) -> None:
    """Approve a request awaiting approval, as a second person who proves it (--as and their
    password, or their token in TOCSIN_TOKEN): not the one who drafted it."""
    with desk() as d:
        who = person(d, as_)
        result = d.assist.approve(who, d.assist.find(who, ref).id, note=note)
    _done(result, as_json, f"{result.request.ref} is approved")


# -- contacts ------------------------------------------------------------------------------------


@contacts_app.command("add")
def contacts_add(
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2: FR, DE, BR…")],
    authority: Annotated[str, typer.Option(help="The authority's name.")],
    channel: Annotated[str, typer.Option(help="tocsin, email, phone, e-codex or post.")],
    address: Annotated[str, typer.Option(help="Where the channel reaches it.")],
    languages: Annotated[str, typer.Option(help="en,fr: the preferred first.")],
    timezone: Annotated[str, typer.Option(help="IANA: Europe/Paris.")],
    kind: Annotated[str, typer.Option(help="24/7, central_authority, provider, registrar.")] = (
        "24/7"
    ),
    office_hours: Annotated[str, typer.Option(help="Mo-Fr 08:00-18:00 or 24/7.")] = "24/7",
    notes: Annotated[str, typer.Option(help="Anything else.")] = "",
    as_: As = None,
    as_json: Json = False,
) -> None:
    """Add a contact to the directory."""
    with desk() as d:
        contact = d.contacts.add(
            acting(d, as_),
            country=country,
            authority=authority,
            channel=channel,
            address=address,
            languages=languages,
            timezone=timezone,
            kind=kind,
            office_hours=office_hours,
            notes=notes,
        )
    if as_json:
        _print_json(contact_json(contact))
        return
    out.print(shown(f"contact {contact.id}: {contact.authority} ({contact.country})"))


@contacts_app.command("list")
def contacts_list(
    country: Annotated[str | None, typer.Option(help="Only this country.")] = None,
    search: Annotated[str | None, typer.Option(help="Words in the name, address or notes.")] = None,
    as_: As = None,
    as_json: Json = False,
) -> None:
    """The directory, by country; a contact not confirmed for 12 months is marked stale."""
    with desk() as d:
        found = d.contacts.search(acting(d, as_), country=country, text=search)
        stale = {c.id for c in found if d.contacts.stale(c)}
    if as_json:
        _print_json([{**contact_json(c), "stale": c.id in stale} for c in found])
        return
    table = Table("id", "country", "authority", "channel", "address", "confirmed", box=None)
    for c in found:
        confirmed = _when(c.confirmed_at) + (" (stale)" if c.id in stale else "")
        table.add_row(*cells(c.id, c.country, c.authority, c.channel, c.address, confirmed))
    out.print(table)
