"""The MISP parser: event files, exports and REST answers in; one row per attribute out."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymisp.tools.feed import feed_meta_generator
from tests.unit.parsers.recorded import assert_as_recorded

from tocsin.errors import InputUnreadable
from tocsin.pipeline.parsers import FAMILIES, get_parser
from tocsin.pipeline.parsers.base import Record, Source
from tocsin.pipeline.parsers.misp import MISPParser, feed_files
from tocsin.pipeline.stages.batch import Batch, FeedContext
from tocsin.pipeline.stages.normalize import normalize

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "misp"
EXPECTED = sorted(path.name for path in SAMPLES.glob("*.expected.json"))
OBSERVED = "2024-05-05T00:00:00+00:00"
EVENT_UUID = "5f0c2b3a-1111-4c2d-9e7f-000000000001"


def run(path: Path | str, data: bytes | None = None) -> Batch:
    ctx = FeedContext(
        feed="misp",
        file=Path(path).name,
        observed=OBSERVED,
        provider=MISPParser.provider,
        default_type=MISPParser.default_type,
        default_tlp=MISPParser.default_tlp,
    )
    return normalize(MISPParser().parse(Source(path, data)), ctx)


def records(document: Any) -> list[Record]:
    data = document if isinstance(document, bytes) else orjson.dumps(document)
    return list(MISPParser().parse(Source("event.json", data)))


def attribute(kind: str, value: str, **more: Any) -> dict[str, Any]:
    return {"uuid": "5f0c2b3a-0000-4c2d-9e7f-0000000000aa", "type": kind, "value": value, **more}


def event(*attributes: Any, **more: Any) -> dict[str, Any]:
    body = {"uuid": EVENT_UUID, "info": "Test event", "date": "2024-05-01"}
    return {"Event": {**body, "Attribute": list(attributes), **more}}


def tags(*names: str) -> list[dict[str, str]]:
    return [{"name": name} for name in names]


def only_fields(document: Any) -> dict[str, Any]:
    (record,) = records(document)
    assert record.fields is not None, record.error
    return record.fields


@pytest.mark.parametrize("expected", EXPECTED)
def test_recorded_sample(expected: str) -> None:
    """Each recorded sample gives exactly the recorded events and quarantined rows, none lost."""
    want = orjson.loads((SAMPLES / expected).read_bytes())
    batch = run(SAMPLES / expected.removesuffix(".expected.json"))
    assert_as_recorded(batch, want)


def test_registered_under_its_feed_name() -> None:
    """The family is registered; the feed is ``misp``, typed and labelled per attribute."""
    assert "misp" in FAMILIES
    assert get_parser("misp") is MISPParser
    assert MISPParser.default_type is None
    assert MISPParser.default_tlp == "AMBER"


def test_every_document_shape_gives_the_same_rows() -> None:
    """A feed event file, a bare event, a REST search answer and a list of events agree."""
    wrapped = orjson.loads((SAMPLES / "event.json").read_bytes())
    bare = wrapped["Event"]
    shapes = [wrapped, bare, {"response": [wrapped]}, [wrapped]]
    results = [[(r.line, r.raw, r.fields, r.error) for r in records(shape)] for shape in shapes]
    assert results[0]
    assert all(result == results[0] for result in results)


def test_rows_of_several_events_are_numbered_on() -> None:
    """In a file of two events the second event's rows continue the count (unique lines)."""
    first = event(attribute("ip-dst", "192.0.2.1"), attribute("ip-dst", "192.0.2.2"))
    second = event(attribute("ip-dst", "192.0.2.3"))
    assert [r.line for r in records([first, second])] == [1, 2, 3]


def test_deleted_attributes_are_skipped_but_keep_their_place() -> None:
    """A deleted attribute, or one in a deleted object, is no row; later rows keep their line."""
    document = event(
        attribute("ip-dst", "192.0.2.1", deleted=True),
        attribute("ip-dst", "192.0.2.2"),
        Object=[
            {"name": "domain-ip", "deleted": True, "Attribute": [attribute("domain", "a.example")]},
            {"name": "domain-ip", "Attribute": [attribute("domain", "b.example", deleted="1")]},
            {"name": "domain-ip", "Attribute": [attribute("domain", "c.example")]},
        ],
    )
    got = [
        (r.line, r.fields and r.fields.get("source.ip", r.fields.get("source.fqdn")))
        for r in records(document)
    ]
    assert got == [(2, "192.0.2.2"), (5, "c.example")]


