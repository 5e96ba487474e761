"""The CVD model: the case workflow, CVSS v3.1 scores, the syntax of CPE 2.3 names, package URLs,
CWE and CVE ids, and embargo dates in named time zones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.model.cvd import (
    TRANSITIONS,
    WORKFLOW,
    Cvss,
    Embargo,
    ProductStatus,
    State,
    Vendor,
    VendorStatus,
    cpe,
    cve,
    cwe,
    name_and_version,
    product_identifier,
    public_id,
    purl,
    vendor_dates,
)
from tocsin.model.workflow import IllegalTransition


def utc(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())  # type: ignore[misc]


# -- the workflow --------------------------------------------------------------------------------


def test_the_usual_path_runs_from_received_to_published() -> None:
    """received → triaged → vendors notified → fix in progress → published, step by step."""
    met = dict.fromkeys(WORKFLOW.guard_names, lambda: None)  # every guard's condition holds
    path = [State.RECEIVED, State.TRIAGED, State.VENDORS_NOTIFIED, State.FIX_IN_PROGRESS]
    for current, wanted in zip(path, [*path[1:], State.PUBLISHED], strict=True):
        WORKFLOW.check(current, wanted, met)


def test_an_illegal_move_names_the_allowed_ones() -> None:
    """Publishing a case just received is refused, and the message lists what it can become."""
    with pytest.raises(IllegalTransition) as caught:
        WORKFLOW.check(State.RECEIVED, State.PUBLISHED)
    assert str(caught.value) == (
        "a vulnerability case that is received cannot become published; "
        "it can become: triaged, rejected, duplicate"
    )


def test_published_and_duplicate_cases_move_nowhere() -> None:
    """Published and duplicate are final: every move from them is refused, saying none."""
    for final in (State.PUBLISHED, State.DUPLICATE):
        assert TRANSITIONS[final] == ()
        with pytest.raises(IllegalTransition, match="it can become: none"):
            WORKFLOW.check(final, State.TRIAGED)


def test_a_rejected_case_can_be_reopened_for_triage() -> None:
    """New facts reopen a rejected case: rejected → triaged is the only move."""
    assert TRANSITIONS[State.REJECTED] == (State.TRIAGED,)


def test_states_are_read_in_any_usual_spelling() -> None:
    """Vendors notified, vendors-notified and VENDORS_NOTIFIED are one state; others fail."""
    for text in ("vendors notified", "vendors-notified", "VENDORS_NOTIFIED"):
        assert State.parse(text) is State.VENDORS_NOTIFIED
    with pytest.raises(ValueError, match="not a state"):
        State.parse("closed")


def test_vendor_dates_are_set_once_each() -> None:
    """A fix available sets contacted, acknowledged and fixed dates when unset; set ones stay."""
    fresh = Vendor(1, "Acme")
    assert vendor_dates(fresh, VendorStatus.FIX_AVAILABLE, 100) == {
        "contacted_at": 100,
        "acknowledged_at": 100,
        "fixed_at": 100,
    }
    known = Vendor(1, "Acme", VendorStatus.CONTACTED, contacted_at=50)
    assert vendor_dates(known, VendorStatus.ACKNOWLEDGED, 100) == {"acknowledged_at": 100}
    assert vendor_dates(known, VendorStatus.UNRESPONSIVE, 100) == {}


def test_public_ids_are_per_year_and_zero_padded() -> None:
    """The 1st case of 2026 is TOCSIN-VU-2026-0001; numbers past 9999 keep all their digits."""
    assert public_id(2026, 1) == "TOCSIN-VU-2026-0001"
    assert public_id(2026, 12345) == "TOCSIN-VU-2026-12345"


def test_product_status_reads_affected_and_fixed() -> None:
    """Affected means CSAF's known_affected; anything but affected or fixed is refused."""
    assert ProductStatus.parse("affected") is ProductStatus.AFFECTED
    assert ProductStatus.parse("fixed") is ProductStatus.FIXED
    with pytest.raises(ValueError):
        ProductStatus.parse("maybe")


# -- CVSS v3.1 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vector", "score", "severity"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "Critical"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "Medium"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "Critical"),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "High"),
        ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6, "Low"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "None"),
    ],
)
def test_cvss_base_scores_are_those_of_the_specification(
    vector: str, score: float, severity: str
) -> None:
    """Known vectors give the base score and severity FIRST's calculator gives."""
    parsed = Cvss.parse(vector)
    assert (parsed.score, parsed.severity) == (score, severity)


