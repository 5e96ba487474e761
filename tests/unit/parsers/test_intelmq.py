"""The IntelMQ events parser: JSON lines in IntelMQ's flat or hierarchical form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.pipeline.parsers import FAMILIES, intelmq
from tocsin.pipeline.parsers.base import Parser, Source
from tocsin.pipeline.parsers.intelmq import IntelMQParser
from tocsin.pipeline.stages.batch import FeedContext
from tocsin.pipeline.stages.normalize import normalize

SAMPLES = Path(__file__).parents[2] / "samples" / "intelmq"
DEMO = Path(__file__).parents[3] / "src" / "tocsin" / "demo" / "feeds"
OBSERVED = "2024-05-02T00:00:00+00:00"


def run(parser: Parser, source: Source) -> dict[str, Any]:
    """Parse and normalise one input; events and quarantine as the expected files hold them."""
    cls = type(parser)
    ctx = FeedContext(
        feed=cls.name,
        file=source.name,
        observed=OBSERVED,
        provider=cls.provider,
        default_type=cls.default_type,
        default_tlp=cls.default_tlp,
    )
    batch = normalize(parser.parse(source), ctx)
    quarantined = [
        {"line": q.line, "stage": q.stage, "reason": q.reason} for q in batch.quarantined
    ]
    return {"events": batch.events, "quarantined": quarantined, "read": batch.read}


def lines(*items: Any) -> Source:
    data = "\n".join(i if isinstance(i, str) else orjson.dumps(i).decode() for i in items)
    return Source("events.jsonl", data=data.encode())


def fields(item: dict[str, Any]) -> dict[str, Any] | None:
    (record,) = IntelMQParser().parse(lines(item))
    return record.fields


@pytest.mark.parametrize("stem", ["events", "broken"])
def test_recorded_sample(stem: str) -> None:
    """A recorded IntelMQ output normalises to exactly the recorded events and quarantine."""
    expected = orjson.loads((SAMPLES / f"{stem}.expected.json").read_bytes())
    got = run(IntelMQParser(), Source(SAMPLES / f"{stem}.jsonl"))
    assert got["events"] == expected["events"]
    assert got["quarantined"] == expected["quarantined"]
    assert got["read"] == len(expected["events"]) + len(expected["quarantined"])


def test_registered_under_its_feed_name() -> None:
    """The family is in the registry and lists one parser, ``intelmq``, defaulting to AMBER."""
    assert "intelmq" in FAMILIES
    assert [(p.name, p.default_tlp) for p in intelmq.PARSERS] == [("intelmq", "AMBER")]


def test_flat_hierarchical_and_string_extra_forms_agree() -> None:
    """One event written flat, hierarchically, or with extra as a JSON string maps the same."""
    flat = {
        "source.ip": "192.0.2.7",
        "source.geolocation.cc": "NL",
        "classification.type": "scanner",
        "extra.tag": "ssh",
        "extra.count": 2,
    }
    hierarchical = {
        "source": {"ip": "192.0.2.7", "geolocation": {"cc": "NL"}},
        "classification": {"type": "scanner"},
        "extra": {"tag": "ssh", "count": 2},
    }
    as_string = {
        "source.ip": "192.0.2.7",
        "source.geolocation.cc": "NL",
        "classification.type": "scanner",
        "extra": '{"tag": "ssh", "count": 2}',
    }
    assert fields(flat) == fields(hierarchical) == fields(as_string) == flat


def test_raw_taxonomy_and_type_marker_are_dropped() -> None:
    """``raw``, ``classification.taxonomy`` and ``__type: Event`` do not reach the event."""
    got = fields(
        {
            "__type": "Event",
            "source.ip": "192.0.2.7",
            "raw": "c29tZSByYXcgbGluZQ==",
            "classification": {"taxonomy": "other", "type": "scanner"},
        }
    )
    assert got == {"source.ip": "192.0.2.7", "classification.type": "scanner"}


def test_taxonomy_is_derived_not_copied() -> None:
    """A wrong taxonomy in the input is replaced by the one the type implies."""
    got = run(
        IntelMQParser(),
        lines(
            {
                "source.ip": "192.0.2.7",
                "classification.taxonomy": "fraud",
                "classification.type": "scanner",
            }
        ),
    )
    assert got["events"][0]["classification.taxonomy"] == "information-gathering"


def test_origin_feed_and_observation_time_are_kept() -> None:
    """IntelMQ's feed.name, feed.provider and time.observation win over the run's defaults."""
    item = {
        "feed.name": "Accessible-RDP",
        "feed.provider": "Shadowserver",
        "time.observation": "2024-05-01T07:00:00+00:00",
        "source.ip": "192.0.2.7",
    }
    (event,) = run(IntelMQParser(), lines(item))["events"]
    assert event["feed.name"] == "Accessible-RDP"
    assert event["feed.provider"] == "Shadowserver"
    assert event["time.observation"] == "2024-05-01T07:00:00+00:00"


def test_feed_name_defaults_to_intelmq() -> None:
    """An event without feed.name is filed under the ``intelmq`` feed with the run's time."""
    (event,) = run(IntelMQParser(), lines({"source.ip": "192.0.2.7"}))["events"]
    assert event["feed.name"] == "intelmq"
    assert event["time.observation"] == OBSERVED


