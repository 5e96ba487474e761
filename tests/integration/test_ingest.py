"""The whole pipeline into a real store (SQLite and PostgreSQL): counts, bad input, idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import fixed_now
from tests.desk import FakeClock
from tocsin.errors import ConfigError, UnknownFeed
from tocsin.model.constituent import Constituent
from tocsin.services.ingest import ingest
from tocsin.services.registry import import_asn_table, import_constituents
from tocsin.settings import Settings
from tocsin.store import EventFilter, Store

HEADER = (
    '"timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city","naics",'
    '"sector"\n'
)


def row(ip: str = "192.0.2.10", port: str = "23", ts: str = "2026-11-20 01:02:03") -> str:
    return f'"{ts}","{ip}","tcp","{port}","","telnet","64501","NL","","","0",""\n'


def write(
    tmp_path: Path, body: bytes | str, name: str = "2026-11-20-scan_telnet-nl-geo.csv"
) -> str:
    path = tmp_path / name
    path.write_bytes(body.encode() if isinstance(body, str) else body)
    return str(path)


def run(settings: Settings, store: Store, *paths: str, feed: str = "shadowserver") -> object:
    summary = ingest(settings, store, list(paths), feed, now=fixed_now)
    assert summary.read == summary.accepted + summary.duplicates + summary.quarantined
    return summary


def reasons(store: Store) -> list[tuple[int, str]]:
    return [(e.line, e.reason) for e in store.quarantine()]


def test_events_are_enriched_and_prioritised(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """A scan row on the parliament's network gets its constituent, sector, AS name and a raised
    priority; a row outside the constituency gets none and a lowered one."""
    demo = Path(__file__).resolve().parents[2] / "src" / "tocsin" / "demo"
    import_constituents(store, demo / "constituents.toml")
    import_asn_table(store, demo / "ip2asn.tsv")
    run(settings, store, write(tmp_path, HEADER + row("192.0.2.130") + row("203.0.114.1")))
    events = {e["source.ip"]: e for e in store.search(EventFilter()).events}
    parliament = events["192.0.2.130"]
    assert parliament["tocsin.constituent"] == "National Parliament"
    assert parliament["tocsin.sector"] == "parliament"
    assert parliament["source.as_name"] == "EXAMPLE-GOVNET Government Network"
    assert parliament["source.abuse_contact"] == "security@parliament.example"
    outsider = events["203.0.114.1"]
    assert "tocsin.constituent" not in outsider
    assert parliament["tocsin.priority"] < outsider["tocsin.priority"]  # "P2" < "P4"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder for the test's input files."""
    return tmp_path


def test_reingesting_the_same_file_stores_nothing_new(
    settings: Settings, store: Store, work: Path
) -> None:
    """The second run of one file counts every row as a duplicate and stores nothing."""
    path = write(work, HEADER + row("192.0.2.1") + row("192.0.2.2"))
    first = run(settings, store, path)
    second = run(settings, store, path)
    assert (first.accepted, first.duplicates) == (2, 0)  # type: ignore[attr-defined]
    assert (second.accepted, second.duplicates) == (0, 2)  # type: ignore[attr-defined]
    assert store.count_events() == 2


def test_one_bad_value_among_good_rows_is_quarantined_with_its_reason(
    settings: Settings, store: Store, work: Path
) -> None:
    """An invalid IP, timestamp and port each quarantine only their own row, naming the field."""
    body = (
        HEADER
        + row("192.0.2.1")
        + row("192.0.2.300")
        + row(ts="2026-13-45 99:00:00")
        + row(port="70000")
        + row("192.0.2.5")
    )
    summary = run(settings, store, write(work, body))
    assert (summary.accepted, summary.quarantined) == (2, 3)  # type: ignore[attr-defined]
    found = dict(reasons(store))
    assert "source.ip" in found[3] and "192.0.2.300" in found[3]
    assert "time.source" in found[4]
    assert "source.port" in found[5] and "70000" in found[5]


@pytest.mark.parametrize(
    ("body", "read"),
    [(b"", 0), (HEADER.encode(), 0)],
    ids=["empty file", "header only"],
)
def test_empty_inputs_read_nothing_and_fail_nothing(
    settings: Settings, store: Store, work: Path, body: bytes, read: int
) -> None:
    """An empty file or a header alone is read without error: no rows, nothing stored."""
    summary = run(settings, store, write(work, body))
    assert summary.read == read  # type: ignore[attr-defined]
    assert not summary.unreadable  # type: ignore[attr-defined]
    assert store.count_events() == 0


def test_truncated_last_line_is_quarantined(settings: Settings, store: Store, work: Path) -> None:
    """A file cut off in its last row keeps the good rows and quarantines the cut one."""
    body = HEADER + row("192.0.2.1") + '"2026-11-20 01:02:03","192.0.2.2","tc'
    summary = run(settings, store, write(work, body))
    assert (summary.accepted, summary.quarantined) == (1, 1)  # type: ignore[attr-defined]
    assert reasons(store)[0][0] == 3


def test_a_one_megabyte_line_is_quarantined_not_fatal(
    settings: Settings, store: Store, work: Path
) -> None:
    """A 1 MB line is quarantined with a reason; the rows around it are stored."""
    huge = '"2026-11-20 01:02:03","192.0.2.3","tcp","23","' + "x" * 1_000_000 + '"\n'
    summary = run(settings, store, write(work, HEADER + row("192.0.2.1") + huge + row("192.0.2.2")))
    assert (summary.accepted, summary.quarantined) == (2, 1)  # type: ignore[attr-defined]
    assert "longer than" in reasons(store)[0][1]


