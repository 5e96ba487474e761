"""docs/intelmq-compatibility.md is read, not trusted: each of its tables names a Tocsin feed and
a recorded sample, and every row's Tocsin column holds for the events that feed makes of it.
A row where Tocsin and IntelMQ differ must give its reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tocsin.pipeline.parsers import get_parser
from tocsin.pipeline.parsers.base import Source
from tocsin.pipeline.parsers.blocklists import BLOCKLISTDE_LISTS
from tocsin.pipeline.stages.batch import FeedContext
from tocsin.pipeline.stages.normalize import normalize

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "intelmq-compatibility.md"
HEADING = re.compile(r"^Tocsin feed `(?P<feed>[\w-]+)`, sample `(?P<sample>[^`]+)`")
LITERAL = re.compile(r"^`(?P<value>[^`]*)`$")
ABSENT = "—"


@dataclass(frozen=True)
class Row:
    feed: str
    sample: str
    field: str
    intelmq: str
    tocsin: str
    reason: str

    @property
    def id(self) -> str:
        return f"{self.feed}:{Path(self.sample).name}:{self.field}"


@cache
def rows() -> tuple[Row, ...]:
    """Every row of every table of the page, with the feed and sample its table is about."""
    found: list[Row] = []
    current: tuple[str, str] | None = None
    for line in DOC.read_text("utf-8").splitlines():
        if heading := HEADING.match(line):
            current = (heading["feed"], heading["sample"])
        elif line.startswith("| `") and current is not None:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            field, intelmq, tocsin, reason = cells
            found.append(Row(*current, field.strip("`"), intelmq, tocsin, reason))
    return tuple(found)


@cache
def events(feed: str, sample: str) -> tuple[dict[str, Any], ...]:
    parser = get_parser(feed)
    ctx = FeedContext(
        feed=feed,
        file=Path(sample).name,
        observed="2024-05-05T00:00:00+00:00",
        provider=parser.provider,
        default_type=parser.default_type,
        default_tlp=parser.default_tlp,
    )
    batch = normalize(parser().parse(Source(ROOT / sample)), ctx)
    assert batch.events, f"{sample} gives no event"
    return tuple(batch.events)


def test_the_page_has_a_table_for_each_feed_intelmq_also_parses() -> None:
    """Every Tocsin feed that has an IntelMQ counterpart has its table on the page."""
    feeds = {row.feed for row in rows()}
    assert feeds >= {
        "spamhaus-drop",
        "dshield",
        "feodotracker",
        "openphish",
        "phishtank",
        "blocklistde",
        "urlhaus",
    }


@pytest.mark.parametrize("row", rows(), ids=lambda row: row.id)
def test_each_row_holds_for_the_feeds_events(row: Row) -> None:
    """A value in backticks is every event's value; "—" is a field no event has; any other
    text names the input a field comes from, and some event has that field."""
    made = events(row.feed, row.sample)
    if literal := LITERAL.match(row.tocsin):
        assert {str(e.get(row.field)) for e in made} == {literal["value"]}
    elif row.tocsin == ABSENT:
        assert not [e for e in made if row.field in e]
    else:
        assert any(row.field in e for e in made)


@pytest.mark.parametrize("row", rows(), ids=lambda row: row.id)
def test_a_difference_from_intelmq_gives_its_reason(row: Row) -> None:
    """Where Tocsin's column differs from IntelMQ's the row says why; where they agree, it
    needs no reason."""
    assert bool(row.reason) == (row.intelmq != row.tocsin)


def test_intelmqs_own_openphish_lines_are_events() -> None:
    """IntelMQ's OpenPhish test lines, whose hosts have an empty label (browsers accept them),
    are events with the URL as given and no source.fqdn, as IntelMQ makes them."""
    data = b"http://www..example.com/phishing\nhttp://www..example.invalid/phishing\n"
    parser = get_parser("openphish")
    ctx = FeedContext(feed="openphish", file="feed.txt", observed="2024-05-05T00:00:00+00:00")
    batch = normalize(parser().parse(Source("feed.txt", data)), ctx)
    assert batch.quarantined == []
    assert [(e["source.url"], e.get("source.fqdn")) for e in batch.events] == [
        ("http://www..example.com/phishing", None),
        ("http://www..example.invalid/phishing", None),
    ]


# IntelMQ's blocklist.de MAPPING (blocklistde/parser.py): list → (type, application, text)
INTELMQ_BLOCKLISTDE = {
    "all": ("blacklist", "", ""),
    "ssh": ("ids-alert", "ssh", "IP reported as having run attacks on the service SSH"),
    "mail": ("ids-alert", "smtp", "IP reported as having run attacks on the service Mail, Postfix"),
    "apache": (
        "ids-alert",
        "http",
        "IP reported as having run attacks on the service Apache, Apache-DDoS, RFI-Attacks",
    ),
    "imap": (
        "ids-alert",
        "imap",
        "IP reported as having run attacks on the service IMAP, SASL, POP3",
    ),
    "ftp": ("ids-alert", "ftp", "IP reported as having run attacks on the service FTP"),
    "sip": (
        "ids-alert",
        "sip",
        "IP reported as having run attacks on the service SIP, VOIP, Asterisk",
    ),
    "bots": (
        "spam",
        "",
        "IP reported as having spammed on IRC, open forums, wikis or registration forms.",
    ),
    "strongips": ("blacklist", "", "IP reported as having run attacks in last 2 months"),
    "ircbot": ("infected-system", "irc", ""),
    "bruteforcelogin": (
        "brute-force",
        "",
        "IP reported as having run attacks on Joomlas, Wordpress and other Web-Logins "
        "with Brute-Force Logins",
    ),
}
# what the page says Tocsin does otherwise, and why
DIFFERENT = {("ssh", 0)}  # brute-force: the reason is in the blocklist.de table
DESCRIBED_ONLY_BY_TOCSIN = {"all", "ircbot"}


def test_blocklistde_lists_follow_intelmqs_mapping() -> None:
    """Each blocklist.de list has IntelMQ's type, application and text, but for the
    differences the page gives (the SSH list's type, a text where IntelMQ has none)."""
    assert set(BLOCKLISTDE_LISTS) == set(INTELMQ_BLOCKLISTDE)
    for name, theirs in INTELMQ_BLOCKLISTDE.items():
        ours = BLOCKLISTDE_LISTS[name]
        for index, (mine, intelmq) in enumerate(zip(ours, theirs, strict=True)):
            if (name, index) in DIFFERENT or (index == 2 and name in DESCRIBED_ONLY_BY_TOCSIN):
                assert mine != intelmq
            else:
                assert mine == intelmq, (name, index)


def test_feodo_trackers_source_time_is_the_one_the_page_gives() -> None:
    """The page says Tocsin takes last_online (at midnight) before first_seen, where IntelMQ
    takes first_seen: a C2 seen first on 29 April and online on 1 May is dated 1 May."""
    (row,) = [r for r in rows() if r.feed == "feodotracker" and r.field == "time.source"]
    assert row.tocsin.startswith("column `last_online` at midnight")
    assert row.intelmq.startswith("column `first_seen`")
    by_ip = {e["source.ip"]: e for e in events(row.feed, row.sample)}
    assert by_ip["192.0.2.66"]["time.source"] == "2024-05-01T00:00:00+00:00"
    assert by_ip["192.0.2.66"]["extra.first_seen"] == "2024-04-29 11:02:13"
    assert by_ip["203.0.113.9"]["time.source"] == "2024-04-20T07:45:00+00:00"
