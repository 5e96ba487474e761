"""The test cases of medallion, the OASIS TAXII 2.1 reference server, run over HTTP against
Tocsin's TAXII server (a real uvicorn on loopback), on SQLite and PostgreSQL.

Each case is medallion's own (``medallion/test/test_backends.py``): the same requests, counts,
orders, versions, date-added headers and status codes, against the same data. Its collection
``91a7b528…`` ("High Value Indicator Collection": a relationship, two indicators, one of them in
three versions, the TLP:GREEN marking definition and a malware in a STIX 2.1 and a STIX 2.0
version) is loaded by its partner, each version at medallion's own ``date_added`` (the sharing
desk's microsecond clock is set to it), so medallion's literal timestamps hold here. Its other
collections are Tocsin collections under the partner's agreements: one read and write (where
medallion adds objects: each case that writes has a collection of its own), one read only, one
write only, and one neither ("forbidden").

Where Tocsin answers otherwise and TAXII 2.1 allows it, the case asserts Tocsin's answer and says
why (``ALLOWED``); docs/taxii.md lists these differences. Not ported: medallion's configuration,
start-up, save-to-file and status-retention cases (medallion's own machinery, no TAXII
behaviour).
"""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import psycopg
import pytest

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.browser.serving import serving
from tests.desk import make_team
from tocsin.model.people import Principal
from tocsin.model.tlp import TLP
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.share.objects import timestamp_us
from tocsin.share.sharing import Sharing
from tocsin.store import Store, open_store
from tocsin.web.app import create_app

TAXII = "application/taxii+json;version=2.1"
PASSWORD = "the partner's long enough passphrase"
MALWARE = "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec"
INDICATOR = "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e"
RELATIONSHIP = "relationship--2f9a9aa9-108a-4333-83e2-4fb25add0463"
ALLOWED = {
    "stix-2.0": "Tocsin carries STIX 2.1 only: an object without spec_version (STIX 2.0, STIX 2.1 "
    "section 3.2) or with 2.0 is refused in the status, so match[spec_version]=2.0 finds nothing",
    "empty": "an empty page is {'more': false, 'objects': []} (or 'versions': []), not {}: every "
    "property of an envelope and of a versions resource is optional in TAXII 2.1",
    "cursor": "a next token is a position (date_added) that stays meaningful whatever the filters; "
    "TAXII 2.1 does not ask a server to refuse it with other filters",
    "error-title": "an error's title and description are free text in TAXII 2.1",
    "delete": "only admins and leads delete (TAXII 2.1 leaves who may delete to the server)",
}

COURSE_OF_ACTION = {
    "type": "course-of-action",
    "spec_version": "2.1",
    "id": "course-of-action--68794cd5-28db-429d-ab1e-1256704ef906",
    "created": "2017-01-27T13:49:53.935Z",
    "modified": "2017-01-27T13:49:53.935Z",
    "name": "Test object",
}
_COMMON = {"spec_version": "2.1", "created": "2016-11-03T12:30:59.000Z", "type": "indicator"}
_URL = {"indicator_types": ["url-watchlist"], "name": "Malicious site hosting downloader"}
_SHA256 = "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c"
_POISON_IVY = {"type": "malware", "id": MALWARE, "created": "2017-01-27T13:49:53.997Z"}
_POISON_IVY |= {"name": "Poison Ivy", "is_family": True, "malware_types": ["remote-access-trojan"]}
# medallion's collection 91a7b528…: (its date_added, the object version), oldest first.
HIGH_VALUE: list[tuple[str, dict[str, Any]]] = [
    (
        "2014-05-08T09:00:00.000000Z",
        {
            "type": "relationship",
            "spec_version": "2.1",
            "id": RELATIONSHIP,
            "created": "2014-05-08T09:00:00.000Z",
            "modified": "2014-05-08T09:00:00.000Z",
            "relationship_type": "indicates",
            "source_ref": "indicator--cd981c25-8042-4166-8945-51178443bdac",
            "target_ref": MALWARE,
        },
    ),
    (
        "2016-11-01T03:04:05.000000Z",
        {
            **_COMMON,
            "id": "indicator--cd981c25-8042-4166-8945-51178443bdac",
            "created": "2014-05-08T09:00:00.000Z",
            "modified": "2014-05-08T09:00:00.000Z",
            "indicator_types": ["file-hash-watchlist"],
            "name": "File hash for Poison Ivy variant",
            "pattern": f"[file:hashes.'SHA-256' = '{_SHA256}']",
            "pattern_type": "stix",
            "valid_from": "2014-05-08T09:00:00.000000Z",
        },
    ),
    (
        "2016-11-03T12:30:59.001000Z",
        {
            **_COMMON,
            **_URL,
            "id": INDICATOR,
            "modified": "2016-11-03T12:30:59.000Z",
            "pattern": "[url:value = 'http://z4z10farb.cn/4712']",
            "pattern_type": "stix",
            "valid_from": "2017-01-01T12:34:56Z",
        },
    ),
    (
        "2016-12-27T13:49:59.000000Z",
        {
            **_COMMON,
            **_URL,
            "id": INDICATOR,
            "modified": "2016-12-25T12:30:59.444Z",
            "pattern": "[url:value = 'http://x4z9arb.cn/4712']",
            "pattern_type": "stix",
            "valid_from": "2017-01-01T12:34:56Z",
        },
    ),
    (
        "2017-01-20T00:00:00.000000Z",
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
            "created": "2017-01-20T00:00:00.000Z",
            "definition_type": "tlp",
            "name": "TLP:GREEN",
            "definition": {"tlp": "green"},
        },
    ),
    (
        "2017-01-27T13:49:59.997000Z",
        {**_POISON_IVY, "spec_version": "2.1", "modified": "2017-01-27T13:49:53.997Z"},
    ),
    # The STIX 2.0 version: no spec_version.
    ("2017-01-27T13:49:59.997000Z", {**_POISON_IVY, "modified": "2018-02-23T18:30:00.000Z"}),
    (
        "2017-12-31T13:49:53.935000Z",
        {
            **_COMMON,
            **_URL,
            "id": INDICATOR,
            "modified": "2017-01-27T13:49:53.935Z",
            "pattern": "[url:value = 'http://x4z9arb.cn/4712']",
            "pattern_type": "stix",
            "valid_from": "2017-01-01T12:34:56Z",
        },
    ),
]