def test_latin1_bytes_in_a_utf8_feed_are_kept(settings: Settings, store: Store, work: Path) -> None:
    """A row with Latin-1 bytes is decoded as Latin-1 and stored, not lost."""
    latin = row("192.0.2.7").replace('"NL","",""', '"NL","","Zürich"').encode("latin-1")
    summary = run(settings, store, write(work, HEADER.encode() + latin))
    assert summary.accepted == 1  # type: ignore[attr-defined]
    (event,) = store.search(EventFilter()).events
    assert event["source.geolocation.city"] == "Zürich"


def test_binary_garbage_is_quarantined(settings: Settings, store: Store, work: Path) -> None:
    """Binary garbage between good rows is quarantined as binary; nothing else is lost."""
    garbage = bytes(range(256)) + b"\n"
    body = HEADER.encode() + row("192.0.2.1").encode() + garbage + row("192.0.2.2").encode()
    summary = run(settings, store, write(work, body))
    assert summary.accepted == 2  # type: ignore[attr-defined]
    assert summary.quarantined >= 1  # type: ignore[attr-defined]
    assert any("binary" in reason for _, reason in reasons(store))


def test_a_missing_column_quarantines_rows_naming_it(
    settings: Settings, store: Store, work: Path
) -> None:
    """A scan report without its ip column quarantines each row with a reason naming ip."""
    body = '"timestamp","protocol","port"\n"2026-11-20 01:02:03","tcp","23"\n'
    summary = run(settings, store, write(work, body))
    assert summary.quarantined == 1  # type: ignore[attr-defined]
    assert "ip" in reasons(store)[0][1]


def test_a_wrong_feed_name_is_refused_clearly(settings: Settings, store: Store, work: Path) -> None:
    """An unknown feed name raises UnknownFeed listing the feeds Tocsin knows."""
    with pytest.raises(UnknownFeed, match="shadowserver"):
        ingest(settings, store, [write(work, HEADER)], "shadowservr", now=fixed_now)


def test_an_unreadable_input_is_reported_and_the_others_still_load(
    settings: Settings, store: Store, work: Path
) -> None:
    """A path that cannot be read is named in the summary; the readable file is still stored."""
    good = write(work, HEADER + row("192.0.2.1"))
    summary = ingest(
        settings, store, [str(work / "missing.csv"), good], "shadowserver", now=fixed_now
    )
    assert [Path(f.file).name for f in summary.unreadable] == ["missing.csv"]
    assert summary.accepted == 1


def test_every_demo_feed_loads_without_quarantine(settings: Settings, store: Store) -> None:
    """Each sample feed shipped for the demo is read whole: nothing quarantined, all counted."""
    from tocsin.services.demo import load_demo

    results = load_demo(settings, store, FakeClock())
    assert len(results) >= 14
    for name, summary in results:
        assert summary.read > 0, name
        assert summary.quarantined == 0, name
    assert store.count_events() == sum(s.accepted for _, s in results)


def test_a_registry_with_a_bad_abuse_contact_changes_nothing(store: Store, tmp_path: Path) -> None:
    """A registry whose second constituent has a CR/LF in its abuse contact is refused with the
    file and line, and the registry already in the store stays as it was, whole."""
    good = tmp_path / "good.toml"
    good.write_text('[[constituent]]\nname = "Old One"\nabuse_contact = "cert@old.example"\n')
    assert import_constituents(store, good) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[constituent]]\nname = "New One"\nabuse_contact = "cert@new.example"\n\n'
        '[[constituent]]\nname = "New Two"\n'
        'abuse_contact = "soc@evil.example\\r\\nBcc: attacker@evil.example"\n'
    )
    with pytest.raises(ConfigError, match=r"bad\.toml:7: constituent #2: .*abuse_contact"):
        import_constituents(store, bad)
    assert [(c.name, c.abuse_contact) for c in store.constituents()] == [
        ("Old One", "cert@old.example")
    ]


def test_a_contact_stored_before_the_check_reads_without_it(store: Store) -> None:
    """A constituent stored with a contact no notice could go to (from before contacts were
    checked) still reads, without the contact, so enrichment and notices go on."""
    store.replace_constituents(
        [Constituent(name="Legacy", abuse_contact="soc@evil.example\r\nbcc: x@evil.example")]
    )
    assert [(c.name, c.abuse_contact) for c in store.constituents()] == [("Legacy", None)]


def test_reingesting_under_another_dedupe_window_stores_nothing_twice(
    settings: Settings, store: Store, work: Path
) -> None:
    """A file ingested with the window 0 (as the demo does), then again with a day (the command
    line's default) and an hour, is stored once: the later runs count every row a duplicate."""
    path = write(work, HEADER + row("192.0.2.1") + row("192.0.2.2", ts="2026-11-20 13:14:15"))
    runs = [
        ingest(settings, store, [path], "shadowserver", now=fixed_now, window=w)
        for w in (0, 86_400, 3600)
    ]
    assert [(s.accepted, s.duplicates) for s in runs] == [(2, 0), (0, 2), (0, 2)]
    assert store.count_events() == 2