@pytest.mark.parametrize(
    ("kind", "value", "want"),
    [
        ("ip-src", "192.0.2.7", {"source.ip": "192.0.2.7"}),
        ("ip-dst", "2001:db8::7", {"source.ip": "2001:db8::7"}),
        ("ip-dst", "192.0.2.0/24", {"source.network": "192.0.2.0/24"}),
        ("ip-src|port", "192.0.2.7|22", {"source.ip": "192.0.2.7", "source.port": "22"}),
        ("ip-dst|port", "2001:db8::7|443", {"source.ip": "2001:db8::7", "source.port": "443"}),
        ("domain", "c2.example.com", {"source.fqdn": "c2.example.com"}),
        ("hostname", "www.example.com", {"source.fqdn": "www.example.com"}),
        (
            "domain|ip",
            "a.example.com|192.0.2.9",
            {"source.fqdn": "a.example.com", "source.ip": "192.0.2.9"},
        ),
        (
            "hostname|port",
            "a.example.com|8080",
            {"source.fqdn": "a.example.com", "source.port": "8080"},
        ),
        (
            "url",
            "http://192.0.2.8/x",
            {"source.url": "http://192.0.2.8/x", "source.ip": "192.0.2.8"},
        ),
        (
            "md5",
            "d41d8cd98f00b204e9800998ecf8427e",
            {"malware.hash.md5": "d41d8cd98f00b204e9800998ecf8427e"},
        ),
        ("sha1", "a" * 40, {"malware.hash.sha1": "a" * 40}),
        ("sha256", "b" * 64, {"malware.hash.sha256": "b" * 64}),
        (
            "filename|sha1",
            "x.exe|" + "a" * 40,
            {"extra.file_name": "x.exe", "malware.hash.sha1": "a" * 40},
        ),
        ("AS", "64496", {"source.asn": "64496"}),
        ("email-src", "sender@example.net", {"source.account": "sender@example.net"}),
    ],
)
def test_attribute_types_map_to_fields(kind: str, value: str, want: dict[str, str]) -> None:
    """Each mapped MISP type fills its fields, and only those (plus the row's context)."""
    fields = only_fields(event(attribute(kind, value)))
    observed = {k: v for k, v in fields.items() if not k.startswith(("misp.", "extra.misp."))}
    observed.pop("event_description.text")
    observed.pop("time.source")
    assert observed == want
    assert fields["extra.misp.type"] == kind


def test_email_addresses_go_nowhere_but_the_senders_account() -> None:
    """Personal data: a sender is only source.account; recipients are quarantined, not mapped."""
    sender = only_fields(event(attribute("email-src", "jane.doe@example.net")))
    holding = [name for name, value in sender.items() if "jane.doe" in str(value)]
    assert holding == ["source.account"]
    for kind in ("email-dst", "email"):
        (record,) = records(event(attribute(kind, "jane.doe@example.net")))
        assert record.fields is None
        assert record.error is not None
        assert f"MISP attribute type {kind!r} has no field" in record.error
        assert "personal data" in record.error


@pytest.mark.parametrize("kind", ["link", "text", "sha512", "filename", "mutex", "regkey", "port"])
def test_unmapped_types_are_quarantined_by_name(kind: str) -> None:
    """An attribute type without a field is a quarantined row that names the type."""
    (record,) = records(event(attribute(kind, "something")))
    assert record.fields is None
    assert record.error is not None
    assert record.error.startswith(f"MISP attribute type {kind!r} has no field in the event model")


def test_context_fields_of_a_row() -> None:
    """UUIDs, the creator organisation, the title, the comment and the attribute's time."""
    document = event(
        attribute("ip-dst", "192.0.2.1", comment="seen at 06:00", timestamp="1714550400"),
        Orgc={"name": "EXAMPLE-CERT", "uuid": "5f0c2b3a-2222-4c2d-9e7f-000000000002"},
        Org={"name": "THE-HOST-INSTANCE"},
    )
    fields = only_fields(document)
    assert fields["misp.event_uuid"] == EVENT_UUID
    assert fields["misp.attribute_uuid"] == "5f0c2b3a-0000-4c2d-9e7f-0000000000aa"
    assert fields["feed.provider"] == "EXAMPLE-CERT"
    assert fields["event_description.text"] == "Test event"
    assert fields["comment"] == "seen at 06:00"
    assert fields["time.source"] == "1714550400"