@dataclass
class Medallion:
    """Tocsin serving medallion's data: the partner's client, the lead's (who deletes), the
    collections' uuids, and a maker of fresh read-write collections for the cases that write."""

    url: str
    store: Store
    sharing: Sharing
    lead: Principal
    collections: dict[str, str]  # medallion's role of a collection → its uuid here
    partner: httpx2.Client
    lead_client: httpx2.Client
    load_statuses: list[dict[str, Any]] = field(default_factory=list)
    _made: int = 0

    def objects(self, key: str = "high-value") -> str:
        return f"/taxii2/api/collections/{self.collections[key]}/objects/"

    def manifest(self, key: str = "high-value") -> str:
        return f"/taxii2/api/collections/{self.collections[key]}/manifest/"

    def fresh(self) -> str:
        """A new collection the partner reads and writes: what a writing case starts from."""
        self._made += 1
        alias = f"add-{self._made}"
        made = self.sharing.add_collection(self.lead, alias, "For adding objects")
        self.sharing.set_agreement(
            self.lead, "Partner", alias, read=True, write=True, max_tlp=TLP.AMBER, approval=False
        )
        return f"/taxii2/api/collections/{made.uuid}/objects/"

    def post(self, path: str, body: Any, **headers: str) -> httpx2.Response:
        return self.partner.post(path, json=body, headers={"Content-Type": TAXII, **headers})


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def medallion(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Medallion]:
    """One server per backend for the module, on a database of its own (the read-only cases
    share medallion's data; each writing case makes its own collection)."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("medallion")
        yield from _serve(f"sqlite:///{folder / 'tocsin.db'}", tmp_path_factory)
        return
    server: str = request.getfixturevalue("postgres_server")
    name = f"tocsin_medallion_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield from _serve(f"{server.rsplit('/', 1)[0]}/{name}", tmp_path_factory)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _serve(url: str, factory: pytest.TempPathFactory) -> Iterator[Medallion]:
    store = open_store(url, audit_key=AUDIT_KEY)
    team = make_team(store)
    moment = [0]
    sharing = Sharing(store, now=team.clock, clock_us=lambda: moment[0])
    lead = team.people["lead"]
    accounts = Accounts(store, now=team.clock)
    org = sharing.add_partner(lead, "Partner")
    user = accounts.add_user(
        team.people["admin"],
        name="trustgroup",
        password=PASSWORD,
        role="partner",
        org_id=org,
        display_name="Partner",
    )
    collections: dict[str, str] = {}
    for key, read, write in (
        ("high-value", True, True),  # 91a7b528…
        ("add", True, True),  # 365fed99…
        ("read-only", True, False),  # 52892447…: indicators from the past 24 hours
        ("forbidden", False, False),  # 64993447…: secret indicators
        ("write-only", False, True),  # 472c94ae…: querying across collections
    ):
        collections[key] = sharing.add_collection(lead, key, key.title()).uuid
        sharing.set_agreement(
            lead, "Partner", key, read=read, write=write, max_tlp=TLP.AMBER, approval=False
        )
    partner = Principal.of(user)
    statuses = []
    for added, item in HIGH_VALUE:
        moment[0] = timestamp_us(added)
        statuses.append(sharing.add_envelope(partner, "high-value", [item]))
    lead_token = accounts.create_token(lead, "taxii", "read,write").secret
    data = factory.mktemp("data")
    write_keys(data)  # the server seals the audit log with the key the store above sealed it with
    settings = Settings(database_url=url, workers=0, data_dir=str(data))
    headers = {"Accept": TAXII}
    with (
        serving(create_app(settings, clock=team.clock, watch_clocks=False)) as base,
        httpx2.Client(base_url=base, auth=("trustgroup", PASSWORD), headers=headers) as client,
        httpx2.Client(base_url=base, auth=("lead", lead_token), headers=headers) as lead_client,
    ):
        yield Medallion(base, store, sharing, lead, collections, client, lead_client, statuses)
    store.close()


def _ok(answer: httpx2.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == TAXII
    body: dict[str, Any] = answer.json()
    return body


def _added(answer: httpx2.Response) -> tuple[str, str]:
    return answer.headers["X-TAXII-Date-Added-First"], answer.headers["X-TAXII-Date-Added-Last"]


# -- loading -----------------------------------------------------------------------------------


def test_the_data_loads_but_the_stix_2_0_version(medallion: Medallion) -> None:
    """Each of medallion's 8 object versions is one envelope; the STIX 2.0 malware is refused
    (ALLOWED stix-2.0), every other one succeeds."""
    counts = [(s["success_count"], s["failure_count"]) for s in medallion.load_statuses]
    assert counts == [(1, 0)] * 6 + [(0, 1), (1, 0)]
    assert "STIX 2.0" in medallion.load_statuses[6]["failures"][0]["message"]


# -- discovery, api root, status, collections ---------------------------------------------------


def test_server_discovery(medallion: Medallion) -> None:
    """Discovery names the API root as a full URL."""
    found = _ok(medallion.partner.get("/taxii2/"))
    assert found["api_roots"][0] == medallion.url + "/taxii2/api/"


def test_get_api_root_information(medallion: Medallion) -> None:
    """The API root has a title and speaks TAXII 2.1."""
    found = _ok(medallion.partner.get("/taxii2/api/"))
    assert found["title"] and found["versions"] == [TAXII]


def test_get_status(medallion: Medallion) -> None:
    """A status resource of an earlier POST holds successes, failures and pendings."""
    status_id = medallion.load_statuses[1]["id"]
    found = _ok(medallion.partner.get(f"/taxii2/api/status/{status_id}/"))
    assert {"successes", "failures", "pendings"} <= set(found)


def test_get_collections(medallion: Medallion) -> None:
    """The partner sees the five collections of its agreements (and those the writing cases
    make for themselves)."""
    found = _ok(medallion.partner.get("/taxii2/api/collections/"))
    ids = {c["id"] for c in found["collections"]}
    assert {medallion.collections[k] for k in medallion.collections} <= ids
    assert len({i for i in ids if i in medallion.collections.values()}) == 5


# -- objects ------------------------------------------------------------------------------------


def test_get_objects(medallion: Medallion) -> None:
    """The latest version of each object, in date_added order, with the date-added headers."""
    answer = medallion.partner.get(medallion.objects())
    found = _ok(answer)
    assert found["more"] is False
    assert [o["id"] for o in found["objects"]] == [
        RELATIONSHIP,
        "indicator--cd981c25-8042-4166-8945-51178443bdac",
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        MALWARE,
        INDICATOR,
    ]
    assert _added(answer) == ("2014-05-08T09:00:00.000000Z", "2017-12-31T13:49:53.935000Z")


def test_get_object(medallion: Medallion) -> None:
    """One object by id, with its date_added in both headers."""
    answer = medallion.partner.get(medallion.objects() + MALWARE + "/")
    assert [o["id"] for o in _ok(answer)["objects"]] == [MALWARE]
    assert _added(answer) == ("2017-01-27T13:49:59.997000Z",) * 2


def test_get_objects_added_after(medallion: Medallion) -> None:
    """added_after keeps the objects added later."""
    found = _ok(
        medallion.partner.get(medallion.objects(), params={"added_after": "2016-11-03T12:30:59Z"})
    )
    assert (found["more"], len(found["objects"])) == (False, 3)


def test_get_objects_limit(medallion: Medallion) -> None:
    """limit pages the objects; next gives the rest, each page with its headers."""
    first = medallion.partner.get(medallion.objects(), params={"limit": 3})
    page = _ok(first)
    assert page["more"] is True
    assert [o["id"] for o in page["objects"]] == [
        RELATIONSHIP,
        "indicator--cd981c25-8042-4166-8945-51178443bdac",
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    ]
    assert _added(first) == ("2014-05-08T09:00:00.000000Z", "2017-01-20T00:00:00.000000Z")
    second = medallion.partner.get(medallion.objects(), params={"limit": 3, "next": page["next"]})
    rest = _ok(second)
    assert rest["more"] is False
    assert [o["id"] for o in rest["objects"]] == [MALWARE, INDICATOR]
    assert _added(second) == ("2017-01-27T13:49:59.997000Z", "2017-12-31T13:49:53.935000Z")


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"match[id]": MALWARE}, 1),
        ({"match[type]": "indicator"}, 2),
        ({"match[version]": "2016-12-25T12:30:59.444Z"}, 1),
        ({"match[spec_version]": "2.0,2.1"}, 5),
        ({"match[spec_version]": "2.1"}, 5),
        ({}, 5),
        ({"match[type]": "indicator", "match[version]": "2017-01-27T13:49:53.935Z"}, 1),
    ],
)
def test_get_objects_filtered(medallion: Medallion, params: dict[str, str], count: int) -> None:
    """match[id], match[type], match[version] and match[spec_version] (default: 2.1 here)."""
    found = _ok(medallion.partner.get(medallion.objects(), params=params))
    assert (found["more"], len(found["objects"])) == (False, count)
    assert all(o["spec_version"] == "2.1" for o in found["objects"])
    if "match[type]" in params:
        assert {o["type"] for o in found["objects"]} == {"indicator"}


@pytest.mark.parametrize(
    ("word", "indicator", "malware"),
    [
        ("first", "2016-11-03T12:30:59.000Z", "2017-01-27T13:49:53.997Z"),
        ("last", "2017-01-27T13:49:53.935Z", "2017-01-27T13:49:53.997Z"),
    ],
)
def test_objects_version_match_first_and_last(
    medallion: Medallion, word: str, indicator: str, malware: str
) -> None:
    """match[version]=first / last give each object's first / last version."""
    found = _ok(medallion.partner.get(medallion.objects(), params={"match[version]": word}))
    modified = {o["id"]: o.get("modified") for o in found["objects"]}
    assert (modified[INDICATOR], modified[MALWARE]) == (indicator, malware)


