"""The ip2asn table: ``start  end  ASN  country  name`` lines read offline into an address map."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin import demo
from tocsin.errors import InvalidValue
from tocsin.model.asn import AsnRange
from tocsin.pipeline.enrich.asn import AsnInfo, build_asn_map, read_ip2asn

TABLE = "\n".join(
    [
        "# a comment line, ignored",
        "0.0.0.0\t0.255.255.255\t0\tNone\tNot routed",
        "192.0.2.10\t192.0.2.20\t64496\tnl\tEXAMPLE-ONE Example One",
        "",
        "192.0.2.21\t192.0.2.255\t64497\tDE\tEXAMPLE-TWO",
        "2001:DB8::\t2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\t64498\tNone\t",
        "198.51.100.0\t198.51.100.255\tAS64499\t--",
    ]
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ip2asn.tsv"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_good_lines_become_ranges_and_as_zero_rows_are_skipped(tmp_path: Path) -> None:
    """Every routed line becomes an AsnRange with canonical addresses; AS 0, comments and blank
    lines are left out."""
    assert list(read_ip2asn(write(tmp_path, TABLE))) == [
        AsnRange("192.0.2.10", "192.0.2.20", 64496, "NL", "EXAMPLE-ONE Example One"),
        AsnRange("192.0.2.21", "192.0.2.255", 64497, "DE", "EXAMPLE-TWO"),
        AsnRange("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 64498, None, None),
        AsnRange("198.51.100.0", "198.51.100.255", 64499, None, None),
    ]


def test_a_bad_line_is_returned_with_its_line_number_and_the_rest_still_read(
    tmp_path: Path,
) -> None:
    """A line with a bad address becomes an InvalidValue naming its line number and its text,
    and the lines after it are still read."""
    text = "\n".join(
        [
            "# header",
            "192.0.2.0\t192.0.2.255\t64496\tNL\tGOOD-ONE",
            "192.0.2.999\t192.0.3.255\t64497\tNL\tBAD",
            "198.51.100.0\t198.51.100.255\t64498\tNL\tGOOD-TWO",
        ]
    )
    items = list(read_ip2asn(write(tmp_path, text)))
    assert [type(item) for item in items] == [AsnRange, InvalidValue, AsnRange]
    bad = items[1]
    assert isinstance(bad, InvalidValue)
    assert bad.field == "line 3"
    assert bad.value == "192.0.2.999\t192.0.3.255\t64497\tNL\tBAD"
    assert "line 3" in str(bad)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("192.0.2.0\t192.0.2.255", "expected 5 tab-separated columns"),
        ("192.0.2.0\t192.0.2.255\tsixty\tNL\tX", "whole number"),
        ("192.0.2.0\t192.0.2.255\t64496\tXX\tX", "country code"),
        ("192.0.2.255\t192.0.2.0\t64496\tNL\tX", "range start after its end"),
        ("192.0.2.0\t2001:db8::\t64496\tNL\tX", "range start after its end"),
        ("192.0.2.0 192.0.2.255 64496 NL X", "expected 5 tab-separated columns"),
    ],
)
def test_each_kind_of_bad_line_says_why(tmp_path: Path, line: str, reason: str) -> None:
    """Too few columns, a bad ASN or country, a reversed range or mixed versions are refused
    with the reason."""
    (item,) = read_ip2asn(write(tmp_path, line))
    assert isinstance(item, InvalidValue)
    assert item.field == "line 1"
    assert reason in item.reason


def test_crlf_line_ends_are_read_like_lf(tmp_path: Path) -> None:
    """A table written with Windows line ends gives the same ranges, names without a CR."""
    path = tmp_path / "ip2asn.tsv"
    path.write_bytes(b"192.0.2.0\t192.0.2.255\t64496\tNL\tEXAMPLE\r\n")
    assert list(read_ip2asn(path)) == [AsnRange("192.0.2.0", "192.0.2.255", 64496, "NL", "EXAMPLE")]


def test_build_asn_map_looks_up_asn_country_and_name(tmp_path: Path) -> None:
    """The built map answers ASN, country and name for addresses inside a range, None elsewhere,
    for IPv4 and IPv6."""
    ranges = [item for item in read_ip2asn(write(tmp_path, TABLE)) if isinstance(item, AsnRange)]
    asns = build_asn_map(ranges)
    assert asns.lookup("192.0.2.10") == AsnInfo(64496, "NL", "EXAMPLE-ONE Example One")
    assert asns.lookup("192.0.2.20") == AsnInfo(64496, "NL", "EXAMPLE-ONE Example One")
    assert asns.lookup("192.0.2.21") == AsnInfo(64497, "DE", "EXAMPLE-TWO")
    assert asns.lookup("2001:db8:1234::1") == AsnInfo(64498, None, None)
    assert asns.lookup("192.0.2.9") is None
    assert asns.lookup("0.0.0.1") is None  # the AS 0 row gave nothing


def test_the_demo_table_reads_without_a_bad_line() -> None:
    """The ip2asn table shipped for the demo is entirely valid."""
    items = list(read_ip2asn(Path(demo.__file__).with_name("ip2asn.tsv")))
    ranges = [item for item in items if isinstance(item, AsnRange)]
    assert ranges
    assert ranges == items
    harbour = AsnInfo(64496, "NL", "EXAMPLE-HARBOUR Harbour Telecom")
    assert build_asn_map(ranges).lookup("203.0.113.9") == harbour
