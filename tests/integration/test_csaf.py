"""The CSAF 2.0 advisory of a vulnerability case validates against the official OASIS CSAF 2.0 JSON
schema and the FIRST CVSS schemas it references by URL — both as shipped by the ``csaf`` package
(read from the installed package, never copied here), resolved through a local registry with the
network blocked — for one vendor, two vendors and products, fixed and affected products, every
credit preference and a draft; it also passes the CSAF 2.0 mandatory tests (§6.1) of the ``csaf``
package's validator. Publication before the embargo is refused."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tocsin.errors import Conflict
from tocsin.formats.csaf import EmbargoInForce, Publisher, advisory, file_name
from tocsin.model.cvd import (
    Case,
    Credit,
    Cvss,
    Embargo,
    Product,
    ProductStatus,
    Reporter,
    Revision,
    State,
    Vendor,
    VendorStatus,
)

SCHEMAS = "csaf/csaf/v20/schema"  # inside the installed ``csaf`` distribution
CVSS_VERSIONS = ("2.0", "3.0", "3.1")
PUBLISHED_AT = 1_797_321_600  # 2026-12-15T08:00:00Z
PUBLISHER = Publisher(
    "National CSIRT", "https://csirt.example", "https://csirt.example/.well-known/csaf/white/2026"
)
XSS = "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"
ROUTER_12 = "cpe:2.3:h:acme:router:1.2.0:*:*:*:*:*:*:*"
ROUTER_13 = "cpe:2.3:h:acme:router:1.3.0:*:*:*:*:*:*:*"


def packaged(name: str) -> Any:
    """A schema file of the installed ``csaf`` package (found without importing it)."""
    found = importlib.metadata.distribution("csaf").locate_file(f"{SCHEMAS}/{name}")
    return orjson.loads(Path(str(found)).read_bytes())


def schema_validator() -> Draft202012Validator:
    """The CSAF 2.0 schema with its ``$ref``s to FIRST's CVSS schemas answered from the package:
    nothing is fetched (a registry without ``retrieve`` cannot reach the network)."""
    main = packaged("csaf.json")
    assert main["$id"] == "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
    registry: Registry[Any] = Registry().with_resources(
        (
            f"https://www.first.org/cvss/cvss-v{v}.json",
            Resource.from_contents(packaged(f"referenced/cvss-v{v}.json")),
        )
        for v in CVSS_VERSIONS
    )
    Draft202012Validator.check_schema(main)
    checker = Draft202012Validator.FORMAT_CHECKER
    assert {"date-time", "uri"} <= set(checker.checkers)  # the formats CSAF uses are checked
    return Draft202012Validator(main, registry=registry, format_checker=checker)


VALIDATOR = schema_validator()


def schema_errors(document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Sockets refuse to connect while these tests run: validation must be offline."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield


def make_case(**changes: Any) -> Case:
    """A published case: one vendor (fix available), one affected router, CVSS, CWE and CVE."""
    base = Case(
        id=1,
        public_id="TOCSIN-VU-2026-0001",
        org_id=1,
        title="Stored XSS in the Acme router's admin page",
        state=State.PUBLISHED,
        tlp="AMBER",
        reporter=Reporter("Ana Lima"),
        received_at=PUBLISHED_AT - 40 * 86_400,
        description="The admin page echoes the device name without escaping it.",
        impact="An attacker who names a device runs script in the administrator's browser.",
        cvss=Cvss.parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"),
        cwe=("CWE-79", XSS),
        cve="CVE-2026-12345",
        embargo=Embargo(PUBLISHED_AT - 3600, "Europe/Paris"),
        published_at=PUBLISHED_AT,
        revisions=(Revision(PUBLISHED_AT, 1, "Initial release."),),
        vendors=(Vendor(1, "Acme", VendorStatus.FIX_AVAILABLE),),
        products=(Product(1, 1, "router", ROUTER_12, "1.2.0"),),
    )
    return dataclasses.replace(base, **changes)


def two_vendors() -> Case:
    """Acme's router (1.2.0 affected, 1.3.0 fixed) and Globex's npm package and CMS (affected)."""
    return make_case(
        vendors=(
            Vendor(1, "Acme", VendorStatus.FIX_AVAILABLE),
            Vendor(2, "Globex", VendorStatus.WILL_NOT_FIX, advice="Remove the admin UI."),
        ),
        products=(
            Product(1, 1, "router", ROUTER_12, "1.2.0"),
            Product(2, 1, "router", ROUTER_13, "1.3.0", ProductStatus.FIXED),
            Product(3, 2, "admin-ui", "pkg:npm/%40globex/admin-ui@4.1.0", "4.1.0"),
            Product(4, 2, "cms", "pkg:pypi/globex-cms"),
        ),
    )


def final(case: Case, now: int = PUBLISHED_AT + 60) -> dict[str, Any]:
    return advisory(case, publisher=PUBLISHER, now=now)


# -- the advisory validates ----------------------------------------------------------------------


def test_one_vendor_one_product_validates_and_says_what_the_case_says() -> None:
    """Final, version 1, TLP WHITE, the router known affected, CVSS 6.1 MEDIUM, CWE, CVE."""
    document = final(make_case())
    assert schema_errors(document) == []
    meta = document["document"]
    assert meta["category"] == "csaf_security_advisory" and meta["csaf_version"] == "2.0"
    assert meta["publisher"] == {
        "category": "coordinator",
        "name": "National CSIRT",
        "namespace": "https://csirt.example",
    }
    assert meta["tracking"]["id"] == "TOCSIN-VU-2026-0001"
    assert (meta["tracking"]["status"], meta["tracking"]["version"]) == ("final", "1")
    assert meta["tracking"]["initial_release_date"] == "2026-12-15T08:00:00Z"
    assert meta["distribution"]["tlp"]["label"] == "WHITE"
    vulnerability = document["vulnerabilities"][0]
    assert vulnerability["cve"] == "CVE-2026-12345"
    assert vulnerability["cwe"] == {"id": "CWE-79", "name": XSS}
    assert vulnerability["product_status"] == {"known_affected": ["CSAFPID-0001"]}
    assert vulnerability["scores"][0]["cvss_v3"] == {
        "version": "3.1",
        "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        "baseScore": 6.1,
        "baseSeverity": "MEDIUM",
    }


def test_the_product_tree_branches_by_vendor_name_and_version() -> None:
    """vendor → product name → version → the product, with its CPE as identification helper."""
    tree = final(make_case())["product_tree"]["branches"]
    assert tree == [
        {
            "category": "vendor",
            "name": "Acme",
            "branches": [
                {
                    "category": "product_name",
                    "name": "router",
                    "branches": [
                        {
                            "category": "product_version",
                            "name": "1.2.0",
                            "product": {
                                "name": "Acme router 1.2.0",
                                "product_id": "CSAFPID-0001",
                                "product_identification_helper": {"cpe": ROUTER_12},
                            },
                        },
                    ],
                },
            ],
        },
    ]


def test_two_vendors_with_cpe_and_purl_products_validate() -> None:
    """Four products of two vendors: unique ids, purl helpers, a versionless product as a leaf."""
    document = final(two_vendors())
    assert schema_errors(document) == []
    acme, globex = document["product_tree"]["branches"]
    assert (acme["name"], globex["name"]) == ("Acme", "Globex")
    assert [b["name"] for b in acme["branches"][0]["branches"]] == ["1.2.0", "1.3.0"]
    cms = globex["branches"][1]
    assert cms["product"]["product_identification_helper"] == {"purl": "pkg:pypi/globex-cms"}
    status = document["vulnerabilities"][0]["product_status"]
    assert status == {
        "fixed": ["CSAFPID-0002"],
        "known_affected": ["CSAFPID-0001", "CSAFPID-0003", "CSAFPID-0004"],
    }


def test_remediations_follow_each_vendors_status() -> None:
    """Acme's fix names the fixed version; Globex will not fix and gives its own advice."""
    remediations = final(two_vendors())["vulnerabilities"][0]["remediations"]
    assert remediations == [
        {
            "category": "vendor_fix",
            "details": "Update to router 1.3.0.",
            "product_ids": ["CSAFPID-0001"],
        },
        {
            "category": "no_fix_planned",
            "details": "Remove the admin UI.",
            "product_ids": ["CSAFPID-0003", "CSAFPID-0004"],
        },
    ]


