"""Identifiers a request names: typed, normalised, flagged when they cannot name one subscriber,
refused when they cannot be right."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.errors import InvalidValue
from tocsin.model.assist.identifiers import (
    CGNAT,
    NO_TIME,
    NOT_PUBLIC,
    SHARED,
    SITE_ONLY,
    describe,
    kinds,
    parse,
)
from tocsin.model.assist.request import Identifier

AT = "2026-03-01T10:00:00Z"
WHEN = datetime(2026, 3, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("ipv4", " 198.51.100.7 ", "198.51.100.7"),
        ("ipv6", "2001:DB8:0:0::1", "2001:db8::1"),
        ("ipv6", "[2001:db8::1]", "2001:db8::1"),
        ("email", "Jane.Doe@EXAMPLE.org", "Jane.Doe@example.org"),
        ("email", "x@bücher.example", "x@xn--bcher-kva.example"),
        ("phone", "+33 1 23-45.67 (89)", "+33123456789"),
        ("account_url", "HTTPS://Social.Example/@jane", "https://social.example/@jane"),
        ("account_url", "http://example.com:8080/u/1?id=2", "http://example.com:8080/u/1?id=2"),
        ("domain", "Bücher.Example.", "xn--bcher-kva.example"),
        ("tx_hash", "0x" + "AB" * 32, "0x" + "ab" * 32),
        ("tx_hash", "f" * 64, "f" * 64),
    ],
)
def test_values_are_normalised(kind: str, value: str, expected: str) -> None:
    assert parse(kind, value, at=AT).value == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("ipv4", "256.1.1.1"),
        ("ipv4", "010.1.1.1"),
        ("ipv4", "2001:db8::1"),
        ("ipv6", "198.51.100.7"),
        ("email", "no-at-sign.example"),
        ("email", "jane@localhost"),
        ("email", "ja ne@example.org"),
        ("phone", "0033123456789"),
        ("phone", "+0123456789"),
        ("phone", "+1234567890123456"),
        ("phone", "+12345"),
        ("account_url", "ftp://example.org/jane"),
        ("account_url", "example.org/jane"),
        ("domain", "localhost"),
        ("domain", "-bad-.example"),
        ("domain", "203.0.113.9"),
        ("tx_hash", "ab" * 31),
        ("tx_hash", "0x" + "g" * 64),
        ("tx_hash", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
    ],
)
def test_wrong_values_are_refused_naming_the_value(kind: str, value: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse(kind, value)
    assert caught.value.field == "value"


def test_an_unknown_kind_is_refused_with_the_kinds() -> None:
    with pytest.raises(InvalidValue) as caught:
        parse("imei", "490154203237518")
    assert caught.value.field == "kind"
    assert "tx_hash" in caught.value.reason
    assert kinds() == ("ipv4", "ipv6", "email", "phone", "account_url", "domain", "tx_hash")


@pytest.mark.parametrize("at", ["2026-03-01T10:00:00", "2026-03-01 10:00", datetime(2026, 3, 1)])
def test_a_time_without_a_zone_is_refused(at: str | datetime) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse("ipv4", "198.51.100.7", port=443, at=at)
    assert caught.value.field == "at"
    assert "without a zone" in caught.value.reason


def test_a_time_that_is_no_time_is_refused() -> None:
    with pytest.raises(InvalidValue, match="not an ISO 8601 time"):
        parse("ipv4", "198.51.100.7", at="yesterday")


@pytest.mark.parametrize(
    ("at", "utc"),
    [
        ("2026-03-01T10:00:00Z", WHEN),
        ("2026-03-01T11:00:00+01:00", WHEN),
        ("2026-03-01T05:00:00-05:00", WHEN),
        # the night Paris moves to summer time: 02:30 local does not exist, the offset decides
        ("2026-03-29T03:30:00+02:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        (datetime(2026, 3, 1, 12, tzinfo=timezone(timedelta(hours=2))), WHEN),
    ],
)
def test_a_time_with_a_zone_is_converted_to_utc(at: str | datetime, utc: datetime) -> None:
    found = parse("ipv4", "198.51.100.7", port=1, at=at).at
    assert found == utc
    assert found is not None and found.utcoffset() == timedelta(0)


def test_ipv4_without_port_and_time_is_flagged_shared() -> None:
    assert SHARED in parse("ipv4", "8.8.4.4").flags
    assert SHARED in parse("ipv4", "8.8.4.4", port=51234).flags
    assert SHARED in parse("ipv4", "8.8.4.4", at=AT).flags
    assert parse("ipv4", "8.8.4.4", port=51234, at=AT).flags == ()


def test_cgnat_without_port_gets_the_stronger_flag() -> None:
    flags = parse("ipv4", "100.64.12.1", at=AT).flags
    assert flags == (CGNAT,)
    assert parse("ipv4", "100.127.255.254", port=4000, at=AT).flags == ()
    assert CGNAT not in parse("ipv4", "100.128.0.1", at=AT).flags


def test_a_private_address_is_flagged() -> None:
    assert NOT_PUBLIC in parse("ipv4", "192.168.1.10", port=1, at=AT).flags
    assert NOT_PUBLIC in parse("ipv6", "fd00::1", at=AT).flags


def test_ipv6_without_time_is_flagged() -> None:
    assert parse("ipv6", "2606:4700::1111").flags == (NO_TIME,)
    assert parse("ipv6", "2606:4700::1111", at=AT).flags == ()


def test_an_account_url_naming_only_a_site_is_flagged() -> None:
    assert parse("account_url", "https://example.org/").flags == (SITE_ONLY,)
    assert parse("account_url", "https://example.org/jane").flags == ()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "email", "value": "a@example.org", "port": 25}, "port"),
        ({"kind": "ipv4", "value": "8.8.4.4", "port": 0}, "port"),
        ({"kind": "ipv4", "value": "8.8.4.4", "port": 65536}, "port"),
        ({"kind": "ipv4", "value": "8.8.4.4", "port": "http"}, "port"),
        ({"kind": "ipv4", "value": "8.8.4.4", "at": AT, "tolerance": -1}, "tolerance"),
        ({"kind": "ipv4", "value": "8.8.4.4", "at": AT, "tolerance": 86_401}, "tolerance"),
        ({"kind": "ipv4", "value": "8.8.4.4", "tolerance": 30}, "tolerance"),
    ],
)
def test_wrong_port_and_tolerance_are_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_port_and_tolerance_may_come_as_text() -> None:
    found = parse("ipv6", "2001:db8::1", port="443", at=AT, tolerance="30")
    assert (found.port, found.tolerance) == (443, 30)


def test_describe_gives_one_line_for_a_form() -> None:
    line = describe(parse("ipv4", "8.8.4.4", port=51234, at=AT, tolerance=30))
    assert line == "IPv4 address 8.8.4.4, source port 51234, at 2026-03-01 10:00:00 UTC ± 30 s"
    assert describe(parse("ipv4", "8.8.4.4")) == f"IPv4 address 8.8.4.4 [{SHARED}]"
    assert describe(parse("phone", "+41 44 000 00 00")) == "telephone number +41440000000"


def test_an_identifier_survives_json() -> None:
    found = parse("ipv4", "198.51.100.7", port=51234, at=AT, tolerance=30)
    assert Identifier.from_json(found.as_json()) == found


@given(st.ip_addresses(v=4), st.integers(1, 65535), st.datetimes(timezones=st.timezones()))
def test_any_ipv4_with_port_and_zoned_time_is_accepted_in_utc(
    address: ipaddress.IPv4Address, port: int, at: datetime
) -> None:
    found = parse("ipv4", str(address), port=port, at=at.isoformat())
    assert found.value == str(address)
    assert found.at == at.astimezone(UTC)
    assert found.at is not None and found.at.tzinfo is UTC
    assert SHARED not in found.flags and CGNAT not in found.flags


@given(st.ip_addresses(v=4))
def test_any_ipv4_alone_is_flagged(address: ipaddress.IPv4Address) -> None:
    assert SHARED in parse("ipv4", str(address)).flags


@given(st.ip_addresses(v=6))
def test_any_ipv6_comes_back_compressed(address: ipaddress.IPv6Address) -> None:
    assert parse("ipv6", address.exploded, at=AT).value == address.compressed


@given(st.datetimes())
def test_any_naive_time_is_refused(at: datetime) -> None:
    with pytest.raises(InvalidValue, match="without a zone"):
        parse("ipv6", "2001:db8::1", at=at.isoformat())


@given(st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True))
def test_any_e164_number_is_accepted(number: str) -> None:
    assert parse("phone", number).value == number
