"""``tocsin requests``: the register of requests for assistance from the command line. A
command acts as the local administrator, or for the person ``--as`` names (proven by their token
in ``TOCSIN_TOKEN`` or their password); ``requests approve`` always acts for a person: a second
person approves a request (four eyes). ``--json`` prints what a command shows as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from tocsin.cli.common import cells, desk, out, shown
from tocsin.cli.person import As, acting, person
from tocsin.services.desk import Desk
from tocsin.services.types import Request, Result

requests_app = typer.Typer(
    help="Requests for assistance to and from counterparts abroad (Budapest Convention, its "
    "Second Protocol, EU e-Evidence, UN Convention, bilateral treaties)."
)

Ref = Annotated[str, typer.Argument(help="The request: RFA-2026-0001 (or its number).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "-"


def _pairs(option: str, given: list[str] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in given or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter("NAME=TEXT", param_hint=f"'{option}'")
        found[key.strip()] = value
    return found


def _identifiers(given: list[str] | None) -> list[dict[str, str]]:
    """``KIND=VALUE`` with its details after spaces: ``ipv4=192.0.2.7 port=51234
    at=2026-11-27T03:12:09Z tolerance=2``. The service checks each (a time without its zone is
    refused, an address without port and time is flagged)."""
    found: list[dict[str, str]] = []
    for item in given or []:
        first, *details = item.split()
        kind, sep, value = first.partition("=")
        if not sep or not kind or not value:
            raise typer.BadParameter(
                "KIND=VALUE [port=N] [at=TIME] [tolerance=S]", param_hint="'--identifier'"
            )
        found.append({"kind": kind, "value": value, **_pairs("--identifier", details)})
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


def print_json(value: Any) -> None:
    typer.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


def _done(result: Result, as_json: bool, said: str) -> None:
    if as_json:
        print_json({**request_json(result.request), "warnings": list(result.warnings)})
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
    identifier: Annotated[
        list[str] | None,
        typer.Option(
            help="KIND=VALUE [port=N] [at=TIME] [tolerance=S]: ipv4, ipv6, email, phone, "
            "account_url, domain, tx_hash (repeat)."
        ),
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
            identifiers=_identifiers(identifier),
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
        print_json([request_json(r) for r in found])
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
        print_json(
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
        *(f"{when(s.at)} {s.state.label} {s.note}".rstrip() for s in steps),
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


@requests_app.command("link")
def link(
    ref: Ref,
    incident: Annotated[int, typer.Argument(help="The incident's number.", min=1)],
    as_: As = None,
) -> None:
    """Link an incident (one the person may see) to a request."""
    with desk() as d:
        who, request = _find(d, ref, as_)
        found = d.assist.link_incident(who, request.id, incident)
    out.print(shown(f"{found.ref} linked to incident #{incident}"))


@requests_app.command("follow-up")
def follow_up(ref: Ref, as_: As = None, as_json: Json = False) -> None:
    """Draft the request that obtains what this one preserved (Art. 29 → Art. 31, EPOC-PR →
    EPOC), pre-filled."""
    with desk() as d:
        who, request = _find(d, ref, as_)
        result = d.assist.follow_up(who, request.id)
    _done(result, as_json, f"{result.request.ref} follows {request.ref}")


@requests_app.command("next-hop")
def next_hop(
    ref: Ref,
    country: Annotated[str, typer.Option(help="Where the provider named in the answer is.")],
    provider: Annotated[str, typer.Option(help="The provider the answer names.")],
    contact: Annotated[
        int | None, typer.Option(help="Its 24/7 contact (else the directory's).")
    ] = (None),
    as_: As = None,
    as_json: Json = False,
) -> None:
    """Draft the Art. 29 request to the country an Art. 30 answer points to, pre-filled."""
    with desk() as d:
        who, request = _find(d, ref, as_)
        result = d.assist.next_hop(
            who, request.id, country=country, provider=provider, contact_id=contact
        )
    _done(result, as_json, f"{result.request.ref} is the next hop of {request.ref}")


@requests_app.command("ledger")
def ledger(
    ref: Ref,
    kind: Annotated[
        str | None,
        typer.Option(
            help="Add an entry: purpose, recipient, retention, access_request, "
            "rectification_request or breach."
        ),
    ] = None,
    text: Annotated[str, typer.Option(help="The entry's text.")] = "",
    as_: As = None,
    as_json: Json = False,
) -> None:
    """The request's personal-data ledger; with --kind and --text, add an entry first."""
    with desk() as d:
        who, request = _find(d, ref, as_)
        if kind is not None:
            d.assist.ledger.add(who, request.id, kind=kind, text=text)
        entries = d.assist.ledger.entries(who, request.id)
    if as_json:
        print_json([{"at": e.at.isoformat(), "kind": e.kind, "text": e.text} for e in entries])
        return
    for e in entries:
        out.print(shown(f"{when(e.at)} {e.kind}: {e.text}"))
