"""The Spamhaus DROP parser: DROP/EDROP/DROPv6/ASN-DROP text and JSON, samples, broken input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.parsers.recorded import assert_as_recorded

from tocsin.pipeline.parsers import get_parser
from tocsin.pipeline.parsers.base import Record, Source
from tocsin.pipeline.parsers.spamhaus import PARSERS, SpamhausDropParser
from tocsin.pipeline.stages.batch import Batch, FeedContext
from tocsin.pipeline.stages.normalize import normalize

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "spamhaus"
OBSERVED = "2024-05-02T00:00:00+00:00"
EXPECTED = sorted(path.name for path in SAMPLES.glob("*.expected.json"))


def run(path: Path | str, data: bytes | None = None) -> Batch:
    ctx = FeedContext(
        feed=SpamhausDropParser.name,
        file=Path(path).name,
        observed=OBSERVED,
        provider=SpamhausDropParser.provider,
        default_type=SpamhausDropParser.default_type,
        default_tlp=SpamhausDropParser.default_tlp,
    )
    return normalize(SpamhausDropParser().parse(Source(path, data)), ctx)


def records(data: bytes) -> list[Record]:
    return list(SpamhausDropParser().parse(Source("drop.txt", data)))


def fields(data: bytes) -> list[dict[str, Any] | None]:
    return [record.fields for record in records(data)]


@pytest.mark.parametrize("expected", EXPECTED)
def test_recorded_sample(expected: str) -> None:
    """Each recorded sample gives exactly the recorded events and quarantined rows, none lost."""
    want = orjson.loads((SAMPLES / expected).read_bytes())
    assert want["feed"] == "spamhaus-drop"
    batch = run(SAMPLES / expected.removesuffix(".expected.json"))
    assert_as_recorded(batch, want)


def test_feed_is_registered_as_a_public_blacklist() -> None:
    """spamhaus-drop resolves to the parser, typed blacklist, TLP CLEAR, the only one here."""
    assert get_parser("spamhaus-drop") is SpamhausDropParser
    assert [parser.name for parser in PARSERS] == ["spamhaus-drop"]
    assert SpamhausDropParser.default_type == "blacklist"
    assert SpamhausDropParser.default_tlp == "CLEAR"


@pytest.mark.parametrize(
    ("header", "want"),
    [
        (
            b"; Last-Modified: Wed, 01 May 2024 05:17:00 GMT\n",
            {"time.source": "2024-05-01T05:17:00+00:00"},
        ),
        (
            b";Last-Modified: Wed, 01 May 2024 07:17:00 +0200\r\n",
            {"time.source": "2024-05-01T07:17:00+02:00"},
        ),
        (b"; Spamhaus DROP List 2024/05/01\n", {}),
        (
            b"; Last-Modified: sometime in May\n",
            {"extra.last_modified": "; Last-Modified: sometime in May"},
        ),
        (
            b"; Last-Modified: Wed, 01 May 99999999999999999999 05:17:00 GMT\n",
            {"extra.last_modified": "; Last-Modified: Wed, 01 May " + "9" * 20 + " 05:17:00 GMT"},
        ),
    ],
)
def test_last_modified_gives_time_source(header: bytes, want: dict[str, str]) -> None:
    """Last-Modified is time.source; without one there is none; a bad one is kept in extra."""
    (got,) = fields(header + b"192.0.2.0/24 ; SBL000001\r\n")
    assert got == {"source.network": "192.0.2.0/24", "extra.blocklist": "SBL000001", **want}


@pytest.mark.parametrize(
    ("line", "want"),
    [
        (
            b"AS64496 ; NL | EXAMPLE-AS - Example Networks Ltd",
            {
                "source.asn": "AS64496",
                "source.geolocation.cc": "NL",
                "source.as_name": "EXAMPLE-AS - Example Networks Ltd",
            },
        ),
        (b"AS64497 ;  | EXAMPLE2-AS", {"source.asn": "AS64497", "source.as_name": "EXAMPLE2-AS"}),
        (b"AS64498 ; ZZ | EXAMPLE3-AS", {"source.asn": "AS64498", "source.as_name": "EXAMPLE3-AS"}),
        (b"as64499 ; EXAMPLE4-AS", {"source.asn": "as64499", "source.as_name": "EXAMPLE4-AS"}),
        (b"AS64500", {"source.asn": "AS64500"}),
        (
            b"2001:db8:1000::/36 ; SBL000004",
            {"source.network": "2001:db8:1000::/36", "extra.blocklist": "SBL000004"},
        ),
    ],
)
def test_text_lines(line: bytes, want: dict[str, str]) -> None:
    """ASN-DROP lines give ASN, country and AS name; DROP lines give network and SBL id."""
    assert fields(line) == [want]


def test_json_metadata_line_is_skipped_and_dates_every_row() -> None:
    """The NDJSON metadata line is not a row; its timestamp is every row's time.source."""
    batch = run(SAMPLES / "drop_v4.json")
    assert batch.read == 2
    assert {event["time.source"] for event in batch.events} == {"2024-05-01T05:17:00+00:00"}
    without = b'{"cidr":"192.0.2.0/24","sblid":"SBL000001"}\n'
    assert fields(without) == [{"source.network": "192.0.2.0/24", "extra.blocklist": "SBL000001"}]


def test_text_and_json_forms_agree() -> None:
    """drop.txt and drop_v4.json listing the same networks give the same events but for extra."""

    def core(name: str) -> list[dict[str, Any]]:
        return [
            {key: value for key, value in event.items() if key != "extra.rir"}
            for event in run(SAMPLES / name).events
        ]

    assert core("drop_v4.json") == core("drop.txt")[:2]


@settings(max_examples=300, database=None)
@given(
    data=st.lists(
        st.sampled_from(["; Last-Modified: ", "AS", "192.0.2.0/24 ; ", "{", '{"cidr":', ";", "|"])
        | st.text(max_size=40),
        max_size=12,
    ).map(lambda parts: "\n".join(parts).encode())
    | st.binary(max_size=300)
)
def test_no_input_makes_the_parser_raise(data: bytes) -> None:
    """Whatever the bytes, the parser yields records with fields or a reason, never raises."""
    for record in records(data):
        assert (record.fields is None) == (record.error is not None)


def test_demo_file_is_clean() -> None:
    """The DROP demo file (DROP and DROPv6 together) gives 20-150 dated events, none quarantined."""
    demo = Path(__file__).resolve().parents[3] / "src" / "tocsin" / "demo" / "feeds"
    batch = run(demo / "spamhaus-drop.txt")
    assert batch.quarantined == []
    assert 20 <= len(batch.events) <= 150
    assert all(event["time.source"].startswith("2026-11-") for event in batch.events)
