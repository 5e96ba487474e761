"""Nothing personal leaves: names, e-mail addresses, phone numbers and free-text notes of victims
and reporters, seeded into reports, incidents and events, are searched for in every byte of every
output that goes to partners: TAXII (every endpoint, as a partner and as staff), the STIX export
of ``tocsin events --format stix`` and the MISP feed."""

from __future__ import annotations

import base64
from pathlib import Path

from typer.testing import CliRunner

from tests.factories import make_event, rows
from tests.integration.test_reports import EMAIL, NAME, PHONE, SECRETS, VICTIM, Sent, leaked
from tocsin.cli import app as cli_app
from tocsin.model.tlp import TLP
from tocsin.services.accounts import Accounts
from tocsin.services.publish import Publisher, misp_feed
from tocsin.share.sharing import Sharing
from tocsin.store.shapes import EventFilter

NOTE = "she cried on the phone and lives alone near the old mill"
ALL_SECRETS = (*SECRETS, NOTE)
TAXII = "application/taxii+json;version=2.1"


def _seed(sent: Sent) -> tuple[Sharing, Publisher, list[str]]:
    """Events and a manual incident carrying personal data, linked to the reports' incidents,
    all released to a partner (AMBER+STRICT, approved) and the GREEN ones to everyone."""
    team = sent.portal.team
    store, lead, admin = team.store, team.people["lead"], team.people["admin"]
    store.write(
        rows(
            make_event(
                source__ip="198.51.100.10",
                classification__type="phishing",
                tlp="GREEN",
                comment=f"reported by {NAME}",
                source__account=EMAIL,
                event_description__text=f"victim {VICTIM}, call {PHONE}",
                extra__victim=VICTIM,
                source__abuse_contact=EMAIL,
            ),
            make_event(
                source__ip="198.51.100.11",
                classification__type="c2-server",
                tlp="AMBER+STRICT",
                comment=NOTE,
                extra__note=NOTE,
                source__url="http://c2.example/gate.php",
            ),
        ),
        [],
    )
    ids = [event_id for event_id, _ in store.cases.events_since(0, 100)]
    manual = team.desk.create(
        lead,
        title=f"{VICTIM} phished by {NAME}",
        type="phishing",
        priority="P2",
        tlp="AMBER",
        details={"notes": NOTE},
    )
    team.desk.add_note(lead, manual.id, f"{NAME} called from {PHONE}: {NOTE}")
    team.desk.link_events(lead, manual.id, ids)
    for receipt in sent.receipts:
        team.desk.link_events(lead, receipt.incident_id, ids)
    sharing = Sharing(store, now=team.clock)
    sharing.add_collection(lead, "community", "Community")
    org = sharing.add_partner(lead, "Partner P")
    sharing.set_agreement(
        lead,
        "Partner P",
        "community",
        read=True,
        write=False,
        max_tlp=TLP.AMBER_STRICT,
        approval=True,
    )
    accounts = Accounts(store, now=team.clock)
    user = accounts.add_user(
        admin, name="partner-p", password="partner p long passphrase", role="partner", org_id=org
    )
    token = accounts.create_token(accounts.principal(user.id), "taxii", "read").secret
    staff = accounts.create_token(lead, "taxii", "read").secret
    publisher = Publisher(sharing, team.desk, "National CSIRT")
    publisher.events(lead, "community", EventFilter())
    pending = [publisher.events(lead, "community", EventFilter(), partner="Partner P")]
    references = [manual.reference] + [
        team.desk.get(lead, r.incident_id).reference for r in sent.receipts
    ]
    pending += [
        publisher.incident(lead, "community", ref, partner="Partner P") for ref in references
    ]
    for done in pending:
        sharing.approve(admin, done.release.id)
    return sharing, publisher, [token, staff, *references]


def _taxii_bytes(sent: Sent, token: str) -> bytes:
    """Every TAXII endpoint as the token's holder: discovery, root, collections, every page of
    objects (every version), the manifest, each object and its versions."""
    auth = "Basic " + base64.b64encode(f"x:{token}".encode()).decode()
    headers = {"Accept": TAXII, "Authorization": auth}
    seen = b""

    def get(path: str, **params: str) -> dict[str, object]:
        nonlocal seen
        answer = sent.client.get(path, headers=headers, params=params)
        assert answer.status_code == 200, (path, answer.text[:300])
        seen += answer.content + str(answer.headers).encode()
        body: dict[str, object] = answer.json()
        return body

    get("/taxii2/")
    get("/taxii2/api/")
    base = "/taxii2/api/collections/community"
    get(f"{base}/")
    get("/taxii2/api/collections/")
    page = get(f"{base}/objects/", **{"match[version]": "all", "limit": "5"})
    objects = list(page["objects"])  # type: ignore[call-overload]
    while page.get("more"):
        page = get(
            f"{base}/objects/", **{"match[version]": "all", "limit": "5", "next": str(page["next"])}
        )
        objects += page["objects"]  # type: ignore[operator]
    get(f"{base}/manifest/")
    for item in objects:
        get(f"{base}/objects/{item['id']}/")
        get(f"{base}/objects/{item['id']}/versions/")
    assert len(objects) > 10
    return seen


def test_no_personal_data_in_any_output_to_partners(sent: Sent, tmp_path: Path) -> None:
    sharing, _, (token, staff, *references) = _seed(sent)
    team = sent.portal.team
    outputs: dict[str, bytes] = {
        "taxii as the partner": _taxii_bytes(sent, token),
        "taxii as staff": _taxii_bytes(sent, staff),
    }
    env = {"TOCSIN_DATABASE_URL": team.store.url}
    exported = CliRunner().invoke(cli_app, ["events", "--format", "stix", "--all"], env=env)
    assert exported.exit_code == 0, exported.output
    outputs["stix export"] = exported.output.encode()
    feed = tmp_path / "feed"
    misp_feed(
        sharing, team.people["lead"], "community", feed, partner="Partner P", team="National CSIRT"
    )
    outputs["misp feed"] = b"".join(p.read_bytes() for p in sorted(feed.iterdir()))
    # The outputs do carry what is shared: the addresses, and the incidents by reference.
    for name, data in outputs.items():
        assert b"198.51.100.10" in data, name
    for reference in references:
        assert reference.encode() in outputs["taxii as the partner"]
    leaks = {
        name: leaked(data.decode("utf-8", "replace"), ALL_SECRETS) for name, data in outputs.items()
    }
    assert leaks == {name: [] for name in outputs}
