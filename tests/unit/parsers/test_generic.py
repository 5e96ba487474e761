"""The generic parsers: CSV and JSON-lines feeds mapped by a TOML mapping file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.errors import ConfigError
from tocsin.pipeline.parsers import FAMILIES, generic
from tocsin.pipeline.parsers.base import Parser, Source
from tocsin.pipeline.parsers.generic import GenericCsvParser, GenericJsonlParser
from tocsin.pipeline.stages.batch import FeedContext
from tocsin.pipeline.stages.normalize import normalize

SAMPLES = Path(__file__).parents[2] / "samples" / "generic"
DEMO = Path(__file__).parents[3] / "src" / "tocsin" / "demo"
OBSERVED = "2024-05-02T00:00:00+00:00"
MINIMAL = {"columns": {"ip": "source.ip"}}


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


def mapping(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text())


def text(data: str, name: str = "feed.csv") -> Source:
    return Source(name, data=data.encode())


def fields_of(parser: Parser, data: str) -> list[dict[str, Any] | None]:
    return [record.fields for record in parser.parse(text(data))]


@pytest.mark.parametrize(
    ("parser", "mapping_file", "stem"),
    [
        (GenericCsvParser, "honeypot.toml", "honeypot.csv"),
        (GenericCsvParser, "honeypot.toml", "honeypot-broken.csv"),
        (GenericCsvParser, "honeypot.toml", "honeypot-missing-column.csv"),
        (GenericJsonlParser, "sensor.toml", "sensor.jsonl"),
        (GenericJsonlParser, "sensor.toml", "sensor-broken.jsonl"),
    ],
)
def test_recorded_sample(parser: type[Parser], mapping_file: str, stem: str) -> None:
    """A recorded input with its mapping normalises to exactly the recorded outcome."""
    path = SAMPLES / stem
    expected = orjson.loads(path.with_name(path.stem + ".expected.json").read_bytes())
    got = run(parser(mapping(SAMPLES / mapping_file)), Source(path))
    assert got["events"] == expected["events"]
    assert got["quarantined"] == expected["quarantined"]
    assert got["read"] == len(expected["events"]) + len(expected["quarantined"])


def test_registered_under_their_feed_names() -> None:
    """The family is in the registry and lists ``generic-csv`` and ``generic-jsonl``."""
    assert "generic" in FAMILIES
    assert [p.name for p in generic.PARSERS] == ["generic-csv", "generic-jsonl"]


@pytest.mark.parametrize("parser", [GenericCsvParser, GenericJsonlParser])
@pytest.mark.parametrize("options", [None, {}])
def test_without_a_mapping_the_parser_asks_for_one(
    parser: type[Parser], options: dict[str, Any] | None
) -> None:
    """Building a generic parser without a mapping fails and names ``--mapping FILE``."""
    with pytest.raises(ConfigError, match="--mapping FILE"):
        parser(options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"columns": {"ip": "source.ipp"}},
            r"'source\.ipp' is not a field .*did you mean source\.ip",
        ),
        ({"columns": {"ip": "ip"}}, "'ip' is not a field of the event model"),
        ({"columns": {"ip": "extra."}}, "not a field of the event model"),
        ({"columns": {"t": "classification.taxonomy"}}, "derived from classification.type"),
        ({"columns": {"p": "tocsin.priority"}}, "set by Tocsin itself"),
        ({"columns": {}}, "maps no column"),
        ({"feed": {"name": "x"}}, "no \\[columns\\] table"),
        ({"columns": {"ip": 4}}, "expected a field name"),
        ({**MINIMAL, "constants": {"source.portt": 22}}, "did you mean source.port"),
        ({**MINIMAL, "constants": {"source.port": 70000}}, "port outside 0-65535"),
        ({**MINIMAL, "feed": {"type": "scaner"}}, r"\[feed\] type: not a type"),
        ({**MINIMAL, "feed": {"tlp": "PURPLE"}}, r"\[feed\] tlp: not a TLP label"),
        ({**MINIMAL, "feed": {"colour": "red"}}, r"\[feed\]: unknown key\(s\) colour"),
        ({**MINIMAL, "column": {"ip": "source.ip"}}, r"unknown key\(s\) column"),
        ({**MINIMAL, "csv": {"delimeter": ";"}}, r"\[csv\]: unknown key\(s\) delimeter"),
        ({**MINIMAL, "csv": {"delimiter": ";;"}}, "expected one character"),
        ({**MINIMAL, "csv": {"header": ["ip", "IP"]}}, "appears twice"),
        ({**MINIMAL, "csv": {"commented_header": True}}, "needs a comment prefix"),
        ({**MINIMAL, "keep_unmapped": "no"}, "keep_unmapped: expected true or false"),
        ({**MINIMAL, "empty": "-"}, "empty: expected a list of strings"),
        (
            {**MINIMAL, "constants": {"source.ip": "192.0.2.1"}},
            "a column is mapped to source.ip too",
        ),
        (
            {**MINIMAL, "feed": {"type": "scanner"}, "constants": {"classification.type": "spam"}},
            r"\[feed\] sets classification.type too",
        ),
        (
            {**MINIMAL, "values": {"classification.type": {"a": "scanner"}}},
            "no column is mapped to classification.type",
        ),
        (
            {
                "columns": {"ip": "source.ip", "kind": "classification.type"},
                "values": {"classification.type": {"knock": "knocking"}},
            },
            "not a type of the Reference Security Incident Taxonomy",
        ),
        ({"columns": {"IP": "source.ip", "ip": "source.ip"}}, "mapped twice"),
    ],
)
def test_a_bad_mapping_fails_before_any_row_is_read(options: dict[str, Any], message: str) -> None:
    """A mapping with an unknown field, key or bad constant raises ConfigError at construction."""
    with pytest.raises(ConfigError, match=message):
        GenericCsvParser(options)


def test_csv_table_is_refused_for_json_lines() -> None:
    """A ``[csv]`` table in a JSON-lines mapping is a mistake and says so."""
    with pytest.raises(ConfigError, match=r"\[csv\] table applies to generic-csv"):
        GenericJsonlParser({**MINIMAL, "csv": {"delimiter": ";"}})


def test_unquoted_dotted_keys_mean_the_dotted_name() -> None:
    """``protocol.transport = "tcp"`` unquoted in TOML works like the quoted key."""
    quoted = tomllib.loads(
        '[columns]\n"a.b" = "source.ip"\n[constants]\n"protocol.transport" = "tcp"\n'
    )
    bare = tomllib.loads('[columns]\na.b = "source.ip"\n[constants]\nprotocol.transport = "tcp"\n')
    line = '{"a": {"b": "192.0.2.7"}}'
    assert fields_of(GenericJsonlParser(quoted), line) == fields_of(GenericJsonlParser(bare), line)
    assert fields_of(GenericJsonlParser(bare), line) == [
        {"protocol.transport": "tcp", "source.ip": "192.0.2.7"}
    ]


def test_columns_match_by_header_name_not_position() -> None:
    """Reordering the CSV columns does not change the mapped fields."""
    parser = GenericCsvParser({"columns": {"IP": "source.ip", "Port": "source.port"}})
    one = fields_of(parser, "ip,port,note\n192.0.2.7,22,x\n")
    two = fields_of(parser, "note,PORT,Ip\nx,22,192.0.2.7\n")
    assert one == two == [{"source.ip": "192.0.2.7", "source.port": "22", "extra.note": "x"}]


def test_unmapped_columns_go_to_extra_with_safe_names() -> None:
    """Unmapped columns keep their value under extra.<column>, with the name made key-safe."""
    parser = GenericCsvParser(MINIMAL)
    got = fields_of(parser, "ip,First Seen,Tags/Labels,,?\n192.0.2.7,2024-05-01,a;b,x,y\n")
    assert got == [
        {"source.ip": "192.0.2.7", "extra.first_seen": "2024-05-01", "extra.tags_labels": "a;b"}
    ]


def test_keep_unmapped_false_drops_other_columns() -> None:
    """With ``keep_unmapped = false`` only mapped columns and constants reach the event."""
    parser = GenericCsvParser({**MINIMAL, "keep_unmapped": False})
    assert fields_of(parser, "ip,note\n192.0.2.7,x\n") == [{"source.ip": "192.0.2.7"}]


def test_empty_values_leave_the_default_in_place() -> None:
    """Empty cells and the mapping's ``empty`` markers are left out; feed defaults stay."""
    options = {
        "empty": ["-", "n/a"],
        "feed": {"type": "scanner"},
        "columns": {"ip": "source.ip", "kind": "classification.type", "port": "source.port"},
    }
    got = fields_of(GenericCsvParser(options), "ip,kind,port,note\n192.0.2.7,-, ,n/a\n")
    assert got == [{"classification.type": "scanner", "source.ip": "192.0.2.7"}]


