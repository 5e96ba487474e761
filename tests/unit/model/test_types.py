"""The value sanitisers: one canonical form for every accepted input, a reason for every refusal."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from tocsin.model import types

# The first call of a sanitiser builds caches (IDNA tables, memo dictionaries): no deadline.
relaxed = settings(deadline=None)


# --- IP addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "canonical"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1\n", "192.0.2.1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::1", "::1"),
        ("::", "::"),
        ("FE80::", "fe80::"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:C000:0201", "192.0.2.1"),
    ],
)
def test_ip_address_returns_the_canonical_text_form(given_value: str, canonical: str) -> None:
    """IPv4 stays dotted, IPv6 is compressed and lower case, and IPv4-mapped IPv6 becomes IPv4."""
    assert types.ip_address(given_value) == canonical


def test_ipv4_compatible_ipv6_is_written_in_hex_like_the_stdlib() -> None:
    """An IPv6 address whose first 96 bits are zero keeps hex groups, as ipaddress writes it."""
    assert types.ip_address("::102:304") == "::102:304"
    assert types.ip_address("0:0:0:0:0:0:2:3") == "::2:3"


@pytest.mark.parametrize(
    ("given_value", "reason"),
    [
        ("192.0.2.01", "not an IP address"),
        ("256.1.1.1", "not an IP address"),
        ("192.0.2", "not an IP address"),
        ("fe80::1%eth0", "not an IP address"),
        ("2001:db8::1::2", "not an IP address"),
        ("www.example.com", "not an IP address"),
        ("", "not an IP address"),
        (None, "expected text"),
        (True, "expected text"),
    ],
)
def test_ip_address_refuses_what_is_not_one_address(given_value: object, reason: str) -> None:
    """Leading zeros, zone ids, names, empty text and non-text are refused with a reason."""
    with pytest.raises(ValueError, match=reason):
        types.ip_address(given_value)


# Any address, plus the two /96 ranges that embed IPv4 (compatible and mapped), where the text
# forms differ most between implementations.
addresses = st.one_of(
    st.ip_addresses(),
    st.ip_addresses(v=6, network="::/96"),
    st.ip_addresses(v=6, network="::ffff:0:0/96"),
)


@given(addresses)
def test_ip_address_agrees_with_the_stdlib(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    """For any address, the canonical form is the stdlib's (IPv4-mapped IPv6 as its IPv4)."""
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    expected = str(mapped if mapped is not None else address)
    assert types.ip_address(str(address)) == expected
    assert types.ip_address(address.exploded.upper()) == expected


@given(addresses)
def test_ip_address_is_idempotent(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    """Sanitising a canonical address again returns it unchanged."""
    canonical = types.ip_address(str(address))
    assert types.ip_address(canonical) == canonical


# --- IP networks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "canonical"),
    [
        ("192.0.2.7/24", "192.0.2.0/24"),
        ("10.1.2.3/8", "10.0.0.0/8"),
        ("192.0.2.0/255.255.255.0", "192.0.2.0/24"),
        ("192.0.2.7", "192.0.2.7/32"),
        ("2001:DB8::7/32", "2001:db8::/32"),
        ("2001:db8::1", "2001:db8::1/128"),
    ],
)
def test_ip_network_clears_host_bits(given_value: str, canonical: str) -> None:
    """A network keeps its prefix with host bits cleared; a bare address is a one-host network."""
    assert types.ip_network(given_value) == canonical


@pytest.mark.parametrize("given_value", ["192.0.2.0/33", "2001:db8::/129", "example.net/24", ""])
def test_ip_network_refuses_what_is_not_a_network(given_value: str) -> None:
    """Prefixes out of range, names and empty text are refused with a reason."""
    with pytest.raises(ValueError, match="not a network"):
        types.ip_network(given_value)


networks = st.one_of(
    st.tuples(st.ip_addresses(v=4), st.integers(0, 32)),
    st.tuples(st.ip_addresses(v=6), st.integers(0, 128)),
).map(lambda pair: f"{pair[0]}/{pair[1]}")


