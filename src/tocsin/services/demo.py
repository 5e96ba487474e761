"""The demo: made-up constituents, an ASN table and sample feeds, loaded into the store.

``demo/feeds.toml`` lists each sample file with its feed (and mapping, for generic feeds).
The dedupe window is 0 (forever) for the demo, so loading it twice stores nothing new.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from pathlib import Path

from tocsin.cases.evidence_files import EvidenceFiles
from tocsin.cases.incidents import Incidents
from tocsin.cases.reports import Receipt, Reports
from tocsin.model.people import OrgKind, Principal
from tocsin.model.report import PATHS, clean_answers, clean_who
from tocsin.model.tlp import TLP
from tocsin.pipeline.runner import Summary
from tocsin.services.accounts import Accounts
from tocsin.services.aggregate import decide
from tocsin.services.demo_assist import load_assist
from tocsin.services.demo_history import DemoClock, load_history
from tocsin.services.ingest import ingest, load_mapping
from tocsin.services.registry import import_asn_table, import_constituents
from tocsin.settings import Settings
from tocsin.store.base import Store
from tocsin.store.shapes import EventFilter


@dataclass(frozen=True, slots=True)
class Loaded:
    """What loading the demo put into the store."""

    feeds: list[tuple[str, Summary]]  # each sample file with its summary
    logins: list[tuple[str, str, str]]  # user, password, role
    opened: int  # incidents the aggregation rules opened
    linked: int  # events they linked
    receipts: list[Receipt]  # reports from the public
    collection: str  # the community collection's TAXII id
    shared: int  # STIX objects it holds
    requests: tuple[str, ...] = ()  # requests for assistance made (services/demo_assist.py)


def load_all(settings: Settings, store: Store, now: Callable[[], int]) -> Loaded:
    """The whole demo: registry, feeds, people, incidents, reports, sharing, a CVD case, and
    requests for assistance with their directory. Into a store without incidents, the feeds
    arrive over two weeks and the desk works them (``demo_history``); loaded again, nothing new
    is stored."""
    if store.cases.incidents(limit=1):
        feeds = load_demo(settings, store, now)
        logins = load_people(store, now)
        opened, linked = load_incidents(settings, store, now)
    else:
        clock = DemoClock(now())
        logins = load_people(store, clock)
        load_registry(store)
        files = [partial(_load_file, settings, store, item, clock) for item in _manifest()]
        feeds, opened, linked = load_history(
            settings, store, clock, files, partial(load_incidents, settings, store, clock)
        )
    receipts = load_reports(settings, store, now)
    collection, shared = load_sharing(settings, store, now)
    load_cvd(store, now)
    requests = tuple(load_assist(store, now))
    load_statistics(store, now)
    return Loaded(feeds, logins, opened, linked, receipts, collection, shared, requests)


def load_statistics(store: Store, now: Callable[[], int]) -> int:
    """The year's annual-report tables released by the demo's lead and published by its admin
    (four eyes), so that ``/figures`` and the report for parliament show something (once);
    returns the releases published. Few organisations: most cells are suppressed, as a small
    desk's would be."""
    from tocsin.stats.releases import Oversight

    oversight = Oversight(store, now=now)
    if oversight.releases(None):
        return 0
    accounts = Accounts(store, now=now)
    lead, admin = accounts.principal_named("lead"), accounts.principal_named("admin")
    year = datetime.fromtimestamp(now(), UTC).year
    _, specs = oversight.template("annual", year)
    kept = oversight.release_all(lead, specs)
    for release in kept:
        oversight.approve(admin, int(release["id"]))
    return len(kept)


def demo_dir() -> Path:
    return Path(str(resources.files("tocsin.demo")))


DEMO_PARTNER = "Partner CERT (demo)"
DEMO_PEOPLE = (
    # user name, role, display name; each password is "demo-" + the user name + "-password"
    ("admin", "admin", "Ada Admin"),
    ("lead", "lead", "Lee Lead"),
    ("analyst", "analyst", "Ana Analyst"),
    ("auditor", "auditor", "Aud Auditor"),
    ("partner", "partner", "Pat Partner"),
    ("liaison", "liaison", "Liv Liaison"),
)


def demo_password(name: str) -> str:
    return f"demo-{name}-password"


def load_people(store: Store, now: Callable[[], int]) -> list[tuple[str, str, str]]:
    """One demo user per role (the partner in a partner team); returns (user, password, role).
    Known, printed passwords: the demo serves made-up data on 127.0.0.1 only."""
    service = Accounts(store, now=now)
    team = service.ensure_team()
    partner_org = service.ensure_organisation(DEMO_PARTNER, OrgKind.PARTNER)
    logins = []
    for name, role, display in DEMO_PEOPLE:
        if store.people.user_named(name) is None:
            service.add_user(
                Principal.system(),
                name=name,
                password=demo_password(name),
                role=role,
                org_id=partner_org if role == "partner" else team,
                display_name=display,
            )
        logins.append((name, demo_password(name), role))
    return logins


def load_incidents(settings: Settings, store: Store, now: Callable[[], int]) -> tuple[int, int]:
    """Incidents from the demo events, through the aggregation rules (once, after every file)."""
    decided = decide(settings, store, now)
    return decided.opened, decided.linked


