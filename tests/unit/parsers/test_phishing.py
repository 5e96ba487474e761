"""The OpenPhish and PhishTank parsers: recorded samples, the JSON/CSV forms, broken input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.pipeline.parsers import get_parser
from tocsin.pipeline.parsers.base import Source
from tocsin.pipeline.parsers.phishing import RAW_PREVIEW, OpenPhish, PhishTank, url_host
from tocsin.pipeline.stages.batch import Batch, FeedContext
from tocsin.pipeline.stages.normalize import normalize

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "phishing"
OBSERVED = "2024-05-02T00:00:00+00:00"


def run(feed: str, path: Path | str, data: bytes | None = None) -> Batch:
    parser = get_parser(feed)
    ctx = FeedContext(
        feed=feed,
        file=Path(path).name,
        observed=OBSERVED,
        provider=parser.provider,
        default_type=parser.default_type,
        default_tlp=parser.default_tlp,
    )
    return normalize(parser().parse(Source(path, data)), ctx)


def fields_of(parser: type[OpenPhish | PhishTank], data: bytes, name: str = "x") -> list[Any]:
    return [record.fields for record in parser().parse(Source(name, data))]


@pytest.mark.parametrize(
    ("feed", "sample", "expected"),
    [
        ("openphish", "openphish.txt", "openphish.expected.json"),
        ("openphish", "openphish-broken.txt", "openphish-broken.expected.json"),
        ("phishtank", "phishtank.json", "phishtank.expected.json"),
        ("phishtank", "phishtank-broken.json", "phishtank-broken.expected.json"),
        ("phishtank", "phishtank-truncated.json", "phishtank-truncated.expected.json"),
        ("phishtank", "phishtank.csv", "phishtank-csv.expected.json"),
        ("phishtank", "phishtank-broken.csv", "phishtank-broken-csv.expected.json"),
    ],
)
def test_recorded_sample(feed: str, sample: str, expected: str) -> None:
    """Each recorded sample gives exactly the recorded events and quarantine reasons."""
    batch = run(feed, SAMPLES / sample)
    want = orjson.loads((SAMPLES / expected).read_bytes())
    assert batch.events == want["events"]
    got = [{"line": q.line, "stage": q.stage, "reason": q.reason} for q in batch.quarantined]
    assert got == want["quarantined"]
    assert batch.read == len(batch.events) + len(batch.quarantined)


def test_feeds_are_registered_as_public_phishing_lists() -> None:
    """Both feed names resolve to their parser, typed phishing and TLP CLEAR."""
    for name, parser in (("openphish", OpenPhish), ("phishtank", PhishTank)):
        assert get_parser(name) is parser
        assert parser.default_type == "phishing"
        assert parser.default_tlp == "CLEAR"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://login.example.com/a/b.php", ("login.example.com", False)),
        ("http://198.51.100.23/index.html", ("198.51.100.23", True)),
        ("http://198.51.100.23:8080", ("198.51.100.23", True)),
        ("https://user:pw@example.net:8443/x?y#z", ("example.net", False)),
        ("http://[2001:db8::7]:81/webmail/", ("2001:db8::7", True)),
        ("example.org/path", ("example.org", False)),
        ("http://example.org?q=1", ("example.org", False)),
        ("http://example.org#frag", ("example.org", False)),
        ("http://example.org\\evil", ("example.org", False)),
    ],
)
def test_url_host(url: str, host: tuple[str, bool]) -> None:
    """The host of a URL is found without a full parse, and literal addresses are told apart."""
    assert url_host(url) == host


def test_openphish_skips_blank_lines_and_keeps_line_numbers() -> None:
    """Blank lines are not rows, and each URL keeps its physical line number."""
    records = list(OpenPhish().parse(Source("feed.txt", b"\nhttps://a.example.com/\n\n  \n")))
    assert [(r.line, r.fields) for r in records] == [
        (2, {"source.url": "https://a.example.com/", "source.fqdn": "a.example.com"})
    ]


def test_phishtank_maps_only_the_first_detail() -> None:
    """Of several DNS resolutions only the first gives source.ip, network, ASN and country."""
    item = {
        "url": "https://x.example.com/",
        "details": [
            {
                "ip_address": "192.0.2.1",
                "cidr_block": "192.0.2.0/24",
                "announcing_network": "64501",
            },
            {"ip_address": "198.51.100.1", "country": "NL"},
        ],
    }
    (fields,) = fields_of(PhishTank, orjson.dumps([item]))
    assert fields["source.ip"] == "192.0.2.1"
    assert fields["source.network"] == "192.0.2.0/24"
    assert fields["source.asn"] == "64501"
    assert "source.geolocation.cc" not in fields


def test_phishtank_details_of_another_shape_are_kept_under_extra() -> None:
    """A details value that is not a list of objects is kept as extra.details, not lost."""
    (fields,) = fields_of(PhishTank, b'[{"url": "https://x.example.com/", "details": ["odd"]}]')
    assert fields["extra.details"] == ["odd"]
    assert "source.ip" not in fields


def test_phishtank_json_and_csv_forms_map_alike() -> None:
    """The same entry as a JSON object and as a CSV row gives the same fields."""
    row = {
        "phish_id": "9000001",
        "url": "https://secure-login.example.com/",
        "phish_detail_url": "http://www.phishtank.com/phish_detail.php?phish_id=9000001",
        "submission_time": "2024-05-01T07:11:02+00:00",
        "verified": "yes",
        "verification_time": "2024-05-01T07:40:10+00:00",
        "online": "yes",
        "target": "Other",
    }
    csv_text = ",".join(row) + "\n" + ",".join(row.values()) + "\n"
    (from_csv,) = fields_of(PhishTank, csv_text.encode())
    (from_json,) = fields_of(PhishTank, orjson.dumps([{**row, "phish_id": 9000001}]))
    assert from_csv == from_json
    assert from_json["extra.phishtank.phish_id"] == 9000001
    assert from_json["extra.phishtank.verified"] is True
    assert from_json["status"] == "online"


def test_phishtank_csv_maps_by_header_name() -> None:
    """Reordered and unknown CSV columns are mapped by name; unknown ones go to extra."""
    data = b"target,url,brand_new\nOther,https://x.example.com/,42\n"
    (fields,) = fields_of(PhishTank, data)
    assert fields == {
        "event_description.target": "Other",
        "source.url": "https://x.example.com/",
        "extra.brand_new": "42",
        "source.fqdn": "x.example.com",
    }


def test_phishtank_falls_back_to_the_verification_time() -> None:
    """Without a submission time the verification time is the source time."""
    data = b'[{"url": "https://x.example.com/", "verification_time": "2026-11-03T07:40:10Z"}]'
    (fields,) = fields_of(PhishTank, data)
    assert fields["time.source"] == "2026-11-03T07:40:10Z"


def test_phishtank_single_object_is_one_entry() -> None:
    """A JSON document that is one object (not an array) is read as one entry."""
    records = list(PhishTank().parse(Source("x.json", b' {"url": "https://x.example.com/"}')))
    assert len(records) == 1
    assert records[0].fields is not None
    assert records[0].raw == '{"url":"https://x.example.com/"}'


def test_phishtank_truncated_document_is_one_quarantined_record() -> None:
    """A truncated JSON download is one record at line 1 holding its first 2,000 characters."""
    item = {"url": "https://long.example.com/" + "a" * 500, "target": "Other"}
    data = orjson.dumps([item] * 20)[:-30]
    records = list(PhishTank().parse(Source("x.json", data)))
    assert len(records) == 1
    assert records[0].line == 1
    assert records[0].fields is None
    assert records[0].raw == data.decode()[:RAW_PREVIEW]
    assert records[0].error is not None
    assert records[0].error.startswith("not valid JSON")


def test_phishtank_item_lines_are_ordinals_and_raw_is_reserialised() -> None:
    """JSON records carry the item's 1-based ordinal and the item re-serialised with orjson."""
    data = b'[\n  {"url": "https://a.example.com/"},\n  {"url": "https://b.example.com/"}\n]'
    records = list(PhishTank().parse(Source("x.json", data)))
    assert [r.line for r in records] == [1, 2]
    assert records[1].raw == '{"url":"https://b.example.com/"}'


