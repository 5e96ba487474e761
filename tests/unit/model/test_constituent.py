"""Constituents: the organisations Tocsin serves, built from TOML tables or CSV rows."""

from __future__ import annotations

import dataclasses

import pytest

from tocsin.errors import InvalidValue
from tocsin.model.constituent import CRITICAL_SECTORS, SECTORS, Constituent, region, sector


def test_from_mapping_sanitises_every_field() -> None:
    """Networks, ASNs, domains, country and contact come out canonical."""
    constituent = Constituent.from_mapping(
        {
            "name": "  Ministry of Health ",
            "sector": "Health",
            "country": "nl",
            "abuse_contact": "CERT@Health.Example",
            "networks": ["192.0.2.7/24", "2001:DB8::/32"],
            "asns": ["AS64496", 64497],
            "domains": ["Health.Example.", "Bücher.example"],
        }
    )
    assert constituent == Constituent(
        name="Ministry of Health",
        sector="health",
        country="NL",
        abuse_contact="cert@health.example",
        networks=("192.0.2.0/24", "2001:db8::/32"),
        asns=(64496, 64497),
        domains=("health.example", "xn--bcher-kva.example"),
    )


def test_lists_may_be_given_as_separated_text() -> None:
    """A CSV cell may list values separated by semicolons, commas or spaces."""
    constituent = Constituent.from_mapping(
        {
            "name": "Water Board",
            "networks": "192.0.2.0/25; 192.0.2.128/25,198.51.100.0/24",
            "asns": "AS64496 AS64497",
            "domains": "water.example;water.example.net",
        }
    )
    assert constituent.networks == ("192.0.2.0/25", "192.0.2.128/25", "198.51.100.0/24")
    assert constituent.asns == (64496, 64497)
    assert constituent.domains == ("water.example", "water.example.net")


def test_a_single_value_counts_as_a_list_of_one() -> None:
    """A lone number where a list is expected is a list of one."""
    assert Constituent.from_mapping({"name": "ISP", "asns": 64496}).asns == (64496,)


def test_missing_optional_fields_take_their_defaults() -> None:
    """Without sector, country, contact or lists, a constituent is 'other' and owns nothing."""
    constituent = Constituent.from_mapping(
        {"name": "Small Org", "country": "", "abuse_contact": None, "networks": ""}
    )
    assert constituent == Constituent(name="Small Org")
    assert constituent.sector == "other"
    assert constituent.country is None
    assert constituent.networks == constituent.asns == constituent.domains == ()


def test_as_dict_round_trips() -> None:
    """A constituent rebuilt from its own ``as_dict`` is equal to it."""
    constituent = Constituent.from_mapping(
        {
            "name": "Parliament",
            "sector": "parliament",
            "country": "BE",
            "region": "be1",
            "networks": "192.0.2.0/24",
            "asns": "64496",
            "domains": "parliament.example",
        }
    )
    assert Constituent.from_mapping(constituent.as_dict()) == constituent


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("networks", "192.0.2.0/33", "constituent.networks"),
        ("asns", "AS0", "constituent.asns"),
        ("domains", "-bad.example", "constituent.domains"),
        ("country", "UK", "constituent.country"),
        ("sector", "astrology", "constituent.sector"),
        ("region", "FR-IDFX", "constituent.region"),
    ],
)
def test_a_bad_value_raises_invalid_value_naming_the_field(
    key: str, value: str, field: str
) -> None:
    """A value failing its type raises InvalidValue naming ``constituent.<field>`` and the value."""
    with pytest.raises(InvalidValue) as caught:
        Constituent.from_mapping({"name": "Org", key: value})
    assert caught.value.field == field
    assert caught.value.value == value
    assert caught.value.reason


@pytest.mark.parametrize(
    ("given_value", "canonical"),
    [
        ("FR1", "FR1"),  # NUTS 1
        ("de21", "DE21"),  # NUTS 2
        (" ee00a ", "EE00A"),  # NUTS 3, letters in it
        ("DE21H", "DE21H"),
        ("ee-37", "EE-37"),  # ISO 3166-2, digits
        ("fr-idf", "FR-IDF"),  # ISO 3166-2, letters
        ("GB-A", "GB-A"),
    ],
)
def test_a_region_is_a_nuts_or_iso_3166_2_code_in_upper_case(
    given_value: str, canonical: str
) -> None:
    """NUTS codes of levels 1-3 and ISO 3166-2 subdivisions are kept, upper-cased and trimmed."""
    assert region(given_value) == canonical
    assert Constituent.from_mapping({"name": "Org", "region": given_value}).region == canonical