@given(networks)
def test_ip_network_is_idempotent_and_agrees_with_the_stdlib(network: str) -> None:
    """For any address and prefix, the network is the stdlib's, and sanitising it again keeps it."""
    canonical = types.ip_network(network)
    assert canonical == str(ipaddress.ip_network(network, strict=False))
    assert types.ip_network(canonical) == canonical


# --- domain names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "canonical"),
    [
        ("Example.COM", "example.com"),
        ("www.example.com.", "www.example.com"),
        (" mail.example.org ", "mail.example.org"),
        ("_dmarc.example.com", "_dmarc.example.com"),
        ("Bücher.Example.", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("münchen.de", "xn--mnchen-3ya.de"),
    ],
)
def test_fqdn_is_lower_case_without_trailing_dot_and_punycoded(
    given_value: str, canonical: str
) -> None:
    """Names are lower case, lose the root dot, and non-ASCII names become IDNA punycode."""
    assert types.fqdn(given_value) == canonical


@pytest.mark.parametrize(
    ("given_value", "reason"),
    [
        ("", "empty"),
        (".", "empty"),
        ("-bad.example", "not a domain name"),
        ("bad-.example", "not a domain name"),
        ("a" * 64 + ".example", "not a domain name"),
        ("a b.example", "not a domain name"),
        ("example..com", "not a domain name"),
        ("192.0.2.1", "an IP address is not a domain name"),
        (".".join(["a" * 63] * 4), "longer than 253 characters"),
        ("exämple..com", "internationalised"),
        (None, "expected text"),
    ],
)
def test_fqdn_refuses_what_is_not_a_domain_name(given_value: object, reason: str) -> None:
    """Bad labels, over-long names, IP addresses and empty text are refused with a reason."""
    with pytest.raises(ValueError, match=reason):
        types.fqdn(given_value)


_LABEL_CHARACTERS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_äöüßéçñøåłżšжбαβ"
)
domain_like = st.lists(
    st.text(alphabet=_LABEL_CHARACTERS, min_size=1, max_size=20), min_size=1, max_size=5
).map(".".join)


@relaxed
@given(st.one_of(domain_like, domain_like.map(lambda name: name + "."), st.text()))
def test_fqdn_is_idempotent_on_its_outputs(name: str) -> None:
    """Sanitising a canonical domain name again returns it unchanged."""
    try:
        canonical = types.fqdn(name)
    except ValueError:
        reject()
    assert types.fqdn(canonical) == canonical


@relaxed
@given(st.text())
def test_fqdn_raises_only_value_error_on_arbitrary_text(text: str) -> None:
    """Whatever the text, fqdn returns a name or raises ValueError, never anything else."""
    try:
        canonical = types.fqdn(text)
    except ValueError:
        return
    assert canonical.isascii()


# --- URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "canonical"),
    [
        ("http://Example.COM/Path?q=1#frag", "http://example.com/Path?q=1#frag"),
        ("HTTPS://example.com/", "https://example.com/"),
        ("hxxp://example.com/payload.exe", "http://example.com/payload.exe"),
        ("hxxps://example.com/login", "https://example.com/login"),
        ("HXXP://example.com/", "http://example.com/"),
        ("example.com/login.php", "http://example.com/login.php"),
        ("example.com:8080/x", "http://example.com:8080/x"),
        ("http://192.0.2.1/a", "http://192.0.2.1/a"),
        ("http://[2001:DB8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
        ("http://[::ffff:192.0.2.1]/a", "http://192.0.2.1/a"),
        ("https://Bücher.example/", "https://xn--bcher-kva.example/"),
        ("http://user:pw@Example.com/", "http://user:pw@example.com/"),
        ("ftp://files.example.org:2121/pub", "ftp://files.example.org:2121/pub"),
    ],
)
def test_url_is_repaired_and_canonical(given_value: str, canonical: str) -> None:
    """Defanged hxxp and a missing scheme become http; scheme and host are canonical."""
    assert types.url(given_value) == canonical