def test_objects_version_match_all(medallion: Medallion) -> None:
    """match[version]=all gives every STIX 2.1 version (the default spec_version)."""
    found = _ok(medallion.partner.get(medallion.objects(), params={"match[version]": "all"}))
    assert len(found["objects"]) == 7


def test_get_objects_spec_version_20(medallion: Medallion) -> None:
    """match[spec_version]=2.0: medallion 1 object, here none (ALLOWED stix-2.0, empty)."""
    params = {"match[spec_version]": "2.0"}
    assert _ok(medallion.partner.get(medallion.objects(), params=params))["objects"] == []
    params["match[type]"] = "indicator"
    assert _ok(medallion.partner.get(medallion.objects(), params=params))["objects"] == []


def test_get_objects_match_type_spec_version(medallion: Medallion) -> None:
    """A STIX 2.0 indicator POSTed is refused (ALLOWED stix-2.0); match[type] with
    match[spec_version]=2.1 gives the two indicators in date_added order."""
    sent = {**COURSE_OF_ACTION, "type": "indicator", "spec_version": "2.0"}
    sent["id"] = "indicator--68794cd5-28db-429d-ab1e-1256704ef906"
    status = medallion.post(medallion.objects(), {"objects": [sent]}).json()
    assert (status["success_count"], status["failure_count"]) == (0, 1)
    params = {"match[type]": "indicator", "match[spec_version]": "2.1"}
    found = _ok(medallion.partner.get(medallion.objects(), params=params))
    assert [o["id"] for o in found["objects"]] == [
        "indicator--cd981c25-8042-4166-8945-51178443bdac",
        INDICATOR,
    ]


