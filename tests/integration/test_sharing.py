"""Partners, agreements and releases on SQLite and PostgreSQL: the TLP rules as egress rules, four
eyes before anything at AMBER or above leaves, every decision in the audit log with what went to
whom; the commands that manage them; the MISP feed of what a partner may have, read by PyMISP."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from pymisp import MISPEvent
from typer.testing import CliRunner

from tests.desk import Team, make_team
from tests.factories import make_event, rows
from tocsin.cli import app as cli_app
from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.model.share import ReleaseState
from tocsin.model.tlp import TLP
from tocsin.services.accounts import Accounts
from tocsin.services.publish import Publisher, misp_feed
from tocsin.share.sharing import Sharing
from tocsin.store import Store
from tocsin.store.shapes import EventFilter, ObjectQuery, Reader

GREEN_IPS = {f"198.51.100.{n}" for n in range(1, 4)}
STRICT_IPS = {f"203.0.113.{n}" for n in range(1, 3)}
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"


@pytest.fixture
def team(store: Store) -> Team:
    team = make_team(store)
    store.write(
        rows(
            *[
                make_event(source__ip=ip, classification__type="c2-server", tlp="GREEN")
                for ip in sorted(GREEN_IPS)
            ],
            *[
                make_event(source__ip=ip, classification__type="phishing", tlp="AMBER+STRICT")
                for ip in sorted(STRICT_IPS)
            ],
            make_event(source__ip="192.0.2.66", classification__type="c2-server", tlp="RED"),
        ),
        [],
    )
    sharing = Sharing(store, now=team.clock)
    lead = team.people["lead"]
    sharing.add_collection(lead, "community", "Community")
    for name, level, approval in (
        ("Partner A", TLP.GREEN, False),
        ("Partner B", TLP.AMBER_STRICT, True),
    ):
        sharing.add_partner(lead, name)
        sharing.set_agreement(
            lead, name, "community", read=True, write=False, max_tlp=level, approval=approval
        )
    return team


def _sharing(team: Team) -> tuple[Sharing, Publisher]:
    sharing = Sharing(team.store, now=team.clock)
    return sharing, Publisher(sharing, team.desk, "National CSIRT")


def _ips(store: Store, org: str) -> set[str]:
    """The addresses in the indicators a partner can read."""
    found = store.people.organisation_named(org)
    assert found is not None
    agreement = store.share.agreements(org_id=found.id)[0]
    rows_ = store.share.page(
        agreement.collection_id, Reader(found.id, agreement.ceiling), ObjectQuery(limit=1000)
    )
    return {r.data.split("value = '")[1].split("'")[0] for r in rows_ if r.type == "indicator"}


def test_green_goes_to_every_partner_and_nothing_above(team: Team) -> None:
    _, publisher = _sharing(team)
    done = publisher.events(team.people["analyst"], "community", EventFilter())
    assert done.release.state is ReleaseState.RELEASED  # GREEN needs no approval
    assert (done.events, done.left_out) == (3, 3)
    assert _ips(team.store, "Partner A") == GREEN_IPS
    assert _ips(team.store, "Partner B") == GREEN_IPS


def test_amber_strict_waits_for_a_second_lead_then_reaches_one_partner(team: Team) -> None:
    sharing, publisher = _sharing(team)
    lead, admin = team.people["lead"], team.people["admin"]
    done = publisher.events(lead, "community", EventFilter(), partner="Partner B")
    assert done.release.state is ReleaseState.PENDING
    assert done.release.tlp is TLP.AMBER_STRICT
    assert _ips(team.store, "Partner B") == set()  # nothing before approval
    with pytest.raises(Forbidden, match="four eyes"):
        sharing.approve(lead, done.release.id)
    with pytest.raises(Forbidden):
        sharing.approve(team.people["analyst"], done.release.id)
    approved = sharing.approve(admin, done.release.id)
    assert (approved.state, approved.approver) == (ReleaseState.RELEASED, "admin")
    assert _ips(team.store, "Partner B") == GREEN_IPS | STRICT_IPS
    assert _ips(team.store, "Partner A") == set()  # AMBER+STRICT for B never reaches A
    with pytest.raises(InvalidValue, match="already released"):
        sharing.approve(admin, done.release.id)


def test_every_decision_is_audited_with_what_went_to_whom(team: Team) -> None:
    sharing, publisher = _sharing(team)
    lead, admin = team.people["lead"], team.people["admin"]
    pending = publisher.events(lead, "community", EventFilter(), partner="Partner B")
    refused = publisher.events(lead, "community", EventFilter(type="phishing"), partner="Partner B")
    sharing.approve(admin, pending.release.id)
    sharing.refuse(admin, refused.release.id, "not needed")
    entries = [e for e in team.store.cases.audit() if e.action.startswith("share.r")]
    assert [e.action for e in entries] == [
        "share.request",
        "share.request",
        "share.release",
        "share.refuse",
    ]
    released = entries[2]
    assert released.actor == "admin"
    assert released.details["to"] == "Partner B"
    assert released.details["tlp"] == "AMBER+STRICT"
    assert released.details["author"] == "lead"
    assert released.details["types"]["indicator"] == len(GREEN_IPS | STRICT_IPS)
    assert entries[3].details["reason"] == "not needed"
    changes = [e.action for e in team.store.cases.audit() if e.action.startswith("partner.")]
    assert changes == ["partner.create", "partner.agreement"] * 2


def test_red_and_amber_for_everyone_are_refused(team: Team) -> None:
    sharing, publisher = _sharing(team)
    lead = team.people["lead"]
    red = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--00000000-0000-4000-8000-000000000000",
        "created": "2026-11-28T00:00:00.000Z",
        "modified": "2026-11-28T00:00:00.000Z",
        "pattern": "[ipv4-addr:value = '192.0.2.66']",
        "pattern_type": "stix",
        "valid_from": "2026-11-28T00:00:00Z",
        "object_marking_refs": [RED],
    }
    with pytest.raises(Forbidden, match="RED never leaves"):
        sharing.release(lead, "community", [red], partner="Partner B")
    amber = dict(
        red, object_marking_refs=["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]
    )
    with pytest.raises(Forbidden, match="one named partner"):
        sharing.release(lead, "community", [amber])
    with pytest.raises(Forbidden, match="does not reach"):
        sharing.release(lead, "community", [amber], partner="Partner A")
    with pytest.raises(InvalidValue):
        sharing.set_agreement(
            lead, "Partner A", "community", read=True, write=False, max_tlp=TLP.RED, approval=False
        )
    with pytest.raises(Forbidden):
        sharing.add_partner(team.people["analyst"], "Partner C")
    assert publisher.events(lead, "community", EventFilter(ip="192.0.2.66")).events == 0
    assert team.store.share.count_objects() <= 3  # the producer and markings at most


def test_a_partner_without_agreement_sees_no_collection(team: Team) -> None:
    sharing, _ = _sharing(team)
    sharing.add_partner(team.people["lead"], "Partner C")
    org = team.store.people.organisation_named("Partner C")
    assert org is not None
    from tocsin.model.people import Principal, Role

    outsider = Principal(None, "c", Role.PARTNER, org.id)
    assert sharing.collections(outsider) == []
    with pytest.raises(NotFound):
        sharing.access(outsider, "community")


def test_the_misp_feed_holds_what_the_partner_may_read(team: Team, tmp_path: Path) -> None:
    sharing, publisher = _sharing(team)
    lead = team.people["lead"]
    publisher.events(lead, "community", EventFilter())
    strict = publisher.events(lead, "community", EventFilter(), partner="Partner B")
    sharing.approve(team.people["admin"], strict.release.id)
    seen: dict[str, set[str]] = {}
    for partner in ("Partner A", "Partner B"):
        folder = tmp_path / partner.replace(" ", "-")
        done = misp_feed(sharing, lead, "community", folder, partner=partner, team="National CSIRT")
        values: set[str] = set()
        tags: set[str] = set()
        for path in done.files:
            event = MISPEvent()
            event.load_file(str(path))
            values |= {a.value for a in event.attributes}
            tags |= {t.name for t in event.tags}
        assert (folder / "manifest.json").is_file() and (folder / "hashes.csv").is_file()
        seen[partner] = values
        expected = {"tlp:green"} if partner == "Partner A" else {"tlp:green", "tlp:amber+strict"}
        assert {t for t in tags if t.startswith("tlp:")} == expected
    assert seen["Partner A"] == GREEN_IPS
    assert seen["Partner B"] == GREEN_IPS | STRICT_IPS


def test_an_expired_indicator_is_never_shared_again_as_current(team: Team, tmp_path: Path) -> None:
    """An event past its valid_until by the desk's clock stays out of a release (counted); one
    still valid goes with its valid_until, and the MISP feed leaves it out once the clock has
    passed that."""
    team.store.write(
        rows(
            make_event(
                source__ip="198.51.100.50",
                classification__type="c2-server",
                tlp="GREEN",
                tocsin__valid_until="2026-11-25T00:00:00+00:00",
            ),
            make_event(
                source__ip="198.51.100.51",
                classification__type="c2-server",
                tlp="GREEN",
                tocsin__valid_until="2026-12-01T00:00:00+00:00",
            ),
        ),
        [],
    )
    sharing, publisher = _sharing(team)
    lead = team.people["lead"]
    done = publisher.events(lead, "community", EventFilter())
    assert (done.events, done.left_out, done.expired) == (4, 3, 1)
    assert _ips(team.store, "Partner A") == GREEN_IPS | {"198.51.100.51"}
    assert "1 expired left out" in done.release.summary

    def fed(folder: str) -> tuple[set[str], int]:
        feed = misp_feed(
            sharing, lead, "community", tmp_path / folder, partner="Partner A", team="CSIRT"
        )
        values: set[str] = set()
        for path in feed.files:
            loaded = MISPEvent()
            loaded.load_file(str(path))
            values |= {a.value for a in loaded.attributes}
        return values, feed.expired

    assert fed("now") == (GREEN_IPS | {"198.51.100.51"}, 0)
    team.clock.advance(4 * 86_400)  # past 2026-12-01
    assert fed("later") == (GREEN_IPS, 1)


def test_an_incident_goes_without_its_expired_indicators(team: Team) -> None:
    """An incident released to partners carries its linked events that are still valid; one
    past its valid_until by the desk's clock is left out and counted."""
    store, lead = team.store, team.people["lead"]
    store.write(
        rows(
            *[
                make_event(
                    source__ip=ip,
                    classification__type="c2-server",
                    tlp="GREEN",
                    tocsin__valid_until=until,
                )
                for ip, until in (
                    ("198.51.100.60", "2026-11-25T00:00:00+00:00"),
                    ("198.51.100.61", "2026-12-01T00:00:00+00:00"),
                )
            ]
        ),
        [],
    )
    linked = [
        event_id
        for event_id, event in store.cases.events_since(0, 100)
        if event.get("tocsin.valid_until")
    ]
    incident = team.desk.create(lead, title="C2", type="c2-server", priority="P2", tlp="GREEN")
    team.desk.link_events(lead, incident.id, linked)
    _, publisher = _sharing(team)
    done = publisher.incident(lead, "community", incident.reference)
    assert (done.events, done.left_out, done.expired) == (1, 0, 1)
    assert _ips(store, "Partner A") == {"198.51.100.61"}