@pytest.mark.parametrize(
    ("given_value", "canonical"),
    [
        ("http://www..example.com/phishing", "http://www..example.com/phishing"),
        ("http://-bad-.Example.com/", "http://-bad-.example.com/"),
        ("http://my_host.example.com/", "http://my_host.example.com/"),
        ("http://" + "a" * 70 + ".example/", "http://" + "a" * 70 + ".example/"),
        ("http://ex%41mple.com/", "http://example.com/"),
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),
    ],
)
def test_url_accepts_the_hosts_browsers_accept(given_value: str, canonical: str) -> None:
    """A host a browser accepts (an empty label, a hyphen at a label's end, an underscore, a
    long label, a percent-encoded letter) is kept in the URL, as IntelMQ keeps it."""
    assert types.url(given_value) == canonical


@pytest.mark.parametrize(
    ("given_value", "reason"),
    [
        ("", "empty"),
        ("http://exa mple.com/", "white space"),
        ("http://example.com/\x00", "control characters"),
        ("gopher://example.com/", "unsupported URL scheme"),
        ("http:///path", "no host"),
        ("http://example.com:99999/", "not a URL"),
        ("http://999.1.1.1/", "not an IP address"),
        ("http://bad^host.example/", "cannot hold"),
        ("http://bad%7Chost.example/", "cannot hold"),
        ("http://1.2.3.400x.99/", "ends in a number"),
        ("http://example.com/" + "x" * 8200, "longer than 8192"),
        (None, "expected text"),
    ],
)
def test_url_refuses_what_is_not_an_absolute_url(given_value: object, reason: str) -> None:
    """White space, unknown schemes, missing hosts, bad ports and bad hosts are refused."""
    with pytest.raises(ValueError, match=reason):
        types.url(given_value)


url_prefixes = st.sampled_from(
    ["", "http://", "hxxp://", "https://[", "ftp://user:pw@", "HXXPS://", "//", "http://192.0"]
)


@relaxed
@given(url_prefixes, st.text())
def test_url_raises_only_value_error_on_arbitrary_text(prefix: str, text: str) -> None:
    """Whatever the text, url returns a URL or raises ValueError, never anything else."""
    try:
        canonical = types.url(prefix + text)
    except ValueError:
        return
    assert "://" in canonical


# --- ASNs, countries, registries ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "number"),
    [
        ("AS64496", 64496),
        ("as64496", 64496),
        (" 64496 ", 64496),
        (64496, 64496),
        (64496.0, 64496),
        ("4294967295", 4294967295),
    ],
)
def test_asn_accepts_numbers_and_the_as_prefix(given_value: object, number: int) -> None:
    """An ASN is a number from 1 to 2**32-1, with or without the ``AS`` prefix."""
    assert types.asn(given_value) == number


@pytest.mark.parametrize(
    ("given_value", "reason"),
    [
        (0, "ASN outside"),
        ("4294967296", "ASN outside"),
        ("AS-1", "ASN outside"),
        ("AS", "whole number"),
        ("ASx", "whole number"),
        (64496.5, "whole number"),
        (None, "expected text"),
    ],
)
def test_asn_refuses_what_is_not_an_asn(given_value: object, reason: str) -> None:
    """Zero, numbers past 32 bits, fractions and words are refused with a reason."""
    with pytest.raises(ValueError, match=reason):
        types.asn(given_value)


def test_asn_refuses_a_boolean_even_after_the_number_one_was_seen() -> None:
    """A boolean is never an ASN, even when the memo already holds 1 (``True == 1`` as a key)."""
    assert types.asn(1) == 1
    with pytest.raises(ValueError, match="whole number"):
        types.asn(True)


@pytest.mark.parametrize(
    ("given_value", "code"), [("de", "DE"), (" nl ", "NL"), ("EU", "EU"), ("xk", "XK")]
)
def test_country_code_is_upper_case_alpha_2(given_value: str, code: str) -> None:
    """ISO 3166-1 alpha-2 codes are upper case; EU and XK are kept as RIR data uses them."""
    assert types.country_code(given_value) == code