def test_time_falls_back_to_the_event_date() -> None:
    """Without an attribute timestamp, time.source is the event's date (midnight UTC)."""
    (good,) = run("e.json", orjson.dumps(event(attribute("ip-dst", "192.0.2.1")))).events
    assert good["time.source"] == "2024-05-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("event_tags", "object_tags", "attribute_tags", "want"),
    [
        ([], [], [], None),
        (["tlp:green"], [], [], "GREEN"),
        (["tlp:green"], [], ["tlp:clear"], "GREEN"),
        (["tlp:white"], [], ["tlp:amber"], "AMBER"),
        (["tlp:green"], ["tlp:red"], ["tlp:clear"], "RED"),
        (["TLP:AMBER+STRICT"], [], ["tlp:amber"], "AMBER+STRICT"),
        (["tlp:ex:chr", "tlp:unclear"], [], [], None),
    ],
)
def test_most_restrictive_tlp_tag_wins(
    event_tags: list[str], object_tags: list[str], attribute_tags: list[str], want: str | None
) -> None:
    """TLP tags on the event, object and attribute: the most restrictive wins; none → unset."""
    inner = attribute("domain", "a.example.com", Tag=tags(*attribute_tags))
    document = event(
        Tag=tags(*event_tags),
        Object=[{"name": "x", "Tag": tags(*object_tags), "Attribute": [inner]}],
    )
    assert only_fields(document).get("tlp") == want


@pytest.mark.parametrize(
    ("event_tags", "attribute_tags", "to_ids", "category", "want"),
    [
        (['rsit:fraud="phishing"'], [], False, "Network activity", "phishing"),
        (['rsit:fraud="phishing"'], ['rsit:malicious-code="c2-server"'], False, None, "c2-server"),
        (['ecsirt:malicious-code="c&c"'], [], False, None, "c2-server"),
        (['ecsirt:malicious-code="botnet-drone"'], [], False, None, "infected-system"),
        (
            ['rsit:fraud="phishing"', 'rsit:abusive-content="spam"'],
            [],
            True,
            "Network activity",
            "blacklist",
        ),
        (['rsit:other="not-a-type"'], [], False, "Network activity", None),
        ([], [], True, "Network activity", "blacklist"),
        ([], [], True, "Payload delivery", "blacklist"),
        ([], [], True, "Targeting data", None),
        ([], [], False, "Network activity", None),
    ],
)
def test_classification_from_tags_then_category_and_to_ids(
    event_tags: list[str],
    attribute_tags: list[str],
    to_ids: bool,
    category: str | None,
    want: str | None,
) -> None:
    """The nearest unambiguous RSIT tag, else to_ids in a malicious category, else nothing."""
    inner = attribute("domain", "a.example.com", Tag=tags(*attribute_tags), to_ids=to_ids)
    if category:
        inner["category"] = category
    fields = only_fields(event(inner, Tag=tags(*event_tags)))
    assert fields.get("classification.type") == want


def test_a_listed_file_hash_is_malware() -> None:
    """Without a tag, a hash marked for detection in a payload category is of type malware."""
    inner = attribute("sha256", "c" * 64, category="Artifacts dropped", to_ids=True)
    assert only_fields(event(inner))["classification.type"] == "malware"


def test_normalised_type_without_any_hint_is_undetermined() -> None:
    """An attribute nobody classified ends up ``undetermined`` after normalisation."""
    (good,) = run("e.json", orjson.dumps(event(attribute("ip-dst", "192.0.2.1")))).events
    assert good["classification.type"] == "undetermined"


@pytest.mark.parametrize(
    ("event_tags", "attribute_tags", "want"),
    [
        (['misp-galaxy:malpedia="Emotet"'], [], "Emotet"),
        (["malware:examplebot"], [], "examplebot"),
        (['malware:"Example Bot"'], [], "Example Bot"),
        (['misp-galaxy:malpedia="Emotet"'], ["malware:qakbot"], "qakbot"),
        (['misp-galaxy:malpedia="Emotet"', 'misp-galaxy:malpedia="QakBot"'], [], None),
        (['misp-galaxy:threat-actor="APT Example"'], [], None),
    ],
)
def test_malware_name_from_tags(
    event_tags: list[str], attribute_tags: list[str], want: str | None
) -> None:
    """Malpedia galaxy or malware: tags name the malware; two names on one level name none."""
    inner = attribute("domain", "a.example.com", Tag=tags(*attribute_tags))
    assert only_fields(event(inner, Tag=tags(*event_tags))).get("malware.name") == want