DEMO_REPORTS = (
    # what the portal would have received: made-up people at example.org
    (
        "money",
        {
            "amount": "1,200 EUR",
            "paid_how": "crypto",
            "paid_to": "bc1qexampleexample0000",
            "narrative": "A 'broker' on a chat app promised returns; the site vanished.",
        },
        {"reporter": "self", "contact": "yes", "name": "Sam Example", "email": "sam@example.org"},
    ),
    (
        "intimate",
        {"platform": "a social network", "paid": "no"},
        {
            "reporter": "other",
            "contact": "yes",
            "victim_name": "(a pupil)",
            "flags": "child",
            "email": "counsellor@school.example.org",
        },
    ),
    (
        "ransom",
        {"scope": "organisation", "ransom_contact": "recover@extortion.example"},
        {
            "reporter": "organisation",
            "sector": "parliament",
            "org_name": "Parliament IT (demo)",
            "contact": "yes",
            "phone": "+000 555 0100",
        },
    ),
)


def load_reports(settings: Settings, store: Store, now: Callable[[], int]) -> list[Receipt]:
    """A few made-up reports from the public, as the portal would have received them (once)."""
    if store.reports.count():
        return []
    accounts = Accounts(store, now=now)
    files = EvidenceFiles(Path(settings.data_dir) / "evidence")
    service = Reports(store, Incidents(store, now=now), files, accounts.ensure_team)
    receipts = []
    for key, answers, raw_who in DEMO_REPORTS:
        path = PATHS[key]
        clean, problems = clean_answers(path, {k: [v] for k, v in answers.items()})
        who, errors = clean_who({k: [v] for k, v in raw_who.items()})
        assert who is not None and not problems, (errors, problems)
        receipts.append(service.submit(path, clean, who, "en", []))
    return receipts


def load_demo(
    settings: Settings, store: Store, now: Callable[[], int]
) -> list[tuple[str, Summary]]:
    load_registry(store)
    return [_load_file(settings, store, item, now) for item in _manifest()]


def load_registry(store: Store) -> None:
    """The made-up constituents and the ASN table."""
    base = demo_dir()
    import_constituents(store, base / "constituents.toml")
    import_asn_table(store, base / "ip2asn.tsv")


def _manifest() -> list[dict[str, str]]:
    text = (demo_dir() / "feeds.toml").read_text(encoding="utf-8")
    return list(tomllib.loads(text)["file"])


def _load_file(
    settings: Settings, store: Store, item: dict[str, str], now: Callable[[], int]
) -> tuple[str, Summary]:
    base = demo_dir()
    options = load_mapping(base / item["mapping"]) if "mapping" in item else None
    summary = ingest(
        settings,
        store,
        [str(base / "feeds" / item["path"])],
        item["feed"],
        options=options,
        window=0,
        aggregate=False,
        now=now,
    )
    return item["path"], summary


def load_sharing(settings: Settings, store: Store, now: Callable[[], int]) -> tuple[str, int]:
    """A "community" collection that the demo partner may read up to GREEN, holding the demo's
    GREEN and CLEAR events as STIX 2.1 (released once); returns the collection's TAXII id and how
    many objects it holds."""
    from tocsin.services.publish import Publisher
    from tocsin.share.sharing import Sharing

    sharing = Sharing(store, now=now)
    system = Principal.system()
    found = store.share.collection("community")
    if found is None:
        found = sharing.add_collection(
            system, "community", "Community", "Indicators the trust community may have (GREEN)"
        )
        sharing.set_agreement(
            system,
            DEMO_PARTNER,
            "community",
            read=True,
            write=True,
            max_tlp=TLP.GREEN,
            approval=True,
        )
        publisher = Publisher(sharing, Incidents(store, now=now), settings.notify_team)
        publisher.events(system, "community", EventFilter())
    return found.uuid, store.share.count_objects(found.id)


def load_cvd(store: Store, now: Callable[[], int]) -> str | None:
    """One made-up vulnerability case, triaged, with its vendor, product and log (once); returns
    its public id, or None when the demo has one already."""
    from tocsin.cvd.cases import Cvd

    if store.cvd.cases(limit=1):
        return None
    cvd = Cvd(store, now=now)
    team = Accounts(store, now=now).ensure_team()
    system = Principal.system()
    case = cvd.create(
        system,
        title="Stored XSS in the Example Router admin page",
        reporter="A. Researcher",
        contact="researcher@example.org",
        vendors=["Example Networks"],
        products=[("Example Networks", "cpe:2.3:h:example:router:2.1.0:*:*:*:*:*:*:*")],
        cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        cwe_id="CWE-79",
        cwe_name="Improper Neutralization of Input During Web Page Generation "
        "('Cross-site Scripting')",
        description="The router's admin page stores a device name without escaping it.",
        impact="An attacker on the LAN can run script in the administrator's browser.",
        org_id=team,
    )
    cvd.move(system, case.id, "triaged")
    cvd.log(
        system,
        case.id,
        text="Report received and acknowledged",
        party="reporter",
        direction="out",
        tlp="AMBER",
    )
    return case.public_id