def test_the_commands_manage_partners_and_four_eyes(store: Store, tmp_path: Path) -> None:
    team = make_team(store)  # the team and its people, a lead and an admin among them
    store.write(rows(make_event(source__ip="203.0.113.9", tlp="AMBER")), [])
    accounts = Accounts(store, now=team.clock)
    tokens = {  # the people's own API tokens, which prove them to the command line
        name: accounts.create_token(team.people[name], "cli", "read,write").secret
        for name in ("lead", "admin")
    }
    env = {"TOCSIN_DATABASE_URL": store.url, "TOCSIN_NEW_PASSWORD": "a long partner passphrase"}
    runner = CliRunner()

    def run(*args: str) -> str:
        person = args[args.index("--as") + 1] if "--as" in args else None
        result = runner.invoke(cli_app, list(args), env=env | {"TOCSIN_TOKEN": tokens.get(person)})
        assert result.exit_code == 0, result.output
        return result.output

    run("share", "collection", "community", "--title", "Community")
    assert "TAXII token (shown once): tocsin_" in run(
        "partners", "add", "CERT-XY", "--user", "cert-xy", "--token"
    )
    run("partners", "agreement", "CERT-XY", "community", "--max-tlp", "AMBER", "--approval")
    assert "AMBER" in run("partners", "list")
    published = run("share", "publish", "community", "--partner", "CERT-XY", "--as", "lead")
    assert "pending" in published
    release = published.split("release ")[1].split(":")[0]
    lead = env | {"TOCSIN_TOKEN": tokens["lead"]}
    refused = runner.invoke(cli_app, ["share", "approve", release, "--as", "lead"], env=lead)
    assert refused.exit_code == 2 and "four eyes" in refused.output
    assert "released by admin" in run("share", "approve", release, "--as", "admin")
    assert "CERT-XY" in run("share", "releases")
    assert "1 MISP events" in run(
        "share", "misp-feed", "community", str(tmp_path / "feed"), "--partner", "CERT-XY"
    )