def test_raw_is_the_attribute_without_its_sample() -> None:
    """``raw`` is the attribute's compact JSON; a malware sample's base64 data is left out."""
    sample = attribute("malware-sample", "x.exe|" + "d" * 32, data="UEsDBBQAAAAIAA==")
    plain = attribute("ip-dst", "192.0.2.1", comment="c")
    first, second = records(event(sample, plain))
    assert "data" not in orjson.loads(first.raw)
    assert first.error is not None
    assert orjson.loads(second.raw) == plain


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"", "not valid JSON"),
        (b"\x00\x01binary", "not valid JSON"),
        (b'"a string"', "not a MISP event but a string"),
        (b'{"response": {"Attribute": []}}', "a MISP REST answer without a list of events"),
        (
            b'{"Event": {"info": "x", "uuid": "u", "Object": {"a": 1}}}',
            "Object is an object, not a list",
        ),
    ],
)
def test_what_is_no_event_is_one_quarantined_record(document: bytes, reason: str) -> None:
    """A document that is not JSON or not a MISP event is one record at line 1 with the reason."""
    (record,) = records(document)
    assert record.line == 1
    assert record.fields is None
    assert record.error is not None
    assert record.error.startswith(reason)


def test_an_event_without_attributes_has_no_rows() -> None:
    """An event with neither attributes nor objects yields nothing (not an error)."""
    assert records({"Event": {"uuid": EVENT_UUID, "info": "empty"}}) == []


PREFIXES = (
    b"",
    b"[",
    b"{",
    b'{"Event": {"info": "x", "uuid": "u", "Attribute": [',
    b'{"response": [',
)


@settings(max_examples=300, database=None)
@given(
    data=st.tuples(
        st.sampled_from(PREFIXES), st.binary(max_size=300) | st.text(max_size=300).map(str.encode)
    ).map(b"".join)
)
def test_no_bytes_make_the_parser_raise(data: bytes) -> None:
    """Whatever the bytes, the parser yields records with fields or a reason, never raises."""
    for record in records(data):
        assert (record.fields is None) == (record.error is not None)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, database=None)
@given(
    body=st.fixed_dictionaries(
        {"info": json_values, "uuid": json_values},
        optional={
            "Attribute": st.lists(
                st.fixed_dictionaries(
                    {"type": st.sampled_from(["ip-dst", "domain|ip", "url", "AS"]) | json_values},
                    optional={
                        "value": json_values,
                        "Tag": json_values,
                        "timestamp": json_values,
                        "deleted": json_values,
                    },
                )
                | json_values,
                max_size=4,
            )
            | json_values,
            "Object": json_values,
            "Tag": json_values,
            "Orgc": json_values,
            "date": json_values,
        },
    )
)
def test_no_event_shape_makes_the_parser_raise(body: dict[str, Any]) -> None:
    """Odd values anywhere in an event (wrong kinds, nulls, nesting) give reasons, not crashes."""
    for record in records({"Event": body}):
        assert (record.fields is None) == (record.error is not None)


# --- feed directories ------------------------------------------------------------------------


def pymisp_feed(directory: Path, *names: str) -> None:
    """A feed directory as PyMISP's feed generator makes it from the given sample events."""
    for name in names:
        uuid = orjson.loads((SAMPLES / name).read_bytes())["Event"]["uuid"]
        shutil.copy(SAMPLES / name, directory / f"{uuid}.json")
    feed_meta_generator(directory)


def test_feed_files_lists_what_the_manifest_names(tmp_path: Path) -> None:
    """A feed written by PyMISP's generator: every listed event file, then parsed one by one."""
    pymisp_feed(tmp_path, "event.json")
    files = feed_files(tmp_path)
    assert files == [tmp_path / f"{EVENT_UUID}.json"]
    batch = run(files[0])
    assert {e["misp.event_uuid"] for e in batch.events} == {EVENT_UUID}


def test_feed_files_names_a_missing_event_file(tmp_path: Path) -> None:
    """An event file the manifest lists but the directory lacks is an error naming it."""
    pymisp_feed(tmp_path, "event.json")
    (tmp_path / f"{EVENT_UUID}.json").unlink()
    with pytest.raises(InputUnreadable, match=f"{EVENT_UUID}.json"):
        feed_files(tmp_path)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "manifest.json"),
        (b"{not json", "not valid JSON"),
        (b"[]", "expected an object keyed by event UUID"),
        (b'{"../../etc/passwd": {}}', "is not an event UUID"),
    ],
)
def test_feed_files_refuses_a_bad_manifest(
    tmp_path: Path, manifest: bytes | None, message: str
) -> None:
    """No manifest, a broken one or a key that is not a UUID (a path outside) is an error."""
    if manifest is not None:
        (tmp_path / "manifest.json").write_bytes(manifest)
    with pytest.raises(InputUnreadable, match=message):
        feed_files(tmp_path)