def test_a_vendor_without_a_fix_yet_says_none_is_available() -> None:
    """A vendor still working on it: remediation none_available for its affected products."""
    case = make_case(vendors=(Vendor(1, "Acme", VendorStatus.ACKNOWLEDGED),))
    document = final(case)
    assert schema_errors(document) == []
    assert document["vulnerabilities"][0]["remediations"] == [
        {
            "category": "none_available",
            "details": "No fix is available yet.",
            "product_ids": ["CSAFPID-0001"],
        },
    ]


def test_only_fixed_products_validate_without_remediation() -> None:
    """When every listed product is fixed there is nothing to remediate; scores name the fixed."""
    case = make_case(products=(Product(1, 1, "router", ROUTER_13, "1.3.0", ProductStatus.FIXED),))
    document = final(case)
    assert schema_errors(document) == []
    vulnerability = document["vulnerabilities"][0]
    assert vulnerability["product_status"] == {"fixed": ["CSAFPID-0001"]}
    assert "remediations" not in vulnerability
    assert vulnerability["scores"][0]["products"] == ["CSAFPID-0001"]


def test_a_reporter_credited_by_name_is_thanked_by_name() -> None:
    """Credit by name: the acknowledgment names the reporter."""
    thanks = final(make_case())["document"]["acknowledgments"]
    assert thanks == [{"names": ["Ana Lima"], "summary": "for reporting this vulnerability"}]