# -- one object ---------------------------------------------------------------------------------


def test_get_object_added_after(medallion: Medallion) -> None:
    """added_after on one object: later than it, nothing (ALLOWED empty: medallion says {});
    earlier, the object."""
    path = medallion.objects() + MALWARE + "/"
    late = _ok(medallion.partner.get(path, params={"added_after": "2018-01-27T13:49:59.997000Z"}))
    assert late == {"more": False, "objects": []}
    early = _ok(medallion.partner.get(path, params={"added_after": "2017-01-27T13:49:59Z"}))
    assert (early["more"], len(early["objects"])) == (False, 1)


def test_get_object_limit(medallion: Medallion) -> None:
    """limit on one object's versions pages them in date_added order, with the headers."""
    path = medallion.objects() + INDICATOR + "/"
    last = medallion.partner.get(path, params={"limit": 1})
    assert (_ok(last)["more"], len(_ok(last)["objects"])) == (False, 1)
    assert _added(last) == ("2017-12-31T13:49:53.935000Z",) * 2
    first = medallion.partner.get(path, params={"match[version]": "all", "limit": 2})
    page = _ok(first)
    assert page["more"] is True
    assert [o["modified"] for o in page["objects"]] == [
        "2016-11-03T12:30:59.000Z",
        "2016-12-25T12:30:59.444Z",
    ]
    assert _added(first) == ("2016-11-03T12:30:59.001000Z", "2016-12-27T13:49:59.000000Z")
    params = {"match[version]": "all", "limit": 2, "next": page["next"]}
    second = medallion.partner.get(path, params=params)
    assert (_ok(second)["more"], len(_ok(second)["objects"])) == (False, 1)
    assert _added(second) == ("2017-12-31T13:49:53.935000Z",) * 2


