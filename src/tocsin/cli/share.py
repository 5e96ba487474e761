"""``tocsin partners`` and ``tocsin share``: partner teams, their agreements, releases with four
eyes, TAXII pulls and MISP feeds.

Releasing for a partner, approving and refusing act for a person who proves it (``person``: their
API token in ``TOCSIN_TOKEN``, or ``--as USER`` and their password), since four-eyes release counts
people: a lead other than the author approves. The other commands act as the local administrator
(the audit log names the system account), or as the proven person of ``--as`` when it is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tocsin.cli.common import cells, desk, new_password, operator, out, shown, yes
from tocsin.cli.person import As, acting, person
from tocsin.model.numbers import MAX_ID
from tocsin.model.people import Principal
from tocsin.model.share import EVERYONE, ReleaseState
from tocsin.model.tlp import TLP
from tocsin.services.events import make_filter

partners_app = typer.Typer(help="Partner teams and their sharing agreements.")
share_app = typer.Typer(help="Sharing: collections, releases (four eyes), TAXII pulls, MISP feeds.")

# -- partners ------------------------------------------------------------------------------------


@partners_app.command("add")
def partners_add(
    name: Annotated[str, typer.Argument(help="The partner organisation, e.g. 'CERT-XY'.")],
    user: Annotated[str | None, typer.Option(help="Also add a partner user of this name.")] = None,
    password: Annotated[
        str | None, typer.Option(help="The user's password (else TOCSIN_NEW_PASSWORD, else asked).")
    ] = None,
    token: Annotated[
        bool,
        typer.Option("--token", help="Also make the user an API token for TAXII (printed once)."),
    ] = False,
) -> None:
    """Add a partner organisation, and optionally its first user and TAXII token."""
    with desk() as d:
        org = d.sharing.add_partner(operator(), name)
        out.print(shown(f"partner {name} (organisation {org})"))
        if user:
            accounts = d.accounts
            added = accounts.add_user(
                operator(),
                name=user,
                password=new_password(password),
                role="partner",
                org_id=org,
            )
            out.print(shown(f"added {added.username} (partner)"))
            if token:
                made = accounts.create_token(Principal.of(added), "taxii", "read,write")
                out.print(shown(f"TAXII token (shown once): {made.secret}"))


@partners_app.command("list")
def partners_list() -> None:
    """Partners and their agreements."""
    with desk() as d:
        found = d.sharing.partners(operator())
        names, _ = d.sharing.names()
    table = Table("partner", "collection", "read", "write", "up to", "approval", box=None)
    for partner in found:
        if not partner.agreements:
            table.add_row(*cells(partner.name, "-", "-", "-", "-", "-"))
        for a in partner.agreements:
            table.add_row(
                *cells(
                    partner.name,
                    names.get(a.collection_id, "?"),
                    yes(a.can_read),
                    yes(a.can_write),
                    a.max_tlp.label,
                    yes(a.approval),
                )
            )
    out.print(table)


@partners_app.command("agreement")
def partners_agreement(
    name: Annotated[str, typer.Argument(help="The partner.")],
    collection: Annotated[str, typer.Argument(help="The collection (alias or id).")],
    read: Annotated[bool, typer.Option("--read/--no-read", help="May read it.")] = True,
    write: Annotated[bool, typer.Option("--write/--no-write", help="May add objects.")] = False,
    max_tlp: Annotated[
        str, typer.Option(help="Up to this TLP: CLEAR, GREEN, AMBER, AMBER+STRICT.")
    ] = "GREEN",
    approval: Annotated[
        bool,
        typer.Option("--approval/--no-approval", help="A lead approves AMBER and above first."),
    ] = True,
) -> None:
    """Set what a partner may do with a collection (replaces its previous agreement there)."""
    try:
        level = TLP.parse(max_tlp)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    with desk() as d:
        d.sharing.set_agreement(
            operator(), name, collection, read=read, write=write, max_tlp=level, approval=approval
        )
    out.print(
        shown(
            f"{name} on {collection}: read {yes(read)}, write {yes(write)}, up to {level.label}, "
            f"approval {yes(approval)}"
        )
    )


# -- collections and releases ----------------------------------------------------------------------


@share_app.command("collections")
def share_collections() -> None:
    """The TAXII collections, with their ids."""
    with desk() as d:
        found = d.sharing.sizes(operator())
    table = Table("alias", "title", "TAXII id", "objects", box=None)
    for c, count in found:
        table.add_row(*cells(c.alias, c.title, c.uuid, str(count)))
    out.print(table)


@share_app.command("collection")
def share_collection(
    alias: Annotated[str, typer.Argument(help="Short name, e.g. 'community'.")],
    title: Annotated[str, typer.Option(help="The title partners see.")] = "",
    description: Annotated[str, typer.Option(help="What it holds.")] = "",
) -> None:
    """Add a TAXII collection."""
    with desk() as d:
        found = d.sharing.add_collection(operator(), alias, title or alias, description)
    out.print(shown(f"collection {found.alias}: {found.uuid}"))


@share_app.command("publish")
def share_publish(
    collection: Annotated[str, typer.Argument(help="The collection (alias or id).")],
    partner: Annotated[
        str | None, typer.Option(help="For this partner only (needed for AMBER and AMBER+STRICT).")
    ] = None,
    incident: Annotated[str | None, typer.Option(help="An incident and its events.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Events of this type.")] = None,
    feed: Annotated[str | None, typer.Option(help="Events of this feed.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Events since (2026-11-01 or ISO time).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Events until.")] = None,
    as_: As = None,
) -> None:
    """Release events (or an incident) as STIX 2.1 to a collection; at AMBER and above, waits
    for a lead's approval when an agreement asks for it. For a partner it acts for a person,
    who proves it (--as and their password, or their token in TOCSIN_TOKEN)."""
    with desk() as d:
        who = person(d, as_) if partner else acting(d, as_)
        if incident:
            done = d.publisher.incident(who, collection, incident, partner=partner)
        else:
            query = make_filter(type=type_, feed=feed, since=since, until=until)
            done = d.publisher.events(who, collection, query, partner=partner)
    r = done.release
    out.print(
        shown(
            f"release {r.id}: {r.state.value}, {r.objects} STIX objects at most {r.tlp.label} "
            f"({done.events} events; {done.left_out} left out above what the audience may have"
            + (f"; {done.expired} expired left out" if done.expired else "")
            + ")"
        )
    )
    if r.state is ReleaseState.PENDING:
        out.print(
            shown(
                f"a lead other than {r.author} approves it: tocsin share approve {r.id} --as LEAD "
                f"(their password is asked, or their API token read from TOCSIN_TOKEN)"
            )
        )


@share_app.command("releases")
def share_releases(
    state: Annotated[str | None, typer.Option(help="pending, released or refused.")] = None,
) -> None:
    """The latest releases: what went (or waits to go) to whom."""
    with desk() as d:
        found = d.sharing.releases(operator(), ReleaseState(state) if state else None)
        names, orgs = d.sharing.names()
    table = Table(
        "id", "state", "collection", "to", "TLP", "objects", "author", "approver", "what", box=None
    )
    for r in found:
        to = "every partner" if r.audience == EVERYONE else orgs.get(r.audience, "?")
        table.add_row(
            *cells(
                str(r.id),
                r.state.value,
                names.get(r.collection_id, "?"),
                to,
                r.tlp.label,
                str(r.objects),
                r.author,
                r.approver or "-",
                r.summary,
            )
        )
    out.print(table)


@share_app.command("approve")
def share_approve(
    release: Annotated[int, typer.Argument(help="The release's id.", min=1, max=MAX_ID)],
    as_: As = None,
) -> None:
    """Let a pending release go (a lead other than its author, who proves it: --as and their
    password, or their token in TOCSIN_TOKEN)."""
    with desk() as d:
        done = d.sharing.approve(person(d, as_), release)
    out.print(shown(f"release {done.id}: {done.state.value} by {done.approver}"))


@share_app.command("refuse")
def share_refuse(
    release: Annotated[int, typer.Argument(help="The release's id.", min=1, max=MAX_ID)],
    reason: Annotated[str, typer.Option(help="Why, for the author and the audit log.")],
    as_: As = None,
) -> None:
    """Refuse a pending release (a lead other than its author, who proves it as for approve)."""
    with desk() as d:
        done = d.sharing.refuse(person(d, as_), release, reason)
    out.print(shown(f"release {done.id}: {done.state.value} by {done.approver}"))


@share_app.command("misp-feed")
def share_misp_feed(
    collection: Annotated[str, typer.Argument(help="The collection (alias or id).")],
    directory: Annotated[Path, typer.Argument(help="Where to write the feed (replaced whole).")],
    partner: Annotated[str, typer.Option(help="What this partner may read in the collection.")],
    as_: As = None,
) -> None:
    """Write a MISP feed (manifest.json, hashes.csv, one file per event) of what a partner may
    read in a collection, for the team's web server to serve."""
    with desk() as d:
        done = d.publisher.misp_feed(acting(d, as_), collection, directory, partner=partner)
    out.print(
        shown(f"{len(done.files)} MISP events ({done.events} attributes' events) in {directory}")
    )


@share_app.command("pull")
def share_pull(
    name: Annotated[
        str | None, typer.Argument(help="Only this source (default: those due).")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every source now, due or not.")] = False,
) -> None:
    """Read partners' TAXII 2.1 collections since the last pull into the pipeline (run it from a
    timer: each source is pulled when its `every` has passed)."""
    with desk() as d:
        pulled = d.pull(name, every=every)
    for got in pulled:
        out.print(
            shown(
                f"{got.source}: {got.objects} objects in {got.pages} pages; {got.accepted} "
                f"accepted, {got.duplicates} duplicates, {got.quarantined} quarantined"
            )
        )
    if not pulled:
        out.print(shown("no source is due"))