def test_anonymous_credit_thanks_without_a_name() -> None:
    """Credit anonymously: thanked, valid, and the name appears nowhere in the document."""
    case = make_case(reporter=Reporter("Ana Lima", Credit.ANONYMOUS, anonymous=True))
    document = final(case)
    assert schema_errors(document) == []
    assert document["document"]["acknowledgments"] == [
        {"summary": "an anonymous reporter, for reporting this vulnerability"}
    ]
    assert b"Ana Lima" not in orjson.dumps(document)


def test_no_credit_means_no_acknowledgment() -> None:
    """A reporter who wants no credit is not acknowledged at all, and the document is valid."""
    document = final(make_case(reporter=Reporter("Ana Lima", Credit.NONE)))
    assert schema_errors(document) == []
    assert "acknowledgments" not in document["document"]
    assert b"Ana Lima" not in orjson.dumps(document)


def test_revisions_after_publication_raise_the_version() -> None:
    """A second revision: version 2, its date the current release date, still valid."""
    later = PUBLISHED_AT + 7 * 86_400
    revisions = (Revision(PUBLISHED_AT, 1, "Initial release."), Revision(later, 2, "Acme: fix."))
    document = final(make_case(revisions=revisions), now=later + 60)
    assert schema_errors(document) == []
    tracking = document["document"]["tracking"]
    assert tracking["version"] == "2" and tracking["current_release_date"] == "2026-12-22T08:00:00Z"
    assert [r["number"] for r in tracking["revision_history"]] == ["1", "2"]


def test_the_self_reference_is_the_canonical_file_name() -> None:
    """The advisory points at itself under the publisher's base URL, named as CSAF derives it."""
    references = final(make_case())["document"]["references"]
    assert file_name(make_case()) == "tocsin-vu-2026-0001.json"
    assert references[0] == {
        "category": "self",
        "summary": "This advisory",
        "url": "https://csirt.example/.well-known/csaf/white/2026/tocsin-vu-2026-0001.json",
    }


def test_keys_are_sorted_at_every_level() -> None:
    """CSAF recommends sorted keys; every object of the document has them."""

    def unsorted(value: Any) -> list[list[str]]:
        if isinstance(value, dict):
            here = [list(value)] if list(value) != sorted(value) else []
            return here + [bad for v in value.values() for bad in unsorted(v)]
        if isinstance(value, list):
            return [bad for v in value for bad in unsorted(v)]
        return []

    assert unsorted(final(two_vendors())) == []


# -- drafts and the embargo ----------------------------------------------------------------------


def test_a_draft_before_the_embargo_validates_at_the_cases_tlp() -> None:
    """Before publication a draft can be had: status draft, version 0, TLP AMBER, an embargo
    note, no self reference."""
    case = make_case(state=State.FIX_IN_PROGRESS, published_at=None, revisions=())
    now = PUBLISHED_AT - 7 * 86_400
    document = advisory(case, publisher=PUBLISHER, now=now, draft=True)
    assert schema_errors(document) == []
    meta = document["document"]
    assert (meta["tracking"]["status"], meta["tracking"]["version"]) == ("draft", "0")
    assert meta["distribution"]["tlp"]["label"] == "AMBER"
    assert any("Embargoed until" in note["text"] for note in meta["notes"])
    assert all(r["category"] != "self" for r in meta["references"])


