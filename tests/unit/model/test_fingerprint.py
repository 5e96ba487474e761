"""The event fingerprint: one observation within one dedupe window has one fingerprint."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.model import fields, types
from tocsin.model.event import (
    DEFAULT_WINDOW,
    FINGERPRINT_FIELDS,
    Event,
    fingerprint,
    observation_key,
    time_bucket,
)

HEX32 = re.compile(r"[0-9a-f]{32}")


def observation(**changes: Any) -> Event:
    """A scanner seen by a Shadowserver-like feed, with ``changes`` applied (None removes a key)."""
    event: Event = {
        "feed.name": "shadowserver-scan-http",
        "classification.type": "scanner",
        "classification.identifier": "http-scan",
        "source.ip": "192.0.2.1",
        "source.port": 51234,
        "source.asn": 64496,
        "destination.ip": "198.51.100.7",
        "destination.port": 80,
        "protocol.transport": "tcp",
        "protocol.application": "http",
        "time.source": "2024-05-01T06:05:00+00:00",
        "time.observation": "2024-05-01T07:00:00+00:00",
        "source.geolocation.cc": "NL",
        "extra.tag": "scan",
    }
    for name, value in changes.items():
        name = name.replace("__", ".")
        if value is None:
            event.pop(name, None)
        else:
            event[name] = value
    return event


# A different but plausible value for every identifying field.
OTHER_VALUES: dict[str, Any] = {
    "feed.name": "shadowserver-scan-smb",
    "classification.type": "brute-force",
    "classification.identifier": "ssh-brute-force",
    "source.ip": "192.0.2.2",
    "source.network": "192.0.2.0/24",
    "source.port": 51235,
    "source.fqdn": "scanner.example.net",
    "source.url": "http://scanner.example.net/",
    "source.asn": 64497,
    "source.account": "admin",
    "destination.ip": "198.51.100.8",
    "destination.port": 443,
    "destination.fqdn": "www.example.org",
    "destination.url": "https://www.example.org/login",
    "protocol.transport": "udp",
    "protocol.application": "https",
    "malware.name": "mirai",
    "malware.hash.md5": "d41d8cd98f00b204e9800998ecf8427e",
    "malware.hash.sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "malware.hash.sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
}


def test_other_values_cover_every_fingerprint_field() -> None:
    """This module has a changed value for each identifying field, and no others."""
    assert set(OTHER_VALUES) == set(FINGERPRINT_FIELDS)


def test_fingerprint_is_32_lower_case_hex_digits() -> None:
    """A fingerprint is 128 bits written as 32 lower-case hexadecimal digits."""
    assert HEX32.fullmatch(fingerprint(observation()))


def test_same_observation_within_the_window_has_the_same_fingerprint() -> None:
    """The same observation reported again later the same day is the same observation."""
    early = observation(time__source="2024-05-01T00:00:01+00:00")
    late = observation(time__source="2024-05-01T23:59:59+00:00")
    assert fingerprint(early) == fingerprint(late)


def test_a_different_time_bucket_gives_a_different_fingerprint() -> None:
    """The same observation on the next day is a new observation."""
    today = observation(time__source="2024-05-01T23:59:59+00:00")
    tomorrow = observation(time__source="2024-05-02T00:00:00+00:00")
    assert fingerprint(today) != fingerprint(tomorrow)


def test_the_window_sets_the_bucket_size() -> None:
    """With an hour's window, times in one hour agree and times in the next hour differ."""
    at_0605 = observation(time__source="2024-05-01T06:05:00+00:00")
    at_0659 = observation(time__source="2024-05-01T06:59:59+00:00")
    at_0700 = observation(time__source="2024-05-01T07:00:00+00:00")
    assert fingerprint(at_0605, window=3600) == fingerprint(at_0659, window=3600)
    assert fingerprint(at_0605, window=3600) != fingerprint(at_0700, window=3600)


def test_a_zero_window_dedupes_forever() -> None:
    """With window 0, the same observation years apart has one fingerprint."""
    then = observation(time__source="2020-01-01T00:00:00+00:00")
    now = observation(time__source="2024-05-01T06:05:00+00:00")
    assert fingerprint(then, window=0) == fingerprint(now, window=0)
    assert time_bucket(then, 0) == 0


def test_time_bucket_is_epoch_seconds_divided_by_the_window() -> None:
    """The bucket of an event is its source time in Unix seconds, floor-divided by the window."""
    event = observation(time__source="2024-05-01T06:05:00+00:00")
    assert time_bucket(event, DEFAULT_WINDOW) == 1714543500 // 86_400
    assert time_bucket(event, 60) == 1714543500 // 60


def test_key_order_does_not_matter() -> None:
    """Two events with the same fields in a different order have the same fingerprint."""
    event = observation()
    reordered = dict(reversed(list(event.items())))
    assert list(reordered) != list(event)
    assert fingerprint(reordered) == fingerprint(event)


@pytest.mark.parametrize("name", FINGERPRINT_FIELDS)
def test_a_change_in_any_identifying_field_changes_the_fingerprint(name: str) -> None:
    """Changing, adding or removing any one identifying field gives another fingerprint."""
    base = observation()
    changed = observation(**{name.replace(".", "__"): OTHER_VALUES[name]})
    assert fingerprint(changed) != fingerprint(base)
    if name in base:
        assert fingerprint(observation(**{name.replace(".", "__"): None})) != fingerprint(base)