@pytest.mark.parametrize("given_value", ["UK", "DEU", "ZZ", "", "Germany"])
def test_country_code_refuses_what_is_not_alpha_2(given_value: str) -> None:
    """Unassigned codes, alpha-3 codes and country names are refused with a reason."""
    with pytest.raises(ValueError, match="not an ISO 3166-1 alpha-2 country code"):
        types.country_code(given_value)


@pytest.mark.parametrize(
    ("given_value", "canonical"),
    [
        ("ripe", "RIPE"),
        ("RIPENCC", "RIPE"),
        ("ripencc", "RIPE"),
        (" arin ", "ARIN"),
        ("Apnic", "APNIC"),
        ("LACNIC", "LACNIC"),
        ("AfriNIC", "AFRINIC"),
    ],
)
def test_registry_is_one_of_the_five_rirs(given_value: str, canonical: str) -> None:
    """The five regional internet registries are upper case; RIPENCC is RIPE."""
    assert types.registry(given_value) == canonical


@pytest.mark.parametrize(("given_value", "reason"), [("IANA", "not a regional"), ("", "empty")])
def test_registry_refuses_others(given_value: str, reason: str) -> None:
    """Anything but the five RIRs is refused with a reason."""
    with pytest.raises(ValueError, match=reason):
        types.registry(given_value)


# --- date and time ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "canonical"),
    [
        ("2024-05-01 06:05:00", "2024-05-01T06:05:00+00:00"),
        ("2024-05-01T06:05:00", "2024-05-01T06:05:00+00:00"),
        ("2024-05-01T06:05:00Z", "2024-05-01T06:05:00+00:00"),
        ("2024-05-01T08:05:00+02:00", "2024-05-01T06:05:00+00:00"),
        ("2024-05-01T01:05:00-05:00", "2024-05-01T06:05:00+00:00"),
        ("2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00+00:00"),
        ("2024-05-01 06:05:00 UTC", "2024-05-01T06:05:00+00:00"),
        ("2024-05-01 06:05:00 GMT", "2024-05-01T06:05:00+00:00"),
        ("2024-05-01T06:05:00.250000Z", "2024-05-01T06:05:00.250000+00:00"),
        ("1714543500", "2024-05-01T06:05:00+00:00"),
        (1714543500, "2024-05-01T06:05:00+00:00"),
        (1714543500.5, "2024-05-01T06:05:00.500000+00:00"),
        (datetime(2024, 5, 1, 6, 5), "2024-05-01T06:05:00+00:00"),
        (
            datetime(2024, 5, 1, 8, 5, tzinfo=timezone(timedelta(hours=2))),
            "2024-05-01T06:05:00+00:00",
        ),
    ],
)
def test_datetime_utc_is_iso_8601_in_utc(given_value: object, canonical: str) -> None:
    """Naive times are UTC, offsets are converted, ``Z``/``UTC`` and Unix seconds are understood."""
    assert types.datetime_utc(given_value) == canonical


@pytest.mark.parametrize(
    ("given_value", "reason"),
    [
        ("1969-12-31T23:59:59Z", "year outside 1970-2100"),
        ("1970-01-01T00:30:00+01:00", "year outside 1970-2100"),
        ("2101-01-01T00:00:00+00:00", "year outside 1970-2100"),
        (4133980800, "year outside 1970-2100"),
        ("99999999999999999999", "Unix time out of range"),
        ("2024-13-01T00:00:00", "not an ISO 8601"),
        ("yesterday", "not an ISO 8601"),
        ("-1", "not an ISO 8601"),
        ("", "empty"),
        (True, "expected text"),
    ],
)
def test_datetime_utc_refuses_bad_or_out_of_range_times(given_value: object, reason: str) -> None:
    """Times before 1970 or after 2100, in UTC, and text that is no time are refused."""
    with pytest.raises(ValueError, match=reason):
        types.datetime_utc(given_value)


