"""Reading the constituency registry from TOML or CSV: all or nothing, errors name the position."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tocsin import demo
from tocsin.errors import ConfigError
from tocsin.model.constituent import Constituent
from tocsin.services.registry import read_constituents

TOML = """
[[constituent]]
name = "Ministry of Health"
sector = "Health"
country = "nl"
abuse_contact = "CERT@moh.example"
networks = ["192.0.2.0/25", "2001:db8:100::/48"]
asns = [64500, "AS64501"]
domains = ["moh.example"]

[[constituent]]
name = "Riverside School"
sector = "education"
"""

CSV = (
    "name,sector,country,abuse_contact,networks,asns,domains\n"
    "Ministry of Health,health,NL,cert@moh.example,"
    "192.0.2.0/25 2001:db8:100::/48,64500;AS64501,moh.example\n"
    "Riverside School,education,,,,,\n"
)

EXPECTED = [
    Constituent(
        name="Ministry of Health",
        sector="health",
        country="NL",
        abuse_contact="cert@moh.example",
        networks=("192.0.2.0/25", "2001:db8:100::/48"),
        asns=(64500, 64501),
        domains=("moh.example",),
    ),
    Constituent(name="Riverside School", sector="education"),
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_constituents_are_read_from_toml(tmp_path: Path) -> None:
    """``[[constituent]]`` tables become sanitised constituents, in file order."""
    assert read_constituents(write(tmp_path, "registry.toml", TOML)) == EXPECTED


def test_constituents_are_read_from_csv(tmp_path: Path) -> None:
    """CSV rows with space- or semicolon-separated lists become the same constituents."""
    assert read_constituents(write(tmp_path, "registry.csv", CSV)) == EXPECTED


def test_csv_headers_ignore_case_and_surrounding_spaces(tmp_path: Path) -> None:
    """Column names such as ' Name ' and 'SECTOR' are understood."""
    path = write(tmp_path, "registry.csv", " Name ,SECTOR\nRiverside School,education\n")
    assert read_constituents(path) == [Constituent(name="Riverside School", sector="education")]


def test_a_csv_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """A UTF-8 CSV with a BOM (as spreadsheet programs save it) still has a 'name' column."""
    path = tmp_path / "registry.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CSV.encode("utf-8"))
    assert read_constituents(path) == EXPECTED


def test_the_demo_registry_reads_with_its_nested_networks() -> None:
    """The demo registry holds Harbour Telecom's /32 and City Water Utility's /48 inside it."""
    found = {
        c.name: c for c in read_constituents(Path(demo.__file__).with_name("constituents.toml"))
    }
    assert len(found) == 7
    assert "2001:db8::/32" in found["Harbour Telecom"].networks
    assert found["City Water Utility"].networks == ("2001:db8:100::/48",)
    assert found["City Water Utility"].critical


def test_an_empty_toml_has_no_constituents(tmp_path: Path) -> None:
    """A TOML file without constituent tables gives an empty registry."""
    assert read_constituents(write(tmp_path, "registry.toml", "# nobody yet\n")) == []


def test_a_duplicate_name_in_toml_is_refused_with_its_position(tmp_path: Path) -> None:
    """The second table with a name already seen is named by its number."""
    text = TOML + '\n[[constituent]]\nname = "Ministry of Health"\n'
    with pytest.raises(ConfigError, match=r"constituent #3: .*'Ministry of Health' appears twice"):
        read_constituents(write(tmp_path, "registry.toml", text))


def test_a_duplicate_name_in_csv_is_refused_with_its_line(tmp_path: Path) -> None:
    """The CSV line repeating a name is named by its line number (the header is line 1)."""
    text = CSV + "Riverside School,education,,,,,\n"
    with pytest.raises(ConfigError, match=r"registry\.csv:4: .*'Riverside School' appears twice"):
        read_constituents(write(tmp_path, "registry.csv", text))


def test_a_bad_network_in_toml_is_refused_with_its_position(tmp_path: Path) -> None:
    """A network that is not CIDR stops the import, naming the field's line, the table, the field
    and the value."""
    text = TOML.replace('"192.0.2.0/25"', '"192.0.2.0/33"')
    with pytest.raises(
        ConfigError,
        match=r"registry\.toml:7: constituent #1: constituent\.networks: '192\.0\.2\.0/33'",
    ):
        read_constituents(write(tmp_path, "registry.toml", text))


def test_a_bad_network_in_csv_is_refused_with_its_line(tmp_path: Path) -> None:
    """A bad network on the fourth line of a CSV names line 4, the field and the value."""
    text = CSV + "Water Board,drinking-water,NL,,10.0.0.300/8,,\n"
    with pytest.raises(
        ConfigError, match=r"registry\.csv:4: constituent\.networks: '10\.0\.0\.300/8'"
    ):
        read_constituents(write(tmp_path, "registry.csv", text))


def test_a_csv_row_with_a_name_missing_is_refused_with_its_line(tmp_path: Path) -> None:
    """A row without a name is refused, naming its line and the name field."""
    text = CSV + ",education,,,,,\n"
    with pytest.raises(ConfigError, match=r"registry\.csv:4: constituent\.name"):
        read_constituents(write(tmp_path, "registry.csv", text))


def test_a_csv_row_with_more_cells_than_columns_is_refused_with_its_line(tmp_path: Path) -> None:
    """A row split into extra cells (an unquoted comma in a list) is a ConfigError naming its
    line, not a crash."""
    text = "name,sector,networks\nWater Board,drinking-water,192.0.2.0/25,198.51.100.0/24\n"
    with pytest.raises(ConfigError, match=r"registry\.csv:2"):
        read_constituents(write(tmp_path, "registry.csv", text))


def test_a_single_constituent_table_is_a_config_error(tmp_path: Path) -> None:
    """``[constituent]`` written instead of ``[[constituent]]`` is a ConfigError naming the file,
    not a crash."""
    text = '[constituent]\nname = "Water Board"\n'
    with pytest.raises(ConfigError, match=r"registry\.toml"):
        read_constituents(write(tmp_path, "registry.toml", text))


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    """A TOML syntax error is refused as ConfigError naming the file."""
    with pytest.raises(ConfigError, match=r"cannot read constituents from .*registry\.toml"):
        read_constituents(write(tmp_path, "registry.toml", "[[constituent]\nname = 1\n"))


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    """A path that does not exist is refused as ConfigError naming it."""
    with pytest.raises(ConfigError, match=r"nowhere\.csv"):
        read_constituents(tmp_path / "nowhere.csv")


def test_a_csv_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    """A CSV in Latin-1 is refused as ConfigError naming the file."""
    path = tmp_path / "registry.csv"
    path.write_bytes("name\nCafé Bleu\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"registry\.csv"):
        read_constituents(path)


BAD_CONTACTS = [
    "soc@evil.example\r\nBcc: attacker@evil.example",
    "soc@evil.example\nBcc: attacker@evil.example",
    "soc@evil.example\r",
    "\nsoc@evil.example",
    "soc@evil.example\x0bx",
    "not an address",
    "soc",
    "@evil.example",
]


@pytest.mark.parametrize("contact", BAD_CONTACTS)
def test_an_abuse_contact_that_is_not_one_address_is_refused_in_toml(
    tmp_path: Path, contact: str
) -> None:
    """An abuse contact with a line break (a header of its own in a notice) or that is no e-mail
    address stops the import, naming the file, the contact's line and the field."""
    text = TOML.replace('"CERT@moh.example"', json.dumps(contact))
    with pytest.raises(
        ConfigError, match=r"registry\.toml:6: constituent #1: constituent\.abuse_contact: "
    ):
        read_constituents(write(tmp_path, "registry.toml", text))