@pytest.mark.parametrize(
    ("version", "modified"),
    [
        ("2016-12-25T12:30:59.444Z", "2016-12-25T12:30:59.444Z"),
        ("first", "2016-11-03T12:30:59.000Z"),
        ("last", "2017-01-27T13:49:53.935Z"),
    ],
)
def test_get_object_version_single(medallion: Medallion, version: str, modified: str) -> None:
    """match[version] picks one version of one object."""
    path = medallion.objects() + INDICATOR + "/"
    found = _ok(medallion.partner.get(path, params={"match[version]": version}))
    assert found["more"] is False
    assert [(o["id"], o["modified"]) for o in found["objects"]] == [(INDICATOR, modified)]


def test_get_object_version_match_all(medallion: Medallion) -> None:
    """match[version]=all gives the three versions of the indicator."""
    path = medallion.objects() + INDICATOR + "/"
    found = _ok(medallion.partner.get(path, params={"match[version]": "all"}))
    assert (found["more"], len(found["objects"])) == (False, 3)


@pytest.mark.parametrize(
    ("spec", "modified"),
    [("2.1", "2017-01-27T13:49:53.997Z"), ("", "2017-01-27T13:49:53.997Z")],
)
def test_get_object_spec_version(medallion: Medallion, spec: str, modified: str) -> None:
    """match[spec_version]=2.1 (and the default) give the malware's STIX 2.1 version."""
    params = {"match[spec_version]": spec} if spec else {}
    found = _ok(medallion.partner.get(medallion.objects() + MALWARE + "/", params=params))
    assert [(o["spec_version"], o["modified"]) for o in found["objects"]] == [("2.1", modified)]


def test_get_object_spec_version_20(medallion: Medallion) -> None:
    """The malware's STIX 2.0 version was refused (ALLOWED stix-2.0): asked for 2.0, the object
    is not there (404); asked for 2.0 or 2.1, the latest is the 2.1 version (medallion: the
    2.0 one of 2018)."""
    path = medallion.objects() + MALWARE + "/"
    assert medallion.partner.get(path, params={"match[spec_version]": "2.0"}).status_code == 404
    both = _ok(medallion.partner.get(path, params={"match[spec_version]": "2.0,2.1"}))
    assert [o["modified"] for o in both["objects"]] == ["2017-01-27T13:49:53.997Z"]


# -- manifest -----------------------------------------------------------------------------------


def test_get_object_manifests(medallion: Medallion) -> None:
    """The manifest has a record per object, in date_added order, with the headers."""
    answer = medallion.partner.get(medallion.manifest())
    records = _ok(answer)["objects"]
    assert len(records) == 5
    assert _added(answer) == ("2014-05-08T09:00:00.000000Z", "2017-12-31T13:49:53.935000Z")
    added = [r["date_added"] for r in records]
    assert added == sorted(added) and len(set(added)) == 5


def test_get_manifest_added_after(medallion: Medallion) -> None:
    """added_after keeps the records added later (2: the 2.0 version is not here either)."""
    params = {"added_after": "2017-01-20T00:00:00.000Z"}
    found = _ok(medallion.partner.get(medallion.manifest(), params=params))
    assert (found["more"], len(found["objects"])) == (False, 2)


def test_get_manifest_limit(medallion: Medallion) -> None:
    """limit pages the manifest 2, 2, 1; each page's headers are its first and last record's."""
    params: dict[str, Any] = {"limit": 2}
    sizes = []
    while True:
        answer = medallion.partner.get(medallion.manifest(), params=params)
        page = _ok(answer)
        sizes.append((len(page["objects"]), page["more"]))
        records = page["objects"]
        assert _added(answer) == (records[0]["date_added"], records[-1]["date_added"])
        if not page["more"]:
            break
        params["next"] = page["next"]
    assert sizes == [(2, True), (2, True), (1, False)]


