"""``tocsin contacts``: the directory of 24/7 points of contact and central authorities from the
command line; each change of a contact is a new version, the earlier ones kept. A command acts as
the local administrator, or for the person ``--as`` names; ``--json`` prints JSON."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from tocsin.cli.common import cells, desk, out, shown
from tocsin.cli.person import As, acting
from tocsin.cli.requests import Json, print_json, when
from tocsin.services.types import Contact

contacts_app = typer.Typer(help="The directory of 24/7 points of contact and central authorities.")

ContactId = Annotated[int, typer.Argument(help="The contact's number.", min=1)]


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
        print_json(contact_json(contact))
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
        print_json([{**contact_json(c), "stale": c.id in stale} for c in found])
        return
    table = Table("id", "country", "authority", "channel", "address", "confirmed", box=None)
    for c in found:
        confirmed = when(c.confirmed_at) + (" (stale)" if c.id in stale else "")
        table.add_row(*cells(c.id, c.country, c.authority, c.channel, c.address, confirmed))
    out.print(table)


@contacts_app.command("show")
def contacts_show(contact: ContactId, as_: As = None, as_json: Json = False) -> None:
    """A contact and its earlier versions."""
    with desk() as d:
        who = acting(d, as_)
        found = d.contacts.get(who, contact)
        versions = d.contacts.versions(who, contact)
        stale = d.contacts.stale(found)
    if as_json:
        print_json(
            {
                **contact_json(found),
                "stale": stale,
                "versions": [contact_json(v) for v in versions],
            }
        )
        return
    lines = [
        f"contact {found.id} (version {found.version}): {found.authority}, {found.country}",
        f"{found.kind}; {found.channel}: {found.address}",
        f"languages {', '.join(found.languages)}; {found.timezone}; {found.office_hours}",
        f"confirmed reachable {when(found.confirmed_at)}" + (" (stale)" if stale else ""),
        found.notes,
        *(f"version {v.version} of {when(v.updated_at)}: {v.address}" for v in versions),
    ]
    out.print(*(shown(line, lines=True) for line in lines if line), sep="\n")


@contacts_app.command("update")
def contacts_update(
    contact: ContactId,
    authority: Annotated[str | None, typer.Option(help="The authority's name.")] = None,
    channel: Annotated[str | None, typer.Option(help="tocsin, email, phone, e-codex or post.")] = (
        None
    ),
    address: Annotated[str | None, typer.Option(help="Where the channel reaches it.")] = None,
    languages: Annotated[str | None, typer.Option(help="en,fr: the preferred first.")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA: Europe/Paris.")] = None,
    office_hours: Annotated[str | None, typer.Option(help="Mo-Fr 08:00-18:00 or 24/7.")] = None,
    notes: Annotated[str | None, typer.Option(help="Anything else.")] = None,
    as_: As = None,
) -> None:
    """Change a contact: a new version, the earlier ones kept."""
    with desk() as d:
        found = d.contacts.update(
            acting(d, as_),
            contact,
            authority=authority,
            channel=channel,
            address=address,
            languages=languages,
            timezone=timezone,
            office_hours=office_hours,
            notes=notes,
        )
    out.print(shown(f"contact {found.id} is at version {found.version}"))


@contacts_app.command("confirm")
def contacts_confirm(contact: ContactId, as_: As = None) -> None:
    """The contact answered: confirmed reachable now."""
    with desk() as d:
        found = d.contacts.confirm(acting(d, as_), contact)
    out.print(shown(f"contact {found.id} confirmed reachable {when(found.confirmed_at)}"))