def test_observation_time_is_ignored_when_the_source_gives_a_time() -> None:
    """When ``time.source`` is present, a later ``time.observation`` does not make a new event."""
    first_run = observation(time__observation="2024-05-01T07:00:00+00:00")
    next_week = observation(time__observation="2024-05-08T07:00:00+00:00")
    assert fingerprint(first_run) == fingerprint(next_week)


def test_observation_time_sets_the_bucket_when_the_source_gives_none() -> None:
    """Without ``time.source``, the bucket comes from ``time.observation``."""
    monday = observation(time__source=None, time__observation="2024-05-06T07:00:00+00:00")
    monday_late = observation(time__source=None, time__observation="2024-05-06T22:00:00+00:00")
    tuesday = observation(time__source=None, time__observation="2024-05-07T07:00:00+00:00")
    assert fingerprint(monday) == fingerprint(monday_late)
    assert fingerprint(monday) != fingerprint(tuesday)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("extra.tag", "another tag"),
        ("extra.new", {"nested": [1, 2]}),
        ("source.geolocation.cc", "DE"),
        ("feed.provider", "Shadowserver"),
        ("comment", "seen again"),
        ("raw", "MTkyLjAuMi4x"),
        ("tocsin.priority", "P1"),
        ("tlp", "RED"),
    ],
)
def test_fields_outside_the_fingerprint_do_not_change_it(name: str, value: Any) -> None:
    """Enrichment, ``extra.*`` and other non-identifying fields leave the fingerprint alone."""
    assert fingerprint(observation(**{name.replace(".", "__"): value})) == fingerprint(
        observation()
    )


def test_a_custom_field_list_is_honoured() -> None:
    """Passing ``fields`` restricts the fingerprint to those fields."""
    base = observation()
    other_port = observation(source__port=1)
    assert fingerprint(base, fields=("source.ip",)) == fingerprint(
        other_port, fields=("source.ip",)
    )
    assert fingerprint(base) != fingerprint(other_port)


def test_a_separator_inside_a_value_cannot_forge_another_events_fingerprint() -> None:
    """Two different observations never share a fingerprint because a value holds the separator."""
    first = observation(feed__name='feed","scanner', classification__identifier="x")
    second = observation(feed__name="feed", classification__identifier='scanner","x')
    for event in (first, second):
        for name in ("feed.name", "classification.identifier"):
            assert fields.sanitize(name, event[name]) == event[name]
    assert fingerprint(first) != fingerprint(second)


def test_the_observation_key_begins_with_its_time_in_seconds() -> None:
    """The observation key's first 8 hex digits are its Unix seconds, so that later observations
    sort after earlier ones whatever their fields (the store's index on it grows at its end)."""
    event = observation(time__source="2024-05-01T06:05:00+00:00")
    key = observation_key(event)
    assert HEX32.fullmatch(key)
    assert int(key[:8], 16) == 1714543500
    later = observation(time__source="2024-05-01T06:05:01+00:00", source__ip="192.0.2.200")
    assert observation_key(later) > key


def test_the_observation_key_tells_apart_observations_of_one_second() -> None:
    """Two observations in the same second share the time digits, never the key; the same one
    in another window keeps its key, and the fingerprint is not the observation key."""
    event = observation()
    other = observation(source__port=51235)
    assert observation_key(event)[:8] == observation_key(other)[:8]
    assert observation_key(event) != observation_key(other)
    assert observation_key(event) == observation_key(dict(event))
    assert fingerprint(event, window=1) != observation_key(event)


# --- properties -------------------------------------------------------------------------------

times = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 12, 30)).map(
    types.datetime_utc
)
values = st.one_of(st.text(), st.integers(), st.sampled_from(["", "192.0.2.1", "scanner"]))
events = st.fixed_dictionaries(
    {"time.source": times},
    optional={name: values for name in (*FINGERPRINT_FIELDS, "time.observation", "extra.note")},
)
loose_events = st.dictionaries(st.sampled_from(FINGERPRINT_FIELDS), values).flatmap(
    lambda fields: times.map(lambda moment: {**fields, "time.observation": moment})
)


@settings(deadline=None)
@given(st.one_of(events, loose_events), st.sampled_from([0, 60, 3600, DEFAULT_WINDOW]))
def test_fingerprint_is_hex_and_deterministic_for_any_event(event: Event, window: int) -> None:
    """For any event, the fingerprint is 32 hex digits and the same for a reordered copy."""
    digest = fingerprint(event, window=window)
    assert HEX32.fullmatch(digest)
    assert fingerprint(dict(event), window=window) == digest
    assert fingerprint(dict(reversed(list(event.items()))), window=window) == digest


@settings(deadline=None)
@given(events, st.text())
def test_extra_fields_never_change_any_fingerprint(event: Event, note: str) -> None:
    """For any event, setting an ``extra.*`` field leaves its fingerprint unchanged."""
    assert fingerprint({**event, "extra.note": note}) == fingerprint(event)
