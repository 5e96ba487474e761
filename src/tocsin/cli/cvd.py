"""``tocsin cvd``: coordinated vulnerability disclosure from the command line. ``cvd move`` decides
a case's course (triage, publication, rejection) in a person's name, so it acts for a person who
proves it (``cli.person``: their API token in ``TOCSIN_TOKEN``, or ``--as`` and their password);
the other commands act as the local administrator (the audit log names the system account), like
the desk's commands."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import orjson
import typer
from rich.table import Table

from tocsin.cli.common import cells, desk, operator, out, shown
from tocsin.cli.person import As, person
from tocsin.formats.csaf import Publisher
from tocsin.model.cvd import Case
from tocsin.model.numbers import MAX_ID, parse_id
from tocsin.services.desk import Desk

cvd_app = typer.Typer(
    help="Coordinated vulnerability disclosure: cases, vendors, the log, CSAF 2.0 advisories."
)

Ref = Annotated[str, typer.Argument(help="The case: TOCSIN-VU-2026-0001 (or its number).")]


def _case(d: Desk, ref: str) -> Case:
    number = parse_id(ref.strip())
    cvd = d.cvd
    return cvd.by_public_id(operator(), ref) if number is None else cvd.get(operator(), number)


def _when(at: int | None) -> str:
    return datetime.fromtimestamp(at, tz=UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "-"


@cvd_app.command("add")
def add(
    title: Annotated[str, typer.Option(help="What is vulnerable, in one line.")],
    reporter: Annotated[str, typer.Option(help="Who reported it (their name).")],
    contact: Annotated[str, typer.Option(help="How to reach the reporter (personal data).")] = "",
    credit: Annotated[str, typer.Option(help="Thank the reporter by name, anonymous or none.")] = (
        "name"
    ),
    anonymous: Annotated[
        bool, typer.Option("--anonymous", help="Name the reporter to no vendor and no advisory.")
    ] = False,
    vendor: Annotated[list[str] | None, typer.Option(help="A vendor (repeat for more).")] = None,
    product: Annotated[
        list[str] | None,
        typer.Option(help="VENDOR=CPE-2.3-name-or-purl, an affected product (repeat for more)."),
    ] = None,
    description: Annotated[str, typer.Option(help="The vulnerability.")] = "",
    impact: Annotated[str, typer.Option(help="What an attacker gains.")] = "",
    tlp: Annotated[str, typer.Option(help="The case's TLP.")] = "AMBER",
    cvss: Annotated[str | None, typer.Option(help="A CVSS v3.1 vector.")] = None,
    cwe: Annotated[str | None, typer.Option(help="CWE-79 (give --cwe-name too).")] = None,
    cwe_name: Annotated[str | None, typer.Option(help="The weakness's CWE name.")] = None,
    cve: Annotated[str | None, typer.Option(help="CVE-2026-12345.")] = None,
    embargo: Annotated[str | None, typer.Option(help="Planned publication: 2026-12-15T09:00.")] = (
        None
    ),
    zone: Annotated[str, typer.Option(help="The embargo's IANA time zone.")] = "UTC",
) -> None:
    """Open a vulnerability case (state received); print its public id."""
    pairs = [p.partition("=") for p in product or []]
    if any(not sep or not v.strip() for v, sep, _ in pairs):
        raise typer.BadParameter("VENDOR=IDENTIFIER (cpe:2.3:… or pkg:…)", param_hint="'--product'")
    with desk() as d:
        team = d.accounts.ensure_team()
        case = d.cvd.create(
            operator(),
            title=title,
            reporter=reporter,
            contact=contact,
            credit=credit,
            anonymous=anonymous,
            vendors=vendor or [],
            products=[(v, i) for v, _, i in pairs],
            org_id=team,
            description=description,
            impact=impact,
            tlp=tlp,
            cvss=cvss,
            cwe_id=cwe,
            cwe_name=cwe_name,
            cve_id=cve,
            embargo=embargo,
            zone=zone,
        )
    out.print(shown(f"added {case.public_id}: {case.title}"))


@cvd_app.command("list")
def list_cases(
    state: Annotated[str | None, typer.Option(help="Only cases in this state.")] = None,
    limit: Annotated[
        int, typer.Option(help="At most this many, newest first.", min=1, max=MAX_ID)
    ] = 100,
) -> None:
    """List vulnerability cases with state, vendors, CVSS and embargo."""
    with desk() as d:
        cases = d.cvd.list_cases(operator(), state=state, limit=limit)
    table = Table("case", "state", "title", "vendors", "cvss", "embargo", box=None)
    for c in cases:
        table.add_row(
            *cells(
                c.public_id,
                c.state.label,
                c.title,
                ", ".join(v.name for v in c.vendors) or "-",
                f"{c.cvss.score}" if c.cvss else "-",
                str(c.embargo) if c.embargo else "-",
            )
        )
    out.print(table)


@cvd_app.command("show")
def show(ref: Ref) -> None:
    """Show a case: details, vendors, products, dates, the communication log and the reporter's
    contact (its reading is audited)."""
    with desk() as d:
        case = _case(d, ref)
        contact = d.cvd.contact(operator(), case.id)
        messages = d.cvd.messages(operator(), case.id)
    reporter = case.reporter
    lines = [
        f"{case.public_id}  {case.title}",
        f"state: {case.state.label}   TLP:{case.tlp}",
        f"reporter: {reporter.name} <{contact or '-'}>, credit {reporter.credit.value}"
        + (", anonymous" if reporter.anonymous else ""),
        f"CVSS: {case.cvss.vector} ({case.cvss.score} {case.cvss.severity})" if case.cvss else "",
        f"{case.cwe[0]}: {case.cwe[1]}" if case.cwe else "",
        f"CVE: {case.cve}" if case.cve else "",
        f"embargo: {case.embargo}" if case.embargo else "embargo: none",
        f"duplicate of {case.duplicate_of}" if case.duplicate_of else "",
        f"received {_when(case.received_at)}, acknowledged {_when(case.acknowledged_at)}, "
        f"vendor contacted {_when(case.vendor_contacted_at)}, "
        f"published {_when(case.published_at)}",
        case.description,
        f"impact: {case.impact}" if case.impact else "",
    ]
    for vendor in case.vendors:
        lines.append(f"vendor {vendor.name}: {vendor.status.label}")
        for p in (p for p in case.products if p.vendor_id == vendor.id):
            lines.append(f"  {p.status.value}: {p.name} {p.version or ''} {p.identifier}")
    for m in messages:
        arrow = "→" if m.direction.value == "out" else "←"
        lines.append(f"{_when(m.at)} {arrow} {m.party} TLP:{m.tlp} ({m.actor}): {m.text}")
    out.print(*(shown(line, lines=True) for line in lines if line), sep="\n")


@cvd_app.command("move")
def move(
    ref: Ref,
    state: Annotated[str, typer.Argument(help="triaged, vendors_notified, fix_in_progress, …")],
    comment: Annotated[str, typer.Option(help="Why.")] = "",
    of: Annotated[str | None, typer.Option("--of", help="For duplicate: the original.")] = None,
    as_: As = None,
) -> None:
    """Move a case along its workflow, as a person who proves it (--as and their password, or
    their token in TOCSIN_TOKEN); an illegal move names the allowed ones. Publishing is refused
    before the embargo."""
    with desk() as d:
        who = person(d, as_)
        case = d.cvd.move(who, _case(d, ref).id, state, comment=comment, duplicate_of=of)
    out.print(shown(f"{case.public_id} is {case.state.label}"))


@cvd_app.command("log")
def log(
    ref: Ref,
    text: Annotated[str, typer.Option(help="What was said.")],
    party: Annotated[str, typer.Option(help="reporter, a vendor's name, another coordinator.")],
    direction: Annotated[str, typer.Option(help="out (sent) or in (received).")] = "out",
    tlp: Annotated[str, typer.Option(help="The message's TLP.")] = "AMBER",
) -> None:
    """Write one message to the communication log."""
    with desk() as d:
        case = _case(d, ref)
        d.cvd.log(operator(), case.id, direction=direction, party=party, text=text, tlp=tlp)
    out.print(shown(f"logged on {case.public_id}"))


@cvd_app.command("vendor")
def vendor(
    ref: Ref,
    name: Annotated[str, typer.Argument(help="The vendor (added when new).")],
    status: Annotated[
        str | None,
        typer.Option(help="contacted, acknowledged, fix_available, will_not_fix, unresponsive."),
    ] = None,
    advice: Annotated[str | None, typer.Option(help="What users should do.")] = None,
) -> None:
    """Add a vendor to a case, or set its status and advice."""
    with desk() as d:
        case = d.cvd.set_vendor(operator(), _case(d, ref).id, name, status, advice=advice)
    found = case.vendor(name)
    out.print(shown(f"{case.public_id}: {name} {found.status.label if found else ''}"))


@cvd_app.command("product")
def product(
    ref: Ref,
    identifier: Annotated[str, typer.Argument(help="A CPE 2.3 name or a package URL.")],
    vendor: Annotated[str | None, typer.Option(help="Its vendor (to add it).")] = None,
    name: Annotated[str | None, typer.Option(help="Its name (else read from the id).")] = None,
    version: Annotated[str | None, typer.Option(help="Its version (else read from the id).")] = (
        None
    ),
    status: Annotated[str, typer.Option(help="affected or fixed.")] = "affected",
) -> None:
    """Add a product to a case (with --vendor), or set a product's status."""
    with desk() as d:
        case_id = _case(d, ref).id
        if vendor is not None:
            d.cvd.add_product(
                operator(),
                case_id,
                vendor=vendor,
                identifier=identifier,
                name=name,
                version=version,
                status=status,
            )
        else:
            d.cvd.set_product(operator(), case_id, identifier, status)
    out.print(shown(f"{identifier}: {status}"))


