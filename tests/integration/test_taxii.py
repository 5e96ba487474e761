"""The TAXII 2.1 server, driven by the OASIS client (taxii2-client) over a real uvicorn, on SQLite
and PostgreSQL: discovery, collections, pages, filters, one object, its versions, the manifest,
adding objects and polling the status, and what each partner may see."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
import requests
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from tests.audit_keys import AUDIT_KEY
from tests.browser.serving import serving
from tests.desk import FakeClock, make_team
from tocsin.cases.incidents import Incidents
from tocsin.model.people import Principal
from tocsin.model.tlp import TLP
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.share.sharing import Sharing
from tocsin.store import Store, open_store
from tocsin.store.shapes import EventFilter
from tocsin.web.app import create_app

GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TAXII = "application/taxii+json;version=2.1"
PASSWORD = "a long enough partner passphrase"


def indicator(
    n: int, marking: str = GREEN, modified: str = "2026-11-28T10:00:00.000Z"
) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, str(n))}",
        "created": "2026-11-28T10:00:00.000Z",
        "modified": modified,
        "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-28T10:00:00Z",
        "object_marking_refs": [marking],
    }


@dataclass
class Desk:
    url: str
    store: Store
    sharing: Sharing
    lead: Principal
    tokens: dict[str, str]  # who -> API token (the Basic password)


@pytest.fixture
def desk(settings: Settings, tmp_path: Path) -> Iterator[Desk]:
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    team = make_team(store)
    accounts = Accounts(store, now=team.clock)
    sharing = Sharing(store, now=team.clock)
    lead, admin = team.people["lead"], team.people["admin"]
    sharing.add_collection(lead, "community", "Community", "What the community may have")
    tokens: dict[str, str] = {}
    for name in ("Partner A", "Partner B"):
        org = sharing.add_partner(lead, name)
        user = accounts.add_user(
            admin,
            name=name.lower().replace(" ", "-"),
            password=PASSWORD,
            role="partner",
            org_id=org,
            display_name=name,
        )
        tokens[name] = accounts.create_token(Principal.of(user), "taxii", "read,write").secret
    for role in ("analyst", "lead"):
        tokens[role] = accounts.create_token(team.people[role], "taxii", "read").secret
    sharing.set_agreement(
        lead, "Partner A", "community", read=True, write=True, max_tlp=TLP.GREEN, approval=False
    )
    sharing.set_agreement(
        lead,
        "Partner B",
        "community",
        read=True,
        write=False,
        max_tlp=TLP.AMBER_STRICT,
        approval=True,
    )
    served = settings.but(data_dir=str(tmp_path / "data"), workers=0)
    with serving(create_app(served, clock=team.clock, watch_clocks=False)) as url:
        yield Desk(url, store, sharing, lead, tokens)
    store.close()


def _collection(desk: Desk, who: str) -> Collection:
    root = Server(desk.url + "/taxii2/", user=who, password=desk.tokens[who]).api_roots[0]
    return root.collections[0]


def test_discovery_and_collections_through_the_oasis_client(desk: Desk) -> None:
    server = Server(desk.url + "/taxii2/", user="partner-a", password=desk.tokens["Partner A"])
    assert server.title == "Tocsin TAXII 2.1"
    root: ApiRoot = server.api_roots[0]
    assert root.versions == [TAXII]
    (found,) = root.collections
    assert (found.alias, found.can_read, found.can_write) == ("community", True, True)


def test_pages_of_objects_follow_next_to_the_end(desk: Desk) -> None:
    desk.sharing.release(desk.lead, "community", [indicator(n) for n in range(25)])
    pages = list(as_pages(_collection(desk, "Partner A").get_objects, per_request=10))
    assert [len(p["objects"]) for p in pages] == [10, 10, 5]
    assert [p["more"] for p in pages] == [True, True, False]
    ids = [o["id"] for p in pages for o in p["objects"]]
    assert ids == [indicator(n)["id"] for n in range(25)]


def test_the_date_added_headers_give_the_next_added_after(desk: Desk) -> None:
    desk.sharing.release(desk.lead, "community", [indicator(n) for n in range(3)])
    auth = ("partner-a", desk.tokens["Partner A"])
    with httpx2.Client(base_url=desk.url, auth=auth, headers={"Accept": TAXII}) as client:
        first = client.get("/taxii2/api/collections/community/objects/")
        last = first.headers["X-TAXII-Date-Added-Last"]
        assert first.headers["X-TAXII-Date-Added-First"] < last
        desk.sharing.release(desk.lead, "community", [indicator(n) for n in range(3, 5)])
        newer = client.get(
            "/taxii2/api/collections/community/objects/", params={"added_after": last}
        )
    assert [o["id"] for o in newer.json()["objects"]] == [indicator(3)["id"], indicator(4)["id"]]


def test_filters_by_id_type_and_version(desk: Desk) -> None:
    old = indicator(1)
    new = indicator(1, modified="2026-11-28T11:00:00.000Z")
    desk.sharing.release(desk.lead, "community", [old, indicator(2)])
    desk.sharing.release(desk.lead, "community", [new])
    collection = _collection(desk, "Partner A")
    last = collection.get_objects(id=old["id"])["objects"]
    assert [o["modified"] for o in last] == [new["modified"]]
    every = collection.get_objects(id=old["id"], version="all")["objects"]
    assert sorted(o["modified"] for o in every) == [old["modified"], new["modified"]]
    first = collection.get_objects(id=old["id"], version="first")["objects"]
    assert [o["modified"] for o in first] == [old["modified"]]
    assert collection.get_objects(type="malware").get("objects", []) == []
    assert len(collection.get_objects(type="indicator", spec_version="2.1")["objects"]) == 2
    versions = collection.object_versions(old["id"])["versions"]
    assert versions == [old["modified"], new["modified"]]  # as the objects write them
    one = collection.get_object(old["id"], version="2026-11-28T10:00:00.000Z")["objects"]
    assert [o["modified"] for o in one] == [old["modified"]]
    manifest = collection.get_manifest()["objects"]
    assert {m["id"] for m in manifest} == {old["id"], indicator(2)["id"]}
    assert all(m["media_type"] == "application/stix+json;version=2.1" for m in manifest)


def test_a_partner_adds_objects_and_polls_the_status(desk: Desk) -> None:
    collection = _collection(desk, "Partner A")
    sent = [indicator(n) for n in range(100, 103)] + [{"type": "indicator", "id": "nonsense"}]
    status = collection.add_objects({"objects": sent})
    assert (status.status, status.success_count, status.failure_count) == ("complete", 3, 1)
    assert status.failures[0]["id"] == "nonsense"
    status.refresh()
    assert status.total_count == 4
    # What a partner writes stays between it and the team.
    mine = collection.get_objects()["objects"]
    assert {o["id"] for o in mine} == {o["id"] for o in sent[:3]}
    assert _collection(desk, "Partner B").get_objects().get("objects", []) == []
    assert len(_collection(desk, "analyst").get_objects()["objects"]) == 3
    # And into the pipeline, named after the partner, with their markings.
    events = desk.store.search(EventFilter(limit=100)).events
    assert {e["source.ip"] for e in events} == {f"198.51.100.{n}" for n in range(100, 103)}
    assert {(e["feed.provider"], e["tlp"]) for e in events} == {("Partner A", "GREEN")}


def test_a_partner_s_malformed_markings_are_red_and_stop_nothing(desk: Desk) -> None:
    """Markings fail closed on a POST too: the RED id as a string, ``[{}]`` (which raised in the
    collection), and a definition whose ``extensions`` is a string (which lost every indicator)
    are RED, the others keep theirs, and of one observation sent GREEN and RED, RED is kept."""
    own = "marking-definition--3c2a7a4e-2f6a-4a4e-8a31-5a1f3f0a9e21"
    broken = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": own,
        "created": "2026-11-28T10:00:00.000Z",
        "extensions": "tlp:green",
    }
    sent = [
        {**indicator(110), "object_marking_refs": RED},
        {**indicator(111), "object_marking_refs": [{}]},
        broken,
        indicator(112, own),
        indicator(113),
        indicator(114),
        {**indicator(115, RED), "pattern": indicator(114)["pattern"]},
    ]
    status = _collection(desk, "Partner A").add_objects({"objects": sent})
    assert (status.status, status.success_count, status.failure_count) == ("complete", 7, 0)
    events = desk.store.search(EventFilter(limit=100)).events
    assert {e["source.ip"]: e["tlp"] for e in events} == {
        "198.51.100.110": "RED",
        "198.51.100.111": "RED",
        "198.51.100.112": "RED",
        "198.51.100.113": "GREEN",
        "198.51.100.114": "RED",
    }


def test_amber_strict_for_one_partner_never_reaches_another(desk: Desk) -> None:
    desk.sharing.release(desk.lead, "community", [indicator(1)])
    pending = desk.sharing.release(
        desk.lead, "community", [indicator(2, AMBER_STRICT)], partner="Partner B"
    )
    assert pending.state.value == "pending"
    assert len(_collection(desk, "Partner B").get_objects()["objects"]) == 1  # not before approval
    admin = next(p for p in (desk.store.people.user_named("admin"),) if p)
    desk.sharing.approve(Principal.of(admin), pending.id)
    seen_by_b = {o["id"] for o in _collection(desk, "Partner B").get_objects()["objects"]}
    seen_by_a = {o["id"] for o in _collection(desk, "Partner A").get_objects()["objects"]}
    assert seen_by_b == {indicator(1)["id"], indicator(2)["id"]}
    assert seen_by_a == {indicator(1)["id"]}
    with pytest.raises(requests.HTTPError) as refused:
        _collection(desk, "Partner A").get_object(indicator(2)["id"])
    assert refused.value.response.status_code == 404


def test_errors_are_taxii_error_messages(desk: Desk) -> None:
    base = "/taxii2/api/collections/community/objects/"
    with httpx2.Client(base_url=desk.url) as client:
        anonymous = client.get(base, headers={"Accept": TAXII})
        auth = ("partner-a", desk.tokens["Partner A"])
        wrong_accept = client.get(base, auth=auth, headers={"Accept": "application/json"})
        bad_limit = client.get(base, auth=auth, headers={"Accept": TAXII}, params={"limit": 0})
        bad_type = client.post(
            base,
            auth=auth,
            headers={"Accept": TAXII, "Content-Type": "application/json"},
            content=b"{}",
        )
        unknown = client.get(
            "/taxii2/api/collections/nowhere/", auth=auth, headers={"Accept": TAXII}
        )
        read_only = client.post(
            base,
            auth=("partner-b", desk.tokens["Partner B"]),
            headers={"Accept": TAXII, "Content-Type": TAXII},
            content=b'{"objects": []}',
        )
    answers = [anonymous, wrong_accept, bad_limit, bad_type, unknown, read_only]
    assert [a.status_code for a in answers] == [401, 406, 400, 415, 404, 403]
    for answer in answers:
        assert answer.headers["content-type"] == TAXII
        assert answer.json()["http_status"] == str(answer.status_code)
        assert answer.json()["title"]
    assert anonymous.headers["www-authenticate"].startswith("Basic")


def test_a_password_works_as_well_as_a_token(desk: Desk) -> None:
    server = Server(desk.url + "/taxii2/", user="partner-a", password=PASSWORD)
    assert server.api_roots[0].collections[0].alias == "community"
    with pytest.raises(requests.HTTPError) as refused:
        Server(desk.url + "/taxii2/", user="partner-a", password="wrong").refresh()
    assert refused.value.response.status_code == 401


def test_red_never_goes_into_a_feed(desk: Desk) -> None:
    from tocsin.errors import Forbidden

    with pytest.raises(Forbidden, match="RED"):
        desk.sharing.release(desk.lead, "community", [indicator(1, RED)], partner="Partner B")
    assert desk.store.share.count_objects() == 0


def test_a_deleted_version_is_gone_and_the_last_one_is_the_previous(desk: Desk) -> None:
    old, new = indicator(7), indicator(7, modified="2026-11-28T12:00:00.000Z")
    desk.sharing.release(desk.lead, "community", [old])
    desk.sharing.release(desk.lead, "community", [new])
    lead_token = Accounts(desk.store, now=lambda: 0).create_token(desk.lead, "t", "read,write")
    url = f"/taxii2/api/collections/community/objects/{old['id']}/"
    with httpx2.Client(base_url=desk.url, headers={"Accept": TAXII}) as client:
        partner = client.delete(url, auth=("partner-a", desk.tokens["Partner A"]))
        deleted = client.delete(
            url, params={"match[version]": new["modified"]}, auth=("lead", lead_token.secret)
        )
    assert (partner.status_code, deleted.status_code) == (403, 200)
    left = _collection(desk, "Partner A").get_object(old["id"])["objects"]
    assert [o["modified"] for o in left] == [old["modified"]]  # the older is the last one now
    actions = [e.action for e in desk.store.cases.audit()]
    assert actions[-1] == "share.delete"


def test_what_tocsin_serves_passes_the_stix_validator(desk: Desk) -> None:
    from stix2validator import ValidationOptions, validate_instance

    from tests.factories import make_event, rows
    from tocsin.services.publish import Publisher
    from tocsin.store import EventFilter

    desk.store.write(
        rows(
            make_event(
                source__ip="198.51.100.20",
                classification__type="c2-server",
                tlp="GREEN",
                source__port=443,
                protocol__transport="tcp",
            ),
            make_event(
                source__url="http://bad.example/x", classification__type="phishing", tlp="CLEAR"
            ),
            make_event(
                source__ip="198.51.100.21",
                classification__type="infected-system",
                tlp="GREEN",
                malware__name="mirai",
            ),
        ),
        [],
    )
    publisher = Publisher(desk.sharing, Incidents(desk.store), "National CSIRT")
    publisher.events(desk.lead, "community", EventFilter())
    served = _collection(desk, "Partner A").get_objects(version="all")["objects"]
    assert {o["type"] for o in served} >= {"indicator", "observed-data", "sighting", "identity"}
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": served}
    result = validate_instance(bundle, ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for o in result.object_results for e in o.errors]


def test_the_demo_prints_credentials_that_read_its_green_collection(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tocsin.cli import app as cli_app

    database = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {"TOCSIN_DATABASE_URL": database, "TOCSIN_DATA_DIR": str(tmp_path / "data")}
    loaded = CliRunner().invoke(cli_app, ["demo", "--no-serve"], env=env)
    assert loaded.exit_code == 0, loaded.output
    line = next(x for x in loaded.output.splitlines() if x.startswith("TAXII 2.1"))
    user = line.split("user ")[1].split(",")[0]
    password = line.split("password ")[1].split(")")[0]
    count = int(line.split("(")[2].split(" STIX")[0])
    settings = Settings(database_url=database, data_dir=str(tmp_path / "data"), workers=0)
    with serving(create_app(settings, clock=FakeClock(), watch_clocks=False)) as url:
        root = Server(url + "/taxii2/", user=user, password=password).api_roots[0]
        pages = list(as_pages(root.collections[0].get_objects, per_request=500))
    served = [o for p in pages for o in p["objects"]]
    assert len(served) == count > 100
    marks = {m for o in served for m in o.get("object_marking_refs", [])}
    assert marks <= {GREEN, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"}


def test_staff_read_over_taxii_up_to_their_console_cap(desk: Desk) -> None:
    """A partner's TLP:RED object is kept for the team; over TAXII an analyst gets none of it (in
    pages, by id, its versions or the manifest), as in the console, while a lead reads it."""
    secret, public = indicator(7, RED), indicator(8)
    status = _collection(desk, "Partner A").add_objects({"objects": [secret, public]})
    assert status.success_count == 2
    base = "/taxii2/api/collections/community"
    seen: dict[str, set[str]] = {}
    for who in ("analyst", "lead"):
        auth = (who, desk.tokens[who])
        with httpx2.Client(base_url=desk.url, auth=auth, headers={"Accept": TAXII}) as client:
            listed = client.get(f"{base}/objects/").json().get("objects", [])
            manifest = client.get(f"{base}/manifest/").json().get("objects", [])
            one = client.get(f"{base}/objects/{secret['id']}/")
            versions = client.get(f"{base}/objects/{secret['id']}/versions/")
        seen[who] = {o["id"] for o in listed} | {m["id"] for m in manifest}
        expected = 404 if who == "analyst" else 200
        assert (one.status_code, versions.status_code) == (expected, expected)
    assert seen == {"analyst": {public["id"]}, "lead": {secret["id"], public["id"]}}


def _pages(client: httpx2.Client, path: str, key: str, **params: Any) -> list[list[Any]]:
    """Every page of a TAXII list, following ``next`` to ``more: false``."""
    pages: list[list[Any]] = []
    while True:
        body = client.get(path, params=params).json()
        pages.append(body.get(key, []))
        if not body.get("more"):
            return pages
        params = {**params, "next": body["next"]}


def test_versions_page_in_the_order_they_are_listed(desk: Desk) -> None:
    """Three versions sent newest first, then oldest, then the middle one: paged one at a time,
    the versions endpoint gives all three in order (it lost the newest when its ``next`` was a
    date_added while it sorts by version)."""
    years = ("2022", "2020", "2021")
    sent = [indicator(9, modified=f"{y}-01-01T00:00:00.000Z") for y in years]
    collection = _collection(desk, "Partner A")
    for version in sent:
        assert collection.add_objects({"objects": [version]}).success_count == 1
    path = f"/taxii2/api/collections/community/objects/{sent[0]['id']}/versions/"
    auth = ("partner-a", desk.tokens["Partner A"])
    with httpx2.Client(base_url=desk.url, auth=auth, headers={"Accept": TAXII}) as client:
        pages = _pages(client, path, "versions", limit=1)
        mixed = client.get(path, params={"limit": 1, "next": "MTIz"})  # a date_added cursor
    assert [v[:4] for page in pages for v in page] == ["2020", "2021", "2022"]
    assert mixed.status_code == 400


def test_the_version_advertised_for_an_sco_fetches_it(desk: Desk) -> None:
    """An SCO has no ``modified``: the version the manifest and the versions endpoint give it
    (its date_added) selects it with ``match[version]``, on one object and on the list."""
    sco = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
        "value": "198.51.100.3",
        "object_marking_refs": [GREEN],
    }
    desk.sharing.release(desk.lead, "community", [sco, indicator(3)])
    base = "/taxii2/api/collections/community"
    auth = ("partner-a", desk.tokens["Partner A"])
    with httpx2.Client(base_url=desk.url, auth=auth, headers={"Accept": TAXII}) as client:
        manifest = client.get(f"{base}/manifest/", params={"match[id]": sco["id"]}).json()
        (listed,) = client.get(f"{base}/objects/{sco['id']}/versions/").json()["versions"]
        (record,) = manifest["objects"]
        assert record["version"] == listed
        one = client.get(f"{base}/objects/{sco['id']}/", params={"match[version]": listed})
        many = client.get(
            f"{base}/objects/", params={"match[id]": sco["id"], "match[version]": listed}
        )
    assert one.status_code == 200
    assert [o["id"] for o in one.json()["objects"]] == [sco["id"]]
    assert [o["id"] for o in many.json()["objects"]] == [sco["id"]]


def test_an_object_without_spec_version_is_stix_2_0_and_refused(desk: Desk) -> None:
    """STIX 2.1 §3.2: an SDO or SRO without ``spec_version`` is STIX 2.0, refused like an
    explicit "2.0" (it was relabelled 2.1 and served invalid); an SCO without it is 2.1."""
    old = {k: v for k, v in indicator(20).items() if k != "spec_version"}
    explicit = {**indicator(21), "spec_version": "2.0"}
    malware = {
        "type": "malware",
        "id": "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec",
        "created": "2018-02-23T18:30:00.000Z",
        "modified": "2018-02-23T18:30:00.000Z",
        "name": "Poison Ivy",
        "labels": ["remote-access-trojan"],
    }
    marking = {
        "type": "marking-definition",
        "id": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "created": "2017-01-20T00:00:00.000Z",
        "definition_type": "tlp",
        "definition": {"tlp": "green"},
    }
    sco = {
        "type": "domain-name",
        "id": f"domain-name--{uuid.uuid4()}",
        "value": "bad.example",
        "object_marking_refs": [GREEN],
    }
    status = _collection(desk, "Partner A").add_objects(
        {"objects": [old, explicit, malware, marking, sco, indicator(22)]}
    )
    refused = {f["id"]: f["message"] for f in status.failures}
    assert set(refused) == {old["id"], explicit["id"], malware["id"], marking["id"]}
    assert "STIX 2.0" in refused[malware["id"]]
    served = _collection(desk, "Partner A").get_objects()["objects"]
    assert {o["id"] for o in served} == {sco["id"], indicator(22)["id"]}