def test_feed_table_fills_feed_fields_on_every_row() -> None:
    """``[feed]`` sets feed.name, provider, type and TLP of each event unless a column does."""
    options = {
        "feed": {
            "name": "example-feed",
            "provider": "Example Org",
            "type": "scanner",
            "tlp": "WHITE",
        },
        "columns": {"ip": "source.ip", "kind": "classification.type"},
    }
    got = run(GenericCsvParser(options), text("ip,kind\n192.0.2.7,\n192.0.2.8,brute-force\n"))
    first, second = got["events"]
    assert (first["feed.name"], first["feed.provider"], first["tlp"]) == (
        "example-feed",
        "Example Org",
        "CLEAR",
    )
    assert first["classification.type"] == "scanner"
    assert second["classification.type"] == "brute-force"


def test_values_table_translates_as_text() -> None:
    """``[values.<field>]`` replaces known values (numbers compared as text) and passes others."""
    options = {
        "columns": {"ip": "source.ip", "sev": "severity"},
        "values": {"severity": {"1": "high", "2": "low"}},
    }
    got = fields_of(
        GenericJsonlParser(options),
        '{"ip": "192.0.2.7", "sev": 1}\n'
        '{"ip": "192.0.2.8", "sev": "2"}\n'
        '{"ip": "192.0.2.9", "sev": 9}',
    )
    assert [f["severity"] for f in got if f] == ["high", "low", 9]