@pytest.mark.parametrize("given_value", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00"])
def test_datetime_utc_refuses_times_whose_utc_falls_off_the_calendar(given_value: str) -> None:
    """A time whose UTC conversion leaves years 1-9999 is refused with ValueError, not a crash."""
    with pytest.raises(ValueError, match="year outside 1970-2100"):
        types.datetime_utc(given_value)


def test_epoch_seconds_reads_a_canonical_time() -> None:
    """A canonical time converts back to its Unix seconds."""
    assert types.epoch_seconds("2024-05-01T06:05:00+00:00") == 1714543500


fixed_offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2100, 12, 30),
    timezones=st.one_of(st.just(UTC), fixed_offsets),
)


@relaxed
@given(aware_datetimes)
def test_datetime_utc_is_idempotent_on_its_outputs(moment: datetime) -> None:
    """For any aware time in 1970-2100, the canonical text is the same instant and is stable."""
    canonical = types.datetime_utc(moment)
    assert canonical.endswith("+00:00")
    assert datetime.fromisoformat(canonical) == moment
    assert types.datetime_utc(moment.isoformat()) == canonical
    assert types.datetime_utc(canonical) == canonical


# --- numbers, ports, booleans, hashes, text ------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "number"), [(0, 0), (65535, 65535), ("443", 443), (" 80 ", 80), (80.0, 80)]
)
def test_port_accepts_0_to_65535(given_value: object, number: int) -> None:
    """Ports are whole numbers from 0 to 65535, from numbers or text."""
    assert types.port(given_value) == number


@pytest.mark.parametrize(
    ("given_value", "reason"),
    [
        (-1, "port outside 0-65535"),
        (65536, "port outside 0-65535"),
        ("http", "whole number"),
        (80.5, "whole number"),
        (True, "whole number"),
        ("", "whole number"),
    ],
)
def test_port_refuses_others(given_value: object, reason: str) -> None:
    """Numbers out of range, fractions, words and booleans are refused with a reason."""
    with pytest.raises(ValueError, match=reason):
        types.port(given_value)