@pytest.mark.parametrize(
    ("params", "count", "version"),
    [
        ({"match[id]": MALWARE}, 1, "2017-01-27T13:49:53.997Z"),
        ({"match[type]": "indicator"}, 2, "2017-01-27T13:49:53.935Z"),
        ({"match[version]": "2016-12-25T12:30:59.444Z"}, 1, "2016-12-25T12:30:59.444Z"),
        ({"match[version]": "first"}, 5, "2016-11-03T12:30:59.000Z"),
        ({"match[version]": "last"}, 5, "2017-01-27T13:49:53.935Z"),
        ({"match[spec_version]": "2.1"}, 5, "2017-01-27T13:49:53.935Z"),
        ({}, 5, "2017-01-27T13:49:53.935Z"),
    ],
)
def test_get_manifest_filtered(
    medallion: Medallion, params: dict[str, str], count: int, version: str
) -> None:
    """The manifest's filters; each record's version is the object's ``modified`` as written."""
    found = _ok(medallion.partner.get(medallion.manifest(), params=params))
    assert (found["more"], len(found["objects"])) == (False, count)
    wanted = INDICATOR if "match[id]" not in params else MALWARE
    assert [r["version"] for r in found["objects"] if r["id"] == wanted] == [version]
    assert {r["media_type"] for r in found["objects"]} == {"application/stix+json;version=2.1"}


def test_get_manifest_spec_version_20(medallion: Medallion) -> None:
    """match[spec_version]=2.0: medallion 1 record (media type 2.0), here none; 2.0,2.1: the
    malware's latest is its 2.1 version here (ALLOWED stix-2.0). match[version]=all: the 7
    STIX 2.1 versions."""
    only = _ok(medallion.partner.get(medallion.manifest(), params={"match[spec_version]": "2.0"}))
    assert only["objects"] == []
    both = _ok(
        medallion.partner.get(medallion.manifest(), params={"match[spec_version]": "2.0,2.1"})
    )
    assert len(both["objects"]) == 5
    assert [r["version"] for r in both["objects"] if r["id"] == MALWARE] == [
        "2017-01-27T13:49:53.997Z"
    ]
    every = _ok(medallion.partner.get(medallion.manifest(), params={"match[version]": "all"}))
    assert len(every["objects"]) == 7


# -- versions -----------------------------------------------------------------------------------


def test_get_version(medallion: Medallion) -> None:
    """An object's versions, at the URL without its slash too (redirected)."""
    answer = medallion.partner.get(
        medallion.objects() + RELATIONSHIP + "/versions", follow_redirects=True
    )
    assert len(_ok(answer)["versions"]) == 1
    assert _added(answer) == ("2014-05-08T09:00:00.000000Z",) * 2


def test_get_version_added_after(medallion: Medallion) -> None:
    """added_after on the versions: none later (ALLOWED empty: medallion says {}); one earlier."""
    path = medallion.objects() + RELATIONSHIP + "/versions/"
    late = _ok(medallion.partner.get(path, params={"added_after": "2014-05-08T09:00:00Z"}))
    assert late == {"more": False, "versions": []}
    early = _ok(medallion.partner.get(path, params={"added_after": "2014-05-08T08:00:00Z"}))
    assert (early["more"], len(early["versions"])) == (False, 1)


def test_get_version_limit(medallion: Medallion) -> None:
    """limit=1 pages the three versions one by one, each with its date_added in the headers."""
    path = medallion.objects() + INDICATOR + "/versions/"
    params: dict[str, Any] = {"limit": 1}
    seen = []
    while True:
        answer = medallion.partner.get(path, params=params)
        page = _ok(answer)
        seen.append((page["versions"], page["more"], _added(answer)[0]))
        if not page["more"]:
            break
        params["next"] = page["next"]
    assert seen == [
        (["2016-11-03T12:30:59.000Z"], True, "2016-11-03T12:30:59.001000Z"),
        (["2016-12-25T12:30:59.444Z"], True, "2016-12-27T13:49:59.000000Z"),
        (["2017-01-27T13:49:53.935Z"], False, "2017-12-31T13:49:53.935000Z"),
    ]


def test_get_version_spec_version(medallion: Medallion) -> None:
    """The malware's versions: 2.1 (and the default) give its 2.1 version; 2.0 finds none (404)
    and 2.0,2.1 one, not two (ALLOWED stix-2.0)."""
    path = medallion.objects() + MALWARE + "/versions/"
    for params in ({"match[spec_version]": "2.1"}, {}, {"match[spec_version]": "2.0,2.1"}):
        found = _ok(medallion.partner.get(path, params=params))
        assert found == {"more": False, "versions": ["2017-01-27T13:49:53.997Z"]}
    assert medallion.partner.get(path, params={"match[spec_version]": "2.0"}).status_code == 404


# -- adding and deleting ------------------------------------------------------------------------