@pytest.mark.parametrize("contact", BAD_CONTACTS)
def test_an_abuse_contact_that_is_not_one_address_is_refused_in_csv(
    tmp_path: Path, contact: str
) -> None:
    """In a CSV the bad contact (quoted, so a line break stays in the cell) names the file and the
    row's first line, even when its cell spans two lines."""
    text = CSV + 'Water Board,drinking-water,NL,"' + contact + '",,,\n'
    with pytest.raises(ConfigError, match=r"registry\.csv:4: constituent\.abuse_contact: "):
        read_constituents(write(tmp_path, "registry.csv", text))


def test_a_region_is_read_from_toml_and_from_a_csv_column(tmp_path: Path) -> None:
    """The optional ``region`` key of a table and ``region`` column of a CSV (NUTS or ISO 3166-2)
    come out upper-cased; a table or an empty cell without one has none."""
    toml = TOML.replace('country = "nl"', 'country = "nl"\nregion = "nl329"')
    csv_text = (
        "name,sector,country,Region,networks\n"
        "Ministry of Health,health,NL,nl329,192.0.2.0/25\n"
        "Port of Tallinn,transport,EE,ee-37,\n"
        "Riverside School,education,,,\n"
    )
    from_toml = read_constituents(write(tmp_path, "registry.toml", toml))
    from_csv = read_constituents(write(tmp_path, "registry.csv", csv_text))
    assert [c.region for c in from_toml] == ["NL329", None]
    assert [c.region for c in from_csv] == ["NL329", "EE-37", None]
    assert from_toml[0] == dataclasses.replace(EXPECTED[0], region="NL329")


def test_a_bad_region_stops_the_import_naming_its_line_and_field(tmp_path: Path) -> None:
    """A region that is neither a NUTS nor an ISO 3166-2 code is refused like a bad country:
    the TOML line of the key, or the CSV row, with ``constituent.region`` and the value."""
    toml = TOML.replace('country = "nl"', 'country = "nl"\nregion = "Île-de-France"')
    with pytest.raises(
        ConfigError,
        match=r"registry\.toml:6: constituent #1: constituent\.region: 'Île-de-France'",
    ):
        read_constituents(write(tmp_path, "registry.toml", toml))
    csv_text = "name,country,region\nPort of Tallinn,EE,EE-37\nRiga Water,LV,LV 006\n"
    with pytest.raises(ConfigError, match=r"registry\.csv:3: constituent\.region: 'LV 006'"):
        read_constituents(write(tmp_path, "registry.csv", csv_text))