@pytest.mark.parametrize(
    ("sanitiser", "length"), [(types.md5, 32), (types.sha1, 40), (types.sha256, 64)]
)
def test_hashes_are_lower_case_hex_of_their_length(sanitiser: types.Sanitizer, length: int) -> None:
    """MD5, SHA-1 and SHA-256 are lower-cased; a wrong length or a non-hex digit is refused."""
    assert sanitiser(" " + "AB" * (length // 2) + " ") == "ab" * (length // 2)
    with pytest.raises(ValueError, match=f"{length} hexadecimal digits"):
        sanitiser("a" * (length - 1))
    with pytest.raises(ValueError, match=f"{length} hexadecimal digits"):
        sanitiser("a" * (length + 1))
    with pytest.raises(ValueError, match=f"{length} hexadecimal digits"):
        sanitiser("g" * length)


@pytest.mark.parametrize(
    ("given_value", "truth"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("Yes", True),
        ("1", True),
        (1, True),
        ("t", True),
        ("FALSE", False),
        ("no", False),
        ("0", False),
        (0, False),
        ("f", False),
    ],
)
def test_boolean_reads_the_usual_spellings(given_value: object, truth: bool) -> None:
    """True/false, yes/no, 1/0 and t/f in any case are booleans."""
    assert types.boolean(given_value) is truth


@pytest.mark.parametrize(
    ("given_value", "reason"),
    [("maybe", "true or false"), (2, "true or false"), ("", "true or false"), (None, "text")],
)
def test_boolean_refuses_others(given_value: object, reason: str) -> None:
    """Anything but a known spelling of true or false is refused with a reason."""
    with pytest.raises(ValueError, match=reason):
        types.boolean(given_value)


def test_string_strips_and_refuses_empty_or_nul() -> None:
    """Text loses surrounding white space; empty text and NUL bytes are refused."""
    assert types.string("  Example Org \n") == "Example Org"
    assert types.string(42) == "42"
    assert types.lowercase(" ABC ") == "abc"
    assert types.uppercase(" abc ") == "ABC"
    with pytest.raises(ValueError, match="empty"):
        types.string("   ")
    with pytest.raises(ValueError, match="NUL"):
        types.string("a\x00b")
    with pytest.raises(ValueError, match="expected text"):
        types.string(None)


def test_floating_and_accuracy_refuse_non_finite_and_out_of_range_numbers() -> None:
    """Floats must be finite, and an accuracy lies between 0 and 100."""
    assert types.floating("52.52") == 52.52
    assert types.accuracy("100") == 100.0
    for bad in ("nan", "inf", float("-inf")):
        with pytest.raises(ValueError, match="finite"):
            types.floating(bad)
    with pytest.raises(ValueError, match="expected a number"):
        types.floating(True)
    with pytest.raises(ValueError, match="accuracy outside 0-100"):
        types.accuracy(100.5)


def test_json_value_keeps_json_and_refuses_the_rest() -> None:
    """Text, numbers, booleans, lists and maps are kept; None, NUL bytes and objects are refused."""
    for value in ("text", 1, 1.5, False, [1, "a"], {"k": ["v"]}):
        assert types.json_value(value) == value
    with pytest.raises(ValueError, match="empty"):
        types.json_value(None)
    with pytest.raises(ValueError, match="NUL"):
        types.json_value("a\x00")
    with pytest.raises(ValueError, match="cannot keep a set"):
        types.json_value({1, 2})


@pytest.mark.parametrize(
    "value", [2**63, -(2**63) - 1, "99999999999999999999", "-9223372036854775809", 1e19, "9" * 5000]
)
def test_integer_refuses_whole_numbers_beyond_64_bits(value: object) -> None:
    """A whole number the store cannot hold in a signed 64-bit column is refused, however
    written."""
    with pytest.raises(ValueError, match="64-bit"):
        types.integer(value)


def test_integer_keeps_the_64_bit_extremes() -> None:
    """The largest and smallest signed 64-bit numbers are kept."""
    assert types.integer(str(2**63 - 1)) == 2**63 - 1
    assert types.integer(-(2**63)) == -(2**63)


def test_string_removes_bad_control_characters() -> None:
    """Terminal escape sequences (whole), C0 controls (but tab and line feed), DEL, C1 and lone
    surrogates are removed from text; a CR line end becomes a line feed."""
    assert types.string("a\x1b[31mb\x7fc\x9b2Jd") == "abcd"
    assert types.string("t\x1b]0;PWNED\x07itle\x1b[2J") == "title"
    assert types.string("a\x01b\x9fc") == "abc"
    assert types.string("line\r\nnext\rlast\tend") == "line\nnext\nlast\tend"
    assert types.string("x\ud800y") == "xy"
    with pytest.raises(ValueError, match="empty"):
        types.string("\x01\x02")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (2**64, "64-bit"),
        ({"k": [1, 2**70]}, "64-bit"),
        ([float("nan")], "finite"),
        ({1: "a"}, "key must be text"),
        ({"k": "a\x00"}, "NUL"),
    ],
)
def test_json_value_refuses_what_no_store_or_encoder_holds(value: object, reason: str) -> None:
    """Under ``extra.*``, nested values are checked too: 64-bit whole numbers, finite numbers,
    text keys, no NUL."""
    with pytest.raises(ValueError, match=reason):
        types.json_value(value)


def test_json_value_refuses_deep_nesting_and_cleans_nested_text() -> None:
    """Lists nested deeper than ``JSON_DEPTH`` are refused; nested text loses its control
    characters."""
    deep: object = "x"
    for _ in range(types.JSON_DEPTH + 1):
        deep = [deep]
    with pytest.raises(ValueError, match="nested deeper"):
        types.json_value(deep)
    assert types.json_value({"a\x1b": ["b\x07", None]}) == {"a": ["b", None]}


@pytest.mark.parametrize("value", ["203.0.113.0/24x", "fe80::/64%eth0", "fe80::1%eth0/64", "abc"])
def test_ip_network_refuses_what_is_not_exactly_a_network(value: str) -> None:
    """Trailing junk, a zone id or no address at all is not a network."""
    with pytest.raises(ValueError, match="not a network"):
        types.ip_network(value)