def test_a_misp_feed_directory_is_ingested_event_file_by_event_file(
    team: Team, tmp_path: Path
) -> None:
    sharing, publisher = _sharing(team)
    publisher.events(team.people["lead"], "community", EventFilter())
    feed = tmp_path / "feed"
    written = misp_feed(
        sharing, team.people["lead"], "community", feed, partner="Partner A", team="National CSIRT"
    )
    env = {"TOCSIN_DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}", "TOCSIN_WORKERS": "0"}
    result = CliRunner().invoke(cli_app, ["ingest", "--feed", "misp", str(feed)], env=env)
    assert result.exit_code == 0, result.output
    assert f"read {len(GREEN_IPS)}, accepted {len(GREEN_IPS)}" in result.output
    assert written.events == len(GREEN_IPS)
    (feed / written.files[0].name).unlink()  # the manifest names a file that is not there
    missing = CliRunner().invoke(cli_app, ["ingest", "--feed", "misp", str(feed)], env=env)
    assert missing.exit_code == 2 and written.files[0].name in missing.output


def test_the_stix_export_of_the_command_line_passes_the_validator(team: Team) -> None:
    from stix2validator import ValidationOptions, validate_string

    env = {"TOCSIN_DATABASE_URL": team.store.url}
    exported = CliRunner().invoke(cli_app, ["events", "--format", "stix", "--all"], env=env)
    assert exported.exit_code == 0, exported.output
    result = validate_string(exported.output, ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for o in result.object_results for e in o.errors]
    kinds = {o["type"] for o in orjson.loads(exported.output)["objects"]}
    assert {"indicator", "observed-data", "sighting", "identity", "marking-definition"} <= kinds