@pytest.mark.parametrize(
    "value",
    [
        "FR",  # a country alone (NUTS 0) is no region
        "F1",
        "1FR",
        "FR1234",  # deeper than NUTS 3
        "Harju",  # HA is no country
        "XX1",  # no country
        "FR-",
        "FR-IDFX",
        "-IDF",
        "FR_IDF",
        "FR IDF",
        "FR--1",
        "FR-I-D",
        "FRÉ1",
        "FR\n1",
        "FR1\u200b",
        "ＦＲ１",  # full-width letters and digit
        12,
    ],
)
def test_a_region_that_is_no_such_code_is_refused_naming_the_field(value: object) -> None:
    """Anything but a NUTS or ISO 3166-2 code is refused as ``constituent.region``, with the
    value and a reason giving examples."""
    with pytest.raises(InvalidValue) as caught:
        Constituent.from_mapping({"name": "Org", "region": value})
    assert caught.value.field == "constituent.region"
    assert caught.value.value == value
    assert "NUTS" in caught.value.reason and "ISO 3166-2" in caught.value.reason


@pytest.mark.parametrize("value", [None, ""])
def test_an_empty_region_is_none(value: object) -> None:
    """A region left empty (a blank CSV cell or form field) is no region."""
    assert Constituent.from_mapping({"name": "Org", "region": value}).region is None


def test_a_stored_row_from_before_regions_reads_without_one() -> None:
    """A row the store kept before constituents had a region (no ``region`` key) reads as a
    constituent without one; one with a region keeps it through ``as_dict``."""
    old = Constituent(name="Port of Tallinn", country="EE").as_dict()
    del old["region"]
    assert Constituent.from_mapping(old, stored=True) == Constituent(
        name="Port of Tallinn", country="EE"
    )
    placed = Constituent.from_mapping({"name": "Port of Tallinn", "region": "ee001"})
    assert placed.as_dict()["region"] == "EE001"
    assert Constituent.from_mapping(placed.as_dict(), stored=True) == placed


@pytest.mark.parametrize("name", [None, "", "   "])
def test_a_name_is_required(name: object) -> None:
    """A constituent without a name is refused, naming ``constituent.name``."""
    with pytest.raises(InvalidValue, match=r"constituent\.name"):
        Constituent.from_mapping({"name": name})


@pytest.mark.parametrize(
    ("given_value", "canonical"),
    [
        ("Public Administration", "public-administration"),
        ("drinking_water", "drinking-water"),
        (" ELECTIONS ", "elections"),
    ],
)
def test_sector_names_are_lower_case_and_hyphenated(given_value: str, canonical: str) -> None:
    """Sector names ignore case and take hyphens for spaces and underscores."""
    assert sector(given_value) == canonical


def test_an_unknown_sector_is_refused_with_the_list_of_sectors() -> None:
    """The reason for refusing a sector lists the known sectors."""
    with pytest.raises(ValueError, match="not a known sector") as caught:
        sector("astrology")
    assert "health" in str(caught.value)
    assert "parliament" in str(caught.value)


@pytest.mark.parametrize(
    ("sector_name", "critical"),
    [("health", True), ("energy", True), ("parliament", True), ("retail", False), ("other", False)],
)
def test_critical_follows_the_sector(sector_name: str, critical: bool) -> None:
    """NIS2 critical sectors and democratic institutions are critical; the others are not."""
    assert Constituent.from_mapping({"name": "Org", "sector": sector_name}).critical is critical


def test_critical_sectors_are_known_sectors() -> None:
    """Every critical sector is a sector a constituent may have."""
    assert CRITICAL_SECTORS <= SECTORS


def test_constituents_are_immutable() -> None:
    """A constituent cannot be changed after it is built."""
    constituent = Constituent(name="Org")
    with pytest.raises(dataclasses.FrozenInstanceError):
        constituent.name = "Other"  # type: ignore[misc]