def test_cvss_vectors_are_kept_in_canonical_order() -> None:
    """Metrics given out of order are stored in the specification's order."""
    parsed = Cvss.parse("CVSS:3.1/AC:L/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H")
    assert parsed.vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


@pytest.mark.parametrize(
    "vector",
    [
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  # another version
        "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  # no prefix
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",  # A missing
        "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  # no such value
        "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  # AV twice
    ],
)
def test_malformed_cvss_vectors_are_refused(vector: str) -> None:
    """Only complete CVSS v3.1 vectors with known values pass."""
    with pytest.raises(ValueError, match=r"CVSS v3\.1"):
        Cvss.parse(vector)


METRICS = {
    "AV": "NALP",
    "AC": "LH",
    "PR": "NLH",
    "UI": "NR",
    "S": "UC",
    "C": "HLN",
    "I": "HLN",
    "A": "HLN",
}
BANDS = [
    (0.0, 0.0, "None"),
    (0.1, 3.9, "Low"),
    (4.0, 6.9, "Medium"),
    (7.0, 8.9, "High"),
    (9.0, 10.0, "Critical"),
]


@given(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in METRICS.items()}))
def test_every_base_vector_scores_within_its_severity_band(chosen: dict[str, str]) -> None:
    """Any base vector scores 0.0–10.0 in tenths, and its severity is the band of its score."""
    vector = "CVSS:3.1/" + "/".join(f"{k}:{chosen[k]}" for k in METRICS)
    parsed = Cvss.parse(vector)
    assert parsed.vector == vector
    assert round(parsed.score * 10) == parsed.score * 10
    assert [band for low, high, band in BANDS if low <= parsed.score <= high] == [parsed.severity]


# -- identifiers ---------------------------------------------------------------------------------


def test_cve_ids_have_a_year_and_four_or_more_digits() -> None:
    """CVE-2026-12345 and cve-2026-0001 pass (upper-cased); CVE-26-1 and CVE-2026-123 do not."""
    assert cve("cve-2026-0001") == "CVE-2026-0001"
    assert cve("CVE-2026-1234567") == "CVE-2026-1234567"
    for bad in ("CVE-26-1", "CVE-2026-123", "2026-12345", "CVE-2026-12a45"):
        with pytest.raises(ValueError, match="not a CVE id"):
            cve(bad)


def test_cwe_ids_are_written_cwe_dash_number() -> None:
    """CWE-79, cwe-79 and 79 are CWE-79; CWE-0, CWE-x and CWE 79 are refused."""
    assert cwe("cwe-79") == cwe("79") == "CWE-79"
    for bad in ("CWE-0", "CWE-x", "CWE 79", "CWE-079"):
        with pytest.raises(ValueError, match="not a CWE id"):
            cwe(bad)


@pytest.mark.parametrize(
    "name",
    [
        "cpe:2.3:h:acme:router:1.2.0:*:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
        "cpe:2.3:o:acme:os:-:*:*:en-us:*:*:*:*",
        r"cpe:2.3:a:acme:web\:admin:2.0:*:*:*:*:*:*:*",  # an escaped colon in the product
        "cpe:2.3:a:acme:portal:1.*:*:*:*:*:*:*:*",  # a wildcard at the end of a value
    ],
)
def test_cpe_23_names_are_accepted(name: str) -> None:
    """Formatted-string CPE 2.3 names with 13 fields, escapes and wildcards pass unchanged."""
    assert cpe(name) == name
    assert product_identifier(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "cpe:/a:acme:router:1.2.0",  # CPE 2.2 URI binding
        "cpe:2.3:a:acme:router:1.2.0:*:*:*:*:*:*",  # 12 fields
        "cpe:2.3:x:acme:router:1.2.0:*:*:*:*:*:*:*",  # no part x
        "cpe:2.3:a:acme:my router:1.2.0:*:*:*:*:*:*:*",  # a space
        "cpe:2.3:a:acme:router:1.2.0:*:*:english:*:*:*:*",  # not a language tag
    ],
)
def test_malformed_cpe_names_are_refused(name: str) -> None:
    """URI bindings, wrong field counts, unknown parts, spaces and bad languages fail."""
    with pytest.raises(ValueError, match=r"not a CPE 2\.3 name"):
        cpe(name)