def test_tlp_1_0_white_becomes_clear() -> None:
    """IntelMQ's TLP 1.0 ``WHITE`` is stored as TLP 2.0 ``CLEAR``."""
    (event,) = run(IntelMQParser(), lines({"source.ip": "192.0.2.7", "tlp": "WHITE"}))["events"]
    assert event["tlp"] == "CLEAR"


def test_unknown_and_tocsin_keys_go_to_extra() -> None:
    """Keys that are not harmonized fields, and Tocsin's own tocsin.* keys, land in extra."""
    got = fields(
        {
            "source.ip": "192.0.2.7",
            "sector": "health",
            "source.naics": 517311,
            "tocsin.priority": "P1",
            "output": {"kept": True},
        }
    )
    assert got == {
        "source.ip": "192.0.2.7",
        "extra.sector": "health",
        "extra.source.naics": 517311,
        "extra.tocsin.priority": "P1",
        "output": {"kept": True},
    }


DEEP_EXTRA = orjson.dumps(
    {"source.ip": "192.0.2.7", "extra": '{"a": ' * 80 + "1" + "}" * 80}
).decode()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("not json", "not JSON: "),
        ("[1, 2]", "not a JSON object but an array"),
        ('"192.0.2.7"', "not a JSON object but a string"),
        ("null", "not a JSON object but null"),
        ('{"__type": "Report", "raw": "eA=="}', "an IntelMQ 'Report' message, not an event"),
        ('{"source.ip": "192.0.2.7", "extra": "[1]"}', "extra is neither a JSON object"),
        ('{"source.ip": "192.0.2.7", "extra": "{"}', "extra is a string but not JSON: "),
        ('{"source.ip": "192.0.2.7", "": 1}', "an empty key in the JSON object"),
        (DEEP_EXTRA, "extra is nested deeper than 64 levels"),
        ('{"source.ip": "192.0.2.7", "source.ip', "not JSON: unexpected end of data"),
    ],
)
def test_unmappable_lines_are_quarantined_with_a_reason(line: str, reason: str) -> None:
    """A line that cannot be an IntelMQ event becomes one record with a clear reason."""
    (record,) = IntelMQParser().parse(lines(line))
    assert record.fields is None
    assert record.error is not None
    assert record.error.startswith(reason)
    assert record.raw == line


def test_blank_lines_are_not_rows() -> None:
    """Blank lines between events are skipped and line numbers stay physical."""
    records = list(IntelMQParser().parse(lines({"source.ip": "192.0.2.7"}, "", "  ", "{}")))
    assert [r.line for r in records] == [1, 4]


def test_deep_nesting_is_quarantined() -> None:
    """An absurdly nested object is one quarantined record, not a blown stack later on."""
    deep = '{"n": ' * 900 + "1" + "}" * 900
    (record,) = IntelMQParser().parse(lines(f'{{"source.ip": "192.0.2.7", "deep": {deep}}}'))
    assert record.error == "JSON nested deeper than 64 levels"


def test_moderate_nesting_is_kept() -> None:
    """Nesting within the limit maps as usual; objects past the flattening depth stay whole."""
    deep = '{"n": ' * 40 + "1" + "}" * 40
    (record,) = IntelMQParser().parse(lines(f'{{"source.ip": "192.0.2.7", "deep": {deep}}}'))
    assert record.fields is not None
    assert record.fields["source.ip"] == "192.0.2.7"
    assert orjson.dumps(record.fields)


def test_demo_file_loads_cleanly() -> None:
    """The demo IntelMQ export normalises with no quarantined row and keeps its origin feeds."""
    got = run(IntelMQParser(), Source(DEMO / "intelmq-events.jsonl"))
    assert got["quarantined"] == []
    assert 20 <= len(got["events"]) <= 150
    assert {e["feed.name"] for e in got["events"]} > {"Accessible-RDP", "Phishing reports"}
    assert all(e["time.source"].startswith("2026-11") for e in got["events"])


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(
    ["source.ip", "source.port", "time.source", "tlp", "extra", "raw", "classification.type"]
)
json_objects = st.dictionaries(field_names | st.text(), json_values, max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(json_objects, min_size=1, max_size=5))
def test_any_json_object_is_one_record(items: list[dict[str, Any]]) -> None:
    """Any JSON object per line gives exactly one record and normalising never raises."""
    source = lines(*items)
    records = list(IntelMQParser().parse(source))
    assert [r.line for r in records] == list(range(1, len(items) + 1))
    assert all((r.fields is None) != (r.error is None) for r in records)
    got = run(IntelMQParser(), source)
    assert len(got["events"]) + len(got["quarantined"]) == len(items)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text().filter(lambda t: "\n" not in t and "\r" not in t), max_size=6))
def test_any_text_line_is_one_record(texts: list[str]) -> None:
    """Arbitrary text lines never make the parser raise; each non-blank one is one record."""
    source = Source("x.jsonl", data="\n".join(texts).encode())
    records = list(IntelMQParser().parse(source))
    expected = [n for n, t in enumerate(texts, start=1) if t.strip()]
    assert [r.line for r in records] == expected
    assert all((r.fields is None) != (r.error is None) for r in records)