@pytest.mark.parametrize("data", [b"", b"  \n", b"[]", b"\xef\xbb\xbf[ ]"])
def test_phishtank_empty_inputs_have_no_rows(data: bytes) -> None:
    """An empty file, a blank file and an empty JSON array give no records at all."""
    assert list(PhishTank().parse(Source("x", data))) == []


def test_openphish_empty_input_has_no_rows() -> None:
    """A file of blank lines gives no records at all."""
    assert list(OpenPhish().parse(Source("x", b"\n \n\t\n"))) == []


LINE_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=40)


@settings(database=None, max_examples=200)
@given(st.lists(LINE_TEXT, max_size=8))
def test_openphish_never_raises_and_keeps_every_row(lines: list[str]) -> None:
    """Any text gives one record per non-blank, non-comment line, and normalising never raises."""
    batch = run("openphish", "feed.txt", "\n".join(lines).encode())
    expected = [t for t in lines if t.strip() and not t.strip().startswith("#")]
    assert batch.read == len(expected)
    assert len(batch.events) + len(batch.quarantined) == batch.read


@settings(database=None, max_examples=200)
@given(st.binary(max_size=200).map(lambda tail: b"[" + tail))
def test_phishtank_never_raises_on_garbage_json(data: bytes) -> None:
    """Whatever follows an opening bracket, nothing raises; invalid JSON is one quarantined row."""
    batch = run("phishtank", "x.json", data)
    assert len(batch.events) + len(batch.quarantined) == batch.read
    try:
        orjson.loads(Source("x.json", data).text())
    except orjson.JSONDecodeError:
        assert batch.read == 1
        assert batch.quarantined[0].reason.startswith("not valid JSON")
