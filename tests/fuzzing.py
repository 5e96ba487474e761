"""Feeding every parser bytes it was never meant to read: the recorded samples of each feed,
mutated, and what the whole pipeline (parse to the store's rows, no store) makes of them.

Shared by the parser fuzz tests (a small, fixed budget) and ``bench/fuzz.py`` (a long run).
"""

from __future__ import annotations

import random
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from tocsin.model.fields import sanitize
from tocsin.pipeline.parsers import all_parsers
from tocsin.pipeline.runner import Job, Plan, make_plan, process
from tocsin.services.ingest import load_mapping
from tocsin.store.rows import event_from_data

SAMPLES = Path(__file__).resolve().parent / "samples"
OBSERVED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# feed → (samples folder, file name prefix, mapping file for the generic feeds)
FEEDS: dict[str, tuple[str, str, str | None]] = {
    "shadowserver": ("shadowserver", "", None),
    "urlhaus": ("abusech", "urlhaus", None),
    "feodotracker": ("abusech", "feodotracker", None),
    "threatfox": ("abusech", "threatfox", None),
    "spamhaus-drop": ("spamhaus", "", None),
    "openphish": ("phishing", "openphish", None),
    "phishtank": ("phishing", "phishtank", None),
    "blocklistde": ("blocklists", "blocklistde", None),
    "dshield": ("blocklists", "dshield", None),
    "intelmq": ("intelmq", "", None),
    "misp": ("misp", "", None),
    "stix": ("stix", "", None),
    "generic-csv": ("generic", "honeypot", "honeypot.toml"),
    "generic-jsonl": ("generic", "sensor", "sensor.toml"),
}

# What breaks parsers: delimiters, quotes, line ends, NUL and other controls, numbers too large,
# addresses and networks with junk, text that is no UTF-8, and deep nesting.
TOKENS: tuple[bytes, ...] = (
    b",",
    b'"',
    b"\t",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\x1b[31m",
    b"\x85",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"#",
    b"abc",
    b"99999999999999999999",
    b"-99999999999999999999",
    b"1e400",
    b"NaN",
    b"203.0.113.0/24x",
    b"198.51.100.99x",
    b"fe80::1%eth0",
    b"::ffff:192.0.2.1",
    b"AS99999999999",
    b"0",
    b"-1",
    b"null",
    b"true",
    b"[]",
    b"{}",
    b'"\\ud800"',
    b"[" * 300,
    b'{"a":' * 100,
    b"http://[::1",
    b"hxxp://x..example/",
    b"9999-99-99 99:99:99",
    b"1970-01-01 00:00:00",
    b"x" * 70_000,
)


def feeds() -> list[str]:
    """Every feed in the registry (a test fails when one has no samples here)."""
    return list(all_parsers())


@cache
def samples(feed: str) -> tuple[tuple[str, bytes], ...]:
    """The recorded samples of a feed: (file name, bytes)."""
    folder, prefix, _ = FEEDS[feed]
    found = []
    for path in sorted((SAMPLES / folder).iterdir()):
        if path.name.endswith(".expected.json") or path.suffix == ".toml":
            continue
        if path.name.startswith(prefix):
            found.append((path.name, path.read_bytes()))
    return tuple(found)


def all_samples() -> list[tuple[str, str]]:
    """(feed, sample file name) for every sample of every feed."""
    return [(feed, name) for feed in feeds() for name, _ in samples(feed)]


def sample(feed: str, name: str) -> bytes:
    return dict(samples(feed))[name]


@cache
def plan_for(feed: str) -> Plan:
    """The pipeline of one feed (with its mapping for a generic feed), at a fixed time."""
    folder, _, mapping = FEEDS[feed]
    options = load_mapping(SAMPLES / folder / mapping) if mapping else None
    return make_plan(feed, constituents=[], asn_ranges=[], options=options, clock=lambda: OBSERVED)


_VALUE = re.compile(rb'[^",\t\r\n:\[\]{}]+')


def every_row(data: bytes, token: bytes, column: int, keep: int = 1, copies: int = 8) -> bytes:
    """``data`` with one value of each row (between delimiters, quotes or JSON punctuation)
    replaced by ``token``: the ``column``-th in the first row, the next one in the next, and so on.
    The first ``keep`` lines that are no comment (a header) stay as they are; the rows are
    repeated ``copies`` times, each copy a column further, so that one input puts the token in
    every column of a small table."""
    lines = data.splitlines(keepends=True)
    head: list[bytes] = []
    while lines and (keep > 0 or lines[0].lstrip().startswith(b"#")):
        if not lines[0].lstrip().startswith(b"#"):
            keep -= 1
        head.append(lines.pop(0))
    body: list[bytes] = []
    for copy in range(copies):
        for number, line in enumerate(lines):
            spans = [m.span() for m in _VALUE.finditer(line)]
            if spans:
                start, end = spans[(column + copy + number) % len(spans)]
                line = line[:start] + token + line[end:]
            body.append(line if line.endswith(b"\n") else line + b"\n")
    return b"".join(head + body)


def mutate(data: bytes, rng: random.Random, steps: int) -> bytes:
    """``data`` with ``steps`` random edits: tokens inserted or put in place of a span, bytes
    flipped, spans cut or repeated, the text truncated."""
    buffer = bytearray(data)
    for _ in range(steps):
        where = rng.randrange(len(buffer) + 1)
        span = rng.randrange(1, 40)
        choice = rng.randrange(6)
        if choice == 0:
            buffer[where:where] = rng.choice(TOKENS)
        elif choice == 1:
            buffer[where : where + span] = rng.choice(TOKENS)
        elif choice == 2 and buffer:
            spot = min(where, len(buffer) - 1)
            buffer[spot] = rng.randrange(256)
        elif choice == 3:
            del buffer[where : where + span]
        elif choice == 4:
            buffer[where:where] = buffer[where : where + span * 4]
        else:
            del buffer[where:]
    return bytes(buffer)


@dataclass(slots=True)
class Counts:
    """What the pipeline made of some input; ``read`` is always the sum of the other three."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    parser_failures: int = 0

    def add(self, other: Counts) -> None:
        self.read += other.read
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.parser_failures += other.parser_failures


def pipeline(feed: str, name: str, data: bytes) -> Counts:
    """Run ``data`` (as a file called ``name``) through every stage of ``feed``'s pipeline up to
    the store's rows; check that each row read ends accepted, duplicate or quarantined, and that
    every value of every event is its field's canonical value."""
    plan = plan_for(feed)
    counts = Counts()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        for chunk in process(plan, [Job(str(path), str(path), OBSERVED)]):
            assert chunk.error is None, chunk.error
            assert chunk.read == len(chunk.rows) + chunk.duplicates + len(chunk.quarantined)
            counts.read += chunk.read
            counts.accepted += len(chunk.rows)
            counts.duplicates += chunk.duplicates
            counts.quarantined += len(chunk.quarantined)
            counts.parser_failures += sum(
                1 for row in chunk.quarantined if row[5].startswith("parser failed")
            )
            for row in chunk.rows:
                assert_canonical(event_from_data(row[-1]))
    return counts


def assert_canonical(event: dict[str, Any]) -> None:
    """Every stored value is what its field's sanitiser makes of it."""
    for name, value in event.items():
        assert sanitize(name, value) == value, (name, value)
