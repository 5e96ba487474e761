"""The blocklist.de and DShield block.txt parsers: recorded samples, list names, header forms."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.errors import ConfigError
from tocsin.model.taxonomy import classification_type
from tocsin.pipeline.parsers import get_parser
from tocsin.pipeline.parsers.base import Source
from tocsin.pipeline.parsers.blocklists import (
    BLOCKLISTDE_LISTS,
    BlocklistDe,
    DShieldBlock,
    blocklistde_list,
    dshield_time,
)
from tocsin.pipeline.stages.batch import Batch, FeedContext
from tocsin.pipeline.stages.normalize import normalize

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "blocklists"
OBSERVED = "2024-05-02T00:00:00+00:00"
TITLE = "Start\tEnd\tNetblock\tAttacks\tName\tCountry\temail\n"


def run(feed: str, path: Path | str, data: bytes | None = None, **options: str) -> Batch:
    parser = get_parser(feed)
    ctx = FeedContext(
        feed=feed,
        file=Path(path).name,
        observed=OBSERVED,
        provider=parser.provider,
        default_type=parser.default_type,
        default_tlp=parser.default_tlp,
    )
    return normalize(parser(options).parse(Source(path, data)), ctx)


@pytest.mark.parametrize(
    ("feed", "sample", "expected"),
    [
        ("blocklistde", "blocklistde-ssh.txt", "blocklistde-ssh.expected.json"),
        ("blocklistde", "blocklistde-bots.txt", "blocklistde-bots.expected.json"),
        ("blocklistde", "blocklistde-ssh-broken.txt", "blocklistde-ssh-broken.expected.json"),
        ("dshield", "dshield-block.txt", "dshield-block.expected.json"),
        ("dshield", "dshield-broken.txt", "dshield-broken.expected.json"),
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


def test_feeds_are_registered_as_public_lists() -> None:
    """Both feed names resolve to their parser with TLP CLEAR."""
    for name, parser in (("blocklistde", BlocklistDe), ("dshield", DShieldBlock)):
        assert get_parser(name) is parser
        assert parser.default_tlp == "CLEAR"


@pytest.mark.parametrize(
    ("file_name", "list_name"),
    [
        ("ssh.txt", "ssh"),
        ("blocklistde-ssh.txt", "ssh"),
        ("2026-11-03_bruteforcelogin.txt", "bruteforcelogin"),
        ("STRONGIPS.TXT", "strongips"),
        ("mail.txt.gz", "mail"),
        ("blocklistde.txt", "all"),
        ("export", "all"),
    ],
)
def test_list_name_comes_from_the_file_name(file_name: str, list_name: str) -> None:
    """The list is found in the file name, whatever prefix or date surrounds it; else ``all``."""
    assert blocklistde_list(file_name) == list_name


def test_every_list_has_a_valid_type() -> None:
    """Each list's classification type is an RSIT type the model accepts as it is."""
    for type_, _application, text in BLOCKLISTDE_LISTS.values():
        assert classification_type(type_) == type_
        assert text


def test_ssh_list_is_brute_force_over_ssh() -> None:
    """An SSH list row is brute-force, application ssh, in intrusion-attempts."""
    (event,) = run("blocklistde", "ssh.txt", b"192.0.2.31\n").events
    assert event["classification.type"] == "brute-force"
    assert event["classification.taxonomy"] == "intrusion-attempts"
    assert event["protocol.application"] == "ssh"


def test_list_option_overrides_the_file_name() -> None:
    """The ``list`` option names the list even when the file name says another."""
    (event,) = run("blocklistde", "ssh.txt", b"192.0.2.31\n", list="bots").events
    assert event["classification.type"] == "spam"
    assert "protocol.application" not in event


def test_unknown_list_option_is_a_config_error() -> None:
    """A ``list`` option that names no blocklist.de list is refused up front."""
    with pytest.raises(ConfigError, match=r"unknown blocklist\.de list 'sshd'"):
        BlocklistDe({"list": "sshd"}).parse(Source("ssh.txt", b"192.0.2.31\n"))