@pytest.mark.parametrize(
    "url",
    [
        "pkg:pypi/django@4.2.7",
        "pkg:npm/%40angular/core@16.0.0",
        "pkg:maven/org.apache.commons/commons-lang3@3.12.0?type=jar&classifier=sources",
        "pkg:github/package-url/purl-spec@244fd47e07d1004#everybody/loves/dogs",
        "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
    ],
)
def test_package_urls_are_accepted(url: str) -> None:
    """Package URLs with namespaces, versions, qualifiers and subpaths pass unchanged."""
    assert purl(url) == url
    assert product_identifier(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "pkg:django@4.2.7",  # no type
        "pkg:pypi/",  # no name
        "pkg:pypi/my package@1.0",  # a space
        "pkg:pypi/django@1.0?arch=x86&arch=arm",  # a qualifier twice
        "pkg:npm/%4gangular@1.0",  # a broken percent escape
        "pkg:pypi/django?novalue",  # a qualifier without a value
        "https://pypi.org/project/django",  # not a purl at all
    ],
)
def test_malformed_package_urls_are_refused(url: str) -> None:
    """A purl needs a type and a name, no spaces, key=value qualifiers once each, good escapes."""
    with pytest.raises(ValueError, match="package URL"):
        purl(url)


def test_a_product_is_named_by_cpe_or_purl_only() -> None:
    """Anything but a CPE 2.3 name or a package URL is refused as a product identifier."""
    with pytest.raises(ValueError, match=r"CPE 2\.3 name .* or a package URL"):
        product_identifier("Acme Router 1.2")


def test_name_and_version_are_read_from_the_identifier() -> None:
    """CPE fields lose their escapes, purl parts their percent-encoding; * and - mean none."""
    assert name_and_version(r"cpe:2.3:a:acme:web\:admin:2.0:*:*:*:*:*:*:*") == ("web:admin", "2.0")
    assert name_and_version("cpe:2.3:o:acme:os:-:*:*:*:*:*:*:*") == ("os", None)
    assert name_and_version("pkg:npm/%40angular/core@16.0.0") == ("core", "16.0.0")
    assert name_and_version("pkg:golang/example.org/mod%2Fv2") == ("mod/v2", None)


# -- embargo -------------------------------------------------------------------------------------


def test_an_embargo_is_kept_in_utc_with_its_zone() -> None:
    """09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer; the zone name is kept."""
    winter = Embargo.parse("2026-12-15T09:00", "Europe/Paris")
    summer = Embargo.parse("2026-07-15T09:00", "Europe/Paris")
    assert (winter.at, winter.zone) == (utc(2026, 12, 15, 8, 0), "Europe/Paris")
    assert summer.at == utc(2026, 7, 15, 7, 0)


def test_the_same_instant_agreed_in_two_zones_is_one_embargo_instant() -> None:
    """15:00 in Tokyo and 06:00 UTC the same day are the same moment; each keeps its zone."""
    tokyo = Embargo.parse("2026-12-15T15:00", "Asia/Tokyo")
    plain = Embargo.parse("2026-12-15T06:00")
    assert tokyo.at == plain.at and (tokyo.zone, plain.zone) == ("Asia/Tokyo", "UTC")


def test_an_embargo_shows_local_time_and_utc() -> None:
    """People read the time where it was agreed and in UTC."""
    moment = Embargo.parse("2026-12-15T09:00", "America/New_York")
    assert str(moment) == "2026-12-15 09:00 America/New_York (2026-12-15 14:00 UTC)"


def test_a_time_the_clocks_skip_is_refused() -> None:
    """02:30 on 29 March 2026 does not exist in Paris (02:00 became 03:00): refused."""
    with pytest.raises(ValueError, match="does not exist in Europe/Paris"):
        Embargo.parse("2026-03-29T02:30", "Europe/Paris")


def test_a_time_that_happens_twice_is_its_first_occurrence() -> None:
    """02:30 on 25 October 2026 happens twice in Paris; the embargo is the first (00:30 UTC)."""
    assert Embargo.parse("2026-10-25T02:30", "Europe/Paris").at == utc(2026, 10, 25, 0, 30)


def test_an_embargo_with_an_offset_keeps_the_instant() -> None:
    """A time written with its offset means that instant, whatever zone is named with it."""
    moment = Embargo.parse("2026-12-15T09:00+05:30", "Asia/Kolkata")
    assert moment.at == utc(2026, 12, 15, 3, 30)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "CET+1", "../../etc/passwd", ""])
def test_unknown_time_zones_are_refused(zone: str) -> None:
    """Only IANA zone names are taken."""
    with pytest.raises(ValueError, match="not an IANA time zone"):
        Embargo.parse("2026-12-15T09:00", zone)


def test_an_unreadable_date_is_refused() -> None:
    """15/12/2026 is not an ISO date and time."""
    with pytest.raises(ValueError, match="not a date and time"):
        Embargo.parse("15/12/2026 09:00", "UTC")