def test_headerless_tsv_with_header_option() -> None:
    """``[csv] header`` names the columns of a file without a header row; tabs split them."""
    options = {
        "csv": {"delimiter": "\t", "header": ["ip", "when"], "comment": ";"},
        "columns": {"ip": "source.ip", "when": "time.source"},
    }
    got = fields_of(GenericCsvParser(options), "; a comment\n192.0.2.7\t2024-05-01 00:00:00\n")
    assert got == [{"source.ip": "192.0.2.7", "time.source": "2024-05-01 00:00:00"}]


def test_commented_header_names_the_columns() -> None:
    """With ``commented_header`` the last comment line holding delimiters names the columns."""
    options = {"csv": {"comment": "#", "commented_header": True}, "columns": MINIMAL["columns"]}
    got = fields_of(GenericCsvParser(options), "# a feed\n# id,ip\n1,192.0.2.7\n")
    assert got == [{"source.ip": "192.0.2.7", "extra.id": "1"}]


def test_json_keys_reach_into_nested_objects() -> None:
    """Dotted column names read nested JSON; unmapped nested keys become dotted extra names."""
    options = {"columns": {"src.ip": "source.ip", "geo": "extra.geo"}}
    got = fields_of(
        GenericJsonlParser(options),
        '{"src": {"ip": "192.0.2.7", "asn": 64500}, "geo": {"cc": "NL"}, "tags": ["a"], "x": null}',
    )
    assert got == [
        {
            "source.ip": "192.0.2.7",
            "extra.src.asn": 64500,
            "extra.geo": {"cc": "NL"},
            "extra.tags": ["a"],
        }
    ]


def test_missing_json_key_is_an_empty_value() -> None:
    """A mapped key absent from a JSON object is simply not set; the row is not an error."""
    options = {"columns": {"ip": "source.ip", "port": "source.port"}}
    assert fields_of(GenericJsonlParser(options), '{"ip": "192.0.2.7"}') == [
        {"source.ip": "192.0.2.7"}
    ]


@pytest.mark.parametrize(
    ("feed_file", "parser"),
    [
        ("generic-honeypot.csv", GenericCsvParser),
        ("generic-sensor-alerts.jsonl", GenericJsonlParser),
    ],
)
def test_demo_file_loads_cleanly_with_its_mapping(feed_file: str, parser: type[Parser]) -> None:
    """Each generic demo feed, with the mapping of the same stem, normalises without quarantine."""
    path = DEMO / "feeds" / feed_file
    got = run(parser(mapping(DEMO / "mappings" / f"{path.stem}.toml")), Source(path))
    assert got["quarantined"] == []
    assert 20 <= len(got["events"]) <= 150
    assert all(e["time.source"].startswith("2026-11") for e in got["events"])
    assert len({e["classification.type"] for e in got["events"]}) > 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text().filter(lambda t: "\n" not in t and "\r" not in t), max_size=6))
def test_any_csv_text_line_is_one_record(texts: list[str]) -> None:
    """Arbitrary text lines never make the CSV parser raise; each non-blank one is one record."""
    options = {
        "csv": {"header": ["ip", "port"]},
        "columns": {"ip": "source.ip", "port": "source.port"},
    }
    source = text("\n".join(texts))
    records = list(GenericCsvParser(options).parse(source))
    assert [r.line for r in records] == [n for n, t in enumerate(texts, start=1) if t.strip()]
    assert all((r.fields is None) != (r.error is None) for r in records)
    got = run(GenericCsvParser(options), source)
    assert len(got["events"]) + len(got["quarantined"]) == len(records)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["ip", "a", "b"]) | st.text(), json_values), max_size=5
    )
)
def test_any_json_object_is_one_record(items: list[dict[str, Any]]) -> None:
    """Any JSON object per line gives exactly one record and normalising never raises."""
    options = {
        "columns": {"ip": "source.ip", "a.b": "source.port"},
        "values": {"source.port": {"x": 1}},
    }
    source = text("\n".join(orjson.dumps(i).decode() for i in items), "feed.jsonl")
    records = list(GenericJsonlParser(options).parse(source))
    assert [r.line for r in records] == list(range(1, len(items) + 1))
    got = run(GenericJsonlParser(options), source)
    assert len(got["events"]) + len(got["quarantined"]) == len(items)