@cvd_app.command("set")
def set_fields(
    ref: Ref,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    description: Annotated[str | None, typer.Option(help="The vulnerability.")] = None,
    impact: Annotated[str | None, typer.Option(help="What an attacker gains.")] = None,
    tlp: Annotated[str | None, typer.Option(help="The case's TLP.")] = None,
    cvss: Annotated[str | None, typer.Option(help="A CVSS v3.1 vector.")] = None,
    cwe: Annotated[str | None, typer.Option(help="CWE-79 (with --cwe-name).")] = None,
    cwe_name: Annotated[str | None, typer.Option(help="The weakness's CWE name.")] = None,
    cve: Annotated[str | None, typer.Option(help="CVE-2026-12345.")] = None,
    embargo: Annotated[str | None, typer.Option(help="2026-12-15T09:00; '' lifts it.")] = None,
    zone: Annotated[str | None, typer.Option(help="The embargo's IANA time zone.")] = None,
) -> None:
    """Change what the advisory will say, or the embargo."""
    with desk() as d:
        case = d.cvd.update(
            operator(),
            _case(d, ref).id,
            title=title,
            description=description,
            impact=impact,
            tlp=tlp,
            cvss=cvss,
            cwe_id=cwe,
            cwe_name=cwe_name,
            cve_id=cve,
            embargo=embargo,
            zone=zone,
        )
    out.print(shown(f"updated {case.public_id}"))