def test_add_and_delete_object(medallion: Medallion) -> None:
    """A POSTed object is listed, found by id, in the status and the manifest; deleted (by a
    lead: ALLOWED delete), it is gone."""
    objects = medallion.fresh()
    posted = medallion.post(objects, {"objects": [copy.deepcopy(COURSE_OF_ACTION)]})
    assert (posted.status_code, posted.headers["content-type"]) == (202, TAXII)
    object_id = COURSE_OF_ACTION["id"]
    assert object_id in {o["id"] for o in _ok(medallion.partner.get(objects))["objects"]}
    found = _ok(medallion.partner.get(objects, params={"match[id]": object_id}))
    assert found["objects"][0]["id"] == object_id
    status = _ok(medallion.partner.get(f"/taxii2/api/status/{posted.json()['id']}/"))
    assert status["success_count"] == 1
    manifest = objects.replace("/objects/", "/manifest/")
    records = _ok(medallion.partner.get(manifest, params={"match[id]": object_id}))["objects"]
    assert [r["id"] for r in records] == [object_id]
    assert medallion.partner.delete(objects + object_id + "/").status_code == 403
    assert _ok(medallion.lead_client.delete(objects + object_id + "/")) == {}
    gone = medallion.partner.get(objects + object_id + "/")
    assert (gone.status_code, gone.headers["content-type"]) == (404, TAXII)
    assert medallion.partner.get(manifest + object_id + "/").status_code == 404


def test_delete_objects_version(medallion: Medallion) -> None:
    """Five versions POSTed at once; deleting by a timestamp, first, last and all takes those."""
    objects = medallion.fresh()
    object_id = COURSE_OF_ACTION["id"]
    modified = ["2017", "2015", "2016", "2018", "2019"]
    sent = [
        {
            **COURSE_OF_ACTION,
            "created": "2014-01-27T13:49:53.935Z",
            "modified": f"{y}-01-27T13:49:53.935Z",
        }
        for y in modified
    ]
    assert medallion.post(objects, {"objects": sent}).json()["success_count"] == 5
    versions = objects + object_id + "/versions/"
    assert len(_ok(medallion.partner.get(versions))["versions"]) == 5
    for match, left, gone in (
        ("2018-01-27T13:49:53.935Z", 4, "2018"),
        ("first", 3, "2015"),
        ("last", 2, "2019"),
    ):
        assert (
            medallion.lead_client.delete(
                objects + object_id + "/", params={"match[version]": match}
            ).status_code
            == 200
        )
        listed = _ok(medallion.partner.get(versions))
        assert (listed["more"], len(listed["versions"])) == (False, left)
        assert f"{gone}-01-27T13:49:53.935Z" not in listed["versions"]
    deleted = medallion.lead_client.delete(
        objects + object_id + "/", params={"match[version]": "all"}
    )
    assert deleted.status_code == 200
    assert medallion.partner.get(versions).status_code == 404


def test_delete_objects_spec_version(medallion: Medallion) -> None:
    """A 2.1 and a 2.0 version POSTed: the 2.0 one is refused (ALLOWED stix-2.0), so deleting
    match[spec_version]=2.0 finds nothing (404; medallion 200); deleting 2.1 leaves none."""
    objects = medallion.fresh()
    object_id = COURSE_OF_ACTION["id"]
    old = {**COURSE_OF_ACTION, "modified": "2019-01-27T13:49:53.935Z", "spec_version": "2.0"}
    posted = medallion.post(objects, {"objects": [COURSE_OF_ACTION, old]})
    assert posted.status_code == 202
    assert (posted.json()["success_count"], posted.json()["failure_count"]) == (1, 1)
    one = objects + object_id + "/"
    params = {"match[spec_version]": "2.0"}
    assert medallion.lead_client.delete(one, params=params).status_code == 404
    listed = _ok(medallion.partner.get(one + "versions/"))
    assert listed == {"more": False, "versions": ["2017-01-27T13:49:53.935Z"]}
    params = {"match[spec_version]": "2.1"}
    assert medallion.lead_client.delete(one, params=params).status_code == 200
    assert medallion.partner.get(one + "versions/").status_code == 404


def test_sco_versioning(medallion: Medallion) -> None:
    """An SCO (no modified) is its one version whatever match[version] asks; added_after its
    date_added finds nothing (ALLOWED empty)."""
    objects = medallion.fresh()
    sco = {
        "type": "artifact",
        "spec_version": "2.1",
        "id": "artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641",
        "mime_type": "application/zip",
        "encryption_algorithm": "mime-type-indicated",
        "decryption_key": "My voice is my passport",
    }
    assert medallion.post(objects, {"objects": [sco]}).status_code == 202
    one = objects + sco["id"] + "/"
    for version in ("all", "first", "last"):
        found = _ok(medallion.partner.get(one, params={"match[version]": version}))
        assert len(found["objects"]) == 1
    found = _ok(medallion.partner.get(one, params={"added_after": "2017-01-27T13:49:53.935Z"}))
    assert len(found["objects"]) == 1
    (added,) = _ok(medallion.partner.get(one + "versions/"))["versions"]
    assert _ok(medallion.partner.get(one, params={"added_after": added})) == {
        "more": False,
        "objects": [],
    }


