"""The event's fields: IntelMQ's names, each with its sanitiser, and errors that say what failed."""

from __future__ import annotations

import pytest

from tocsin.errors import InvalidValue, TocsinError
from tocsin.model import fields, types

# The 82 event fields of IntelMQ's harmonization.conf (docs/standards.md §5), less ``extra`` itself,
# which Tocsin keeps as the ``extra.*`` namespace.
_SIDE_FIELDS = (
    "abuse_contact",
    "account",
    "allocated",
    "as_name",
    "asn",
    "domain_suffix",
    "fqdn",
    "geolocation.cc",
    "geolocation.city",
    "geolocation.country",
    "geolocation.latitude",
    "geolocation.longitude",
    "geolocation.region",
    "geolocation.state",
    "ip",
    "local_hostname",
    "local_ip",
    "network",
    "port",
    "registry",
    "reverse_dns",
    "tor_node",
    "url",
    "urlpath",
)
INTELMQ_EVENT_FIELDS = (
    "classification.identifier",
    "classification.taxonomy",
    "classification.type",
    "comment",
    "event_description.target",
    "event_description.text",
    "event_description.url",
    "event_hash",
    "output",
    "raw",
    "rtir_id",
    "screenshot_url",
    "status",
    "tlp",
    "feed.accuracy",
    "feed.code",
    "feed.documentation",
    "feed.name",
    "feed.provider",
    "feed.url",
    "malware.hash.md5",
    "malware.hash.sha1",
    "malware.hash.sha256",
    "malware.name",
    "malware.version",
    "misp.attribute_uuid",
    "misp.event_uuid",
    "protocol.application",
    "protocol.transport",
    "source.geolocation.cymru_cc",
    "source.geolocation.geoip_cc",
    "time.source",
    "time.observation",
    *(f"{side}.{name}" for side in ("source", "destination") for name in _SIDE_FIELDS),
)


def test_the_intelmq_field_list_is_complete() -> None:
    """The list this module checks against has IntelMQ's 82 fields once ``extra`` is added back."""
    assert len(set(INTELMQ_EVENT_FIELDS)) == len(INTELMQ_EVENT_FIELDS) == 81


@pytest.mark.parametrize("name", INTELMQ_EVENT_FIELDS)
def test_every_intelmq_field_is_a_field(name: str) -> None:
    """Each IntelMQ harmonization field name is known to the event model."""
    assert name in fields.FIELDS


@pytest.mark.parametrize(
    ("name", "given_value", "canonical"),
    [
        ("source.ip", " 192.0.2.1 ", "192.0.2.1"),
        ("destination.ip", "2001:DB8::1", "2001:db8::1"),
        ("source.network", "192.0.2.7/24", "192.0.2.0/24"),
        ("source.fqdn", "Bücher.Example.", "xn--bcher-kva.example"),
        ("source.url", "hxxp://example.com/x", "http://example.com/x"),
        ("source.asn", "AS64496", 64496),
        ("source.port", "443", 443),
        ("source.geolocation.cc", "de", "DE"),
        ("source.registry", "ripencc", "RIPE"),
        ("source.tor_node", "yes", True),
        ("time.source", "2024-05-01 06:05:00", "2024-05-01T06:05:00+00:00"),
        ("classification.type", "botnet drone", "infected-system"),
        ("classification.taxonomy", "malicious code", "malicious-code"),
        ("tlp", "WHITE", "CLEAR"),
        ("tlp", "tlp:amber+strict", "AMBER+STRICT"),
        ("malware.name", " Mirai ", "mirai"),
        (
            "malware.hash.md5",
            "D41D8CD98F00B204E9800998ECF8427E",
            "d41d8cd98f00b204e9800998ecf8427e",
        ),
        ("event_hash", "abc", "ABC"),
        ("feed.accuracy", "90", 90.0),
        ("tocsin.priority", "1", "P1"),
        ("tocsin.priority", "p3", "P3"),
        ("tocsin.sector", "Health", "health"),
    ],
)
def test_sanitize_returns_the_fields_canonical_value(
    name: str, given_value: object, canonical: object
) -> None:
    """Each field applies its own type's sanitiser."""
    assert fields.sanitize(name, given_value) == canonical


def test_sanitize_error_names_the_field_the_value_and_the_reason() -> None:
    """A refused value raises InvalidValue whose message holds the field, the value and why."""
    with pytest.raises(InvalidValue) as caught:
        fields.sanitize("source.ip", "999.1.1.1")
    error = caught.value
    assert (error.field, error.value, error.reason) == (
        "source.ip",
        "999.1.1.1",
        "not an IP address",
    )
    assert str(error) == "source.ip: '999.1.1.1': not an IP address"


def test_invalid_value_is_both_a_tocsin_error_and_a_value_error() -> None:
    """InvalidValue is under TocsinError and is also a ValueError, so either handler catches it."""
    with pytest.raises(InvalidValue) as caught:
        fields.sanitize("source.port", 70000)
    assert isinstance(caught.value, TocsinError)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "source.port: 70000: port outside 0-65535"


def test_sanitize_error_shortens_a_long_value() -> None:
    """A long refused value is cut short in the message, which still names field and reason."""
    with pytest.raises(InvalidValue) as caught:
        fields.sanitize("source.ip", "192.0.2." + "1" * 500)
    message = str(caught.value)
    assert message.startswith("source.ip: '192.0.2.111")
    assert "...: " in message
    assert message.endswith("not an IP address")
    assert len(message) < 200


@pytest.mark.parametrize("name", ["source.ipaddr", "ip", "extra", "extra.", "Source.IP", ""])
def test_unknown_field_names_are_refused(name: str) -> None:
    """A name outside the model, including a bare ``extra``, raises InvalidValue naming it."""
    with pytest.raises(InvalidValue, match="not a field of the event model") as caught:
        fields.sanitize(name, "192.0.2.1")
    assert caught.value.field == name


@pytest.mark.parametrize(
    "given_value", ["text", 7, 1.5, True, ["a", 1], {"nested": {"list": [1, 2]}}]
)
def test_extra_fields_keep_any_json_value(given_value: object) -> None:
    """Any ``extra.*`` name is accepted and keeps a JSON value unchanged."""
    assert fields.sanitize("extra.shadowserver.tag", given_value) == given_value
    assert fields.sanitizer_for("extra.x") is types.json_value


def test_extra_fields_refuse_a_missing_value_naming_the_field() -> None:
    """An ``extra.*`` field without a value raises InvalidValue naming that field."""
    with pytest.raises(InvalidValue, match=r"^extra\.note: None: empty$"):
        fields.sanitize("extra.note", None)


@pytest.mark.parametrize(
    ("name", "given_value", "reason"),
    [
        ("classification.type", "not-a-type", "Reference Security Incident Taxonomy"),
        ("tlp", "PINK", "not a TLP label"),
        ("tocsin.priority", "P5", "not a priority"),
        ("time.source", "1969-12-31 23:59:59", "year outside 1970-2100"),
        ("source.asn", object(), "expected text"),
    ],
)
def test_sanitize_wraps_every_refusal(name: str, given_value: object, reason: str) -> None:
    """Refusals from every kind of sanitiser come out as InvalidValue carrying their reason."""
    with pytest.raises(InvalidValue, match=reason) as caught:
        fields.sanitize(name, given_value)
    assert caught.value.field == name
    assert caught.value.value is given_value


def test_source_and_destination_have_the_same_fields() -> None:
    """Every host field exists on both sides with the same sanitiser."""
    for name in _SIDE_FIELDS:
        assert fields.FIELDS[f"source.{name}"] is fields.FIELDS[f"destination.{name}"]