@cvd_app.command("assign")
def assign(
    ref: Ref,
    username: Annotated[str | None, typer.Argument(help="Who handles it (none: nobody).")] = None,
) -> None:
    """Give a case a handler (they read the reporter's contact)."""
    with desk() as d:
        handler = d.accounts.principal_named(username) if username else None
        case = d.cvd.assign(operator(), _case(d, ref).id, handler.user_id if handler else None)
    out.print(shown(f"{case.public_id} handled by {username or 'nobody'}"))


@cvd_app.command("concern")
def concern(
    ref: Ref,
    constituent: Annotated[
        list[str] | None, typer.Option(help="A constituent concerned (repeat for more).")
    ] = None,
    sector: Annotated[list[str] | None, typer.Option(help="A whole sector concerned.")] = None,
) -> None:
    """Name the constituents the advisory concerns (replacing those named before)."""
    with desk() as d:
        case = d.cvd.concern(
            operator(), _case(d, ref).id, constituents=constituent or [], sectors=sector or []
        )
        names = d.cvd.affected_constituents(case.id)
    out.print(shown(f"{case.public_id} concerns {len(names)} constituent(s)"))
    for name in names:
        out.print(shown(f"  {name}"))


@cvd_app.command("advisory")
def advisory(
    ref: Ref,
    draft: Annotated[
        bool, typer.Option("--draft", help="A draft at the case's TLP, before publication.")
    ] = False,
    publisher: Annotated[str, typer.Option(help="The issuing team's name.")] = "National CSIRT",
    namespace: Annotated[str, typer.Option(help="A URL the team controls.")] = (
        "https://csirt.example"
    ),
    base_url: Annotated[
        str | None, typer.Option(help="Where advisories are served (their canonical URL).")
    ] = None,
) -> None:
    """Print the case's CSAF 2.0 advisory as JSON (a final one only once published, after the
    embargo)."""
    with desk() as d:
        issuer = Publisher(publisher, namespace, base_url)
        document = d.cvd.advisory(operator(), _case(d, ref).id, publisher=issuer, draft=draft)
    typer.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())


@cvd_app.command("announce")
def announce(ref: Ref) -> None:
    """Send the published advisory to the constituents it concerns (named, or of its sectors),
    as notices: once each, with retries and acknowledgement links (`tocsin notify send`)."""
    with desk() as d:
        made = d.announce(operator(), ref)
    out.print(shown(f"{len(made)} notices planned; `tocsin notify send` sends them"))