def test_object_already_present(medallion: Medallion) -> None:
    """An object sent again, with or without its modified, is a success, not a failure
    (ALLOWED empty: the status lists no failures as an empty list)."""
    objects = medallion.fresh()
    relationship = dict(HIGH_VALUE[0][1])
    medallion.post(objects, {"objects": [relationship]})
    unmodified = {k: v for k, v in relationship.items() if k != "modified"}
    again = medallion.post(objects, {"objects": [relationship, unmodified]})
    assert again.status_code == 202
    assert (again.json()["failures"], again.json()["success_count"]) == ([], 2)


# -- errors -------------------------------------------------------------------------------------


def test_not_found(medallion: Medallion) -> None:
    """An API root, a collection, a status, a manifest or an object that is not there: 404; an
    object not found may be 404 or an empty envelope (here 404)."""
    nowhere = f"/taxii2/api/collections/{uuid.uuid4()}/"
    for path in (
        "/taxii2/trustgroup2/",
        nowhere,
        "/taxii2/carbon1/collections/",
        "/taxii2/api/status/22101993/",
        "/taxii2/api/collections/24042009/manifest/",
        medallion.objects() + "malware--cee60c30-a68c-11e3-b0c1-a01aac20d000/",
        nowhere + "objects/",
    ):
        assert medallion.partner.get(path).status_code == 404, path
    posted = medallion.post(nowhere + "objects/", {"objects": [COURSE_OF_ACTION]})
    assert posted.status_code == 404


def test_unauthenticated(medallion: Medallion) -> None:
    """Without credentials every endpoint, known or not, answers 401."""
    with httpx2.Client(base_url=medallion.url, headers={"Accept": TAXII}) as anonymous:
        for path in (
            "/taxii2/api/collections/",
            "/taxii2/api/status/2223/",
            "/taxii2/api/collections/24042009/manifest/",
            medallion.objects() + "malware--fdd60b30-b67c-11e3-b0b9-f01faf20d111/",
            medallion.objects(),
        ):
            assert anonymous.get(path).status_code == 401, path
        posted = anonymous.post(
            medallion.objects("add"),
            json={"objects": [COURSE_OF_ACTION]},
            headers={"Content-Type": TAXII},
        )
        assert posted.status_code == 401


def test_forbidden(medallion: Medallion) -> None:
    """A collection the agreement does not let the partner read or write: 403 on its manifest,
    objects and one object, and on a POST (medallion's get_or_add_objects_403, which it never
    runs)."""
    for path in (
        medallion.manifest("forbidden"),
        medallion.objects("forbidden"),
        medallion.objects("forbidden") + "indicator--b81f86b9-975b-bb0b-775e-810c5bd45b4f/",
    ):
        assert medallion.partner.get(path).status_code == 403, path
    posted = medallion.post(medallion.objects("forbidden"), {"objects": [COURSE_OF_ACTION]})
    assert posted.status_code == 403


def test_get_or_add_objects_422(medallion: Medallion) -> None:
    """A POST of one object, not an envelope, is 422 as a TAXII error (ALLOWED error-title:
    medallion titles it ProcessingError)."""
    posted = medallion.post(medallion.objects("add"), copy.deepcopy(COURSE_OF_ACTION))
    assert (posted.status_code, posted.headers["content-type"]) == (422, TAXII)
    assert posted.json()["http_status"] == "422" and posted.json()["title"]


def test_object_pagination_bad_limit_value_400(medallion: Medallion) -> None:
    """A negative limit is 400."""
    assert medallion.partner.get(medallion.objects(), params={"limit": -20}).status_code == 400


def test_object_pagination_changing_params(medallion: Medallion) -> None:
    """A next token reused with other filters goes on from its position (ALLOWED cursor:
    medallion answers 400)."""
    params: dict[str, Any] = {"match[version]": "all", "limit": 2}
    first = _ok(medallion.partner.get(medallion.objects(), params=params))
    second = _ok(
        medallion.partner.get(medallion.objects(), params={**params, "next": first["next"]})
    )
    assert (len(second["objects"]), second["more"]) == (2, True)
    params = {"match[version]": "first", "limit": 2, "next": second["next"]}
    changed = medallion.partner.get(medallion.objects(), params=params)
    assert changed.status_code == 200
    assert [o["id"] for o in _ok(changed)["objects"]] == [
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        MALWARE,
    ]


def test_the_allowed_differences_are_the_documented_ones() -> None:
    """Each difference a case above allows is listed, with its reason, in docs/taxii.md."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "taxii.md").read_text()
    for key in ALLOWED:
        assert f"`{key}`" in docs, key