def test_unknown_file_name_reads_as_the_all_list() -> None:
    """A file that names no list is a blacklist, with no application."""
    (event,) = run("blocklistde", "download.txt", b"2001:db8::1\n").events
    assert event["classification.type"] == "blacklist"
    assert event["source.ip"] == "2001:db8::1"
    assert "protocol.application" not in event


def test_dshield_maps_by_title_names_in_any_order() -> None:
    """The 2018 ``Netmask`` title and a reordered, extended header are mapped by name."""
    data = (
        b"Country\tEmail\tStart\tNetmask\tEnd\tName\tAttacks\tNote\n"
        b"NL\tabuse@example.net\t203.0.113.0\t24\t203.0.113.255\tEXAMPLE-NET\t12\tnew column\n"
    )
    (record,) = DShieldBlock().parse(Source("block.txt", data))
    assert record.fields == {
        "source.network": "203.0.113.0/24",
        "extra.attacks": 12,
        "source.geolocation.cc": "NL",
        "source.abuse_contact": "abuse@example.net",
        "extra.network_name": "EXAMPLE-NET",
        "extra.note": "new column",
    }


def test_dshield_without_title_row_uses_the_legend() -> None:
    """A file without a title row is read in the order of the documented column legend."""
    data = b"# no title\n192.0.2.0\t192.0.2.255\t24\t7\tEXAMPLE\tNL\tabuse@example.net\n"
    (record,) = DShieldBlock().parse(Source("block.txt", data))
    assert record.line == 2
    assert record.fields is not None
    assert record.fields["source.network"] == "192.0.2.0/24"
    assert record.fields["extra.attacks"] == 7


def test_dshield_without_updated_comment_has_no_source_time() -> None:
    """Without ``# updated:`` the rows carry no time.source, only the observation time."""
    data = (TITLE + "192.0.2.0\t192.0.2.255\t24\t7\tEXAMPLE\tNL\tabuse@example.net\n").encode()
    (event,) = run("dshield", "block.txt", data).events
    assert "time.source" not in event
    assert event["time.observation"] == OBSERVED
    assert event["classification.type"] == "scanner"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        (" Wed May  1 06:00:15 2024 UTC", "2024-05-01T06:00:15+00:00"),
        ("Tue Nov 3 23:59:59 2026", "2026-11-03T23:59:59+00:00"),
    ],
)
def test_dshield_time(text: str, iso: str) -> None:
    """DShield's ctime-like stamp is read without the locale, as UTC."""
    assert dshield_time(text) == iso


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "Wed Mai 1 06:00:15 2024",
        "Wed May 1 25:00:00 2024 UTC",
        "Wed May 1 06:00:15 99999999999999999999 UTC",
    ],
)
def test_dshield_time_refuses_other_text(text: str) -> None:
    """Anything but a ctime-like stamp is a ValueError with the expected shape in the reason."""
    with pytest.raises(ValueError, match="not a time like"):
        dshield_time(text)


LINE_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=40)


@settings(database=None, max_examples=200)
@given(st.lists(LINE_TEXT, max_size=8))
def test_blocklistde_never_raises_and_keeps_every_row(lines: list[str]) -> None:
    """Any text gives one record per non-blank, non-comment line, and normalising never raises."""
    batch = run("blocklistde", "ssh.txt", "\n".join(lines).encode())
    expected = [t for t in lines if t.strip() and not t.strip().startswith("#")]
    assert batch.read == len(expected)
    assert len(batch.events) + len(batch.quarantined) == batch.read


@settings(database=None, max_examples=200)
@given(st.lists(LINE_TEXT, max_size=8))
def test_dshield_never_raises_and_keeps_every_row(lines: list[str]) -> None:
    """Any text after the title gives one record per non-blank, non-comment line."""
    batch = run("dshield", "block.txt", (TITLE + "\n".join(lines)).encode())
    expected = [t for t in lines if t.strip() and not t.lstrip().startswith("#")]
    assert batch.read == len(expected)
    assert len(batch.events) + len(batch.quarantined) == batch.read