def test_publishing_before_the_embargo_is_refused() -> None:
    """A final advisory one second before the embargo is refused, naming the date and zone."""
    case = make_case()
    assert case.embargo is not None
    with pytest.raises(EmbargoInForce, match="embargoed until 2026-12-15 08:00 Europe/Paris"):
        advisory(case, publisher=PUBLISHER, now=case.embargo.at - 1)
    assert advisory(case, publisher=PUBLISHER, now=case.embargo.at)["document"]


def test_a_case_not_published_has_no_final_advisory() -> None:
    """Without the published state there is only a draft, even when the embargo is over."""
    case = make_case(state=State.VENDORS_NOTIFIED, published_at=None, revisions=())
    with pytest.raises(Conflict, match="only a published case has a final advisory"):
        final(case)


def test_a_publisher_needs_a_name_and_a_url() -> None:
    """The namespace must be a URL: CSAF identifies the publisher by it."""
    with pytest.raises(ValueError, match="namespace"):
        Publisher("National CSIRT", "csirt.example")


# -- the validation is real ----------------------------------------------------------------------


def test_the_schema_check_catches_broken_documents() -> None:
    """A bad CVSS severity (checked by FIRST's schema, through the registry), a missing tracking
    and a malformed date all fail: the check is not vacuous."""
    document = final(make_case())
    bad = orjson.loads(orjson.dumps(document))
    bad["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseSeverity"] = "SEVERE"
    assert schema_errors(bad)
    bad = orjson.loads(orjson.dumps(document))
    del bad["document"]["tracking"]
    assert any("'tracking' is a required property" in e for e in schema_errors(bad))
    bad = orjson.loads(orjson.dumps(document))
    bad["document"]["tracking"]["current_release_date"] = "15 December 2026"
    assert any("date-time" in e for e in schema_errors(bad))


# -- the mandatory tests -------------------------------------------------------------------------

OFFLINE_CSAF = (
    "import runpy, socket, sys\n"
    "def refuse(*args, **kwargs):\n"
    "    raise OSError('no network in tests')\n"
    "socket.socket.connect = refuse\n"
    "socket.create_connection = refuse\n"
    "socket.getaddrinfo = refuse\n"
    "sys.argv[0] = 'csaf'\n"
    "runpy.run_module('csaf', run_name='__main__', alter_sys=True)\n"
)


def test_advisories_pass_the_csaf_20_mandatory_tests(tmp_path: Path) -> None:
    """The ``csaf`` package's validator (schema and every §6.1 mandatory test, CWE names
    included) finds each advisory valid; it runs with sockets refused."""
    documents = {
        "one": final(make_case()),
        "two": final(two_vendors()),
        "anonymous": final(make_case(reporter=Reporter("A", Credit.ANONYMOUS, anonymous=True))),
        "draft": advisory(
            make_case(state=State.TRIAGED, published_at=None, revisions=()),
            publisher=PUBLISHER,
            now=PUBLISHED_AT - 86_400,
            draft=True,
        ),
    }
    paths = []
    for name, document in documents.items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(orjson.dumps(document))
        paths.append(str(path))
    ran = subprocess.run(
        [
            sys.executable,
            "-c",
            OFFLINE_CSAF,
            "validate",
            "--spec-version",
            "v20",
            "--no-network",
            "--format",
            "deprecated-json",
            "--rfc7464-always",
            *paths,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    reports = [orjson.loads(part) for part in ran.stdout.split("\x1e") if part.strip()]
    assert len(reports) == len(paths), ran.stderr
    failed = [
        (path, test["name"], test["errors"])
        for path, report in zip(paths, reports, strict=True)
        for test in report["tests"]
        if not test["isValid"]
    ]
    assert failed == []
    assert all(report["isValid"] for report in reports)
    assert {t["name"] for t in reports[0]["tests"]} >= {"schema", "mandatoryTest_6_1_11"}
