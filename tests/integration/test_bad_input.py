"""Bad input never stops an ingest: a row that fails in any stage is quarantined with its file,
line, stage and reason, the other rows are stored, and every row read is counted once (SQLite and
PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.conftest import fixed_now
from tocsin.pipeline.runner import Summary
from tocsin.services.ingest import ingest
from tocsin.settings import Settings
from tocsin.store import EventFilter, Store

DEMO_FEEDS = Path(__file__).resolve().parents[2] / "src" / "tocsin" / "demo" / "feeds"
BLOCKLIST = (
    '"timestamp","severity","ip","hostname","source","reason","asn","geo","region","city",'
    '"naics","sector","tag"\n'
)
DSHIELD = "Start\tEnd\tNetmask\tAttacks\tName\tCountry\temail\n"


def blocklist_row(ip: str) -> str:
    return f'"2024-05-01 00:00:00","low","{ip}","","l","r","64500","NL","","","","",""\n'


def run(settings: Settings, store: Store, path: Path, feed: str) -> Summary:
    summary = ingest(settings, store, [str(path)], feed, now=fixed_now)
    assert summary.read == summary.accepted + summary.duplicates + summary.quarantined
    return summary


def quarantined(store: Store) -> dict[int, tuple[str, str]]:
    """Line → (stage, reason) of every quarantined row."""
    return {e.line: (e.stage, e.reason) for e in store.quarantine()}


def stored(store: Store, field: str) -> set[str]:
    return {e[field] for e in store.search(EventFilter()).events if field in e}


def test_a_blocklist_address_that_is_none_is_quarantined_not_fatal(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """Shadowserver blocklist rows whose ``ip`` is no address or no network (``abc``,
    ``198.51.100.99x``, ``203.0.113.0/24x``, a zone id) are quarantined by type; the good address
    and network around them are stored."""
    path = tmp_path / "2024-05-01-blocklist-x-geo.csv"
    bad = ["abc", "198.51.100.99x", "203.0.113.0/24x", "fe80::/64%eth0"]
    good = ["192.0.2.1", "198.51.100.0/24"]
    path.write_text(BLOCKLIST + "".join(blocklist_row(ip) for ip in [good[0], *bad, good[1]]))
    summary = run(settings, store, path, "shadowserver")
    assert (summary.read, summary.accepted, summary.quarantined) == (6, 2, 4)
    assert stored(store, "source.ip") == {"192.0.2.1"}
    assert stored(store, "source.network") == {"198.51.100.0/24"}
    found = quarantined(store)
    assert sorted(found) == [3, 4, 5, 6]
    assert all(stage == "normalize" for stage, _ in found.values())
    assert "source.ip" in found[3][1] and "'abc'" in found[3][1]
    assert "source.network" in found[5][1] and "24x" in found[5][1]


def test_a_whole_number_beyond_64_bits_is_quarantined_not_fatal(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """A DShield row whose attack count does not fit in 64 bits is quarantined naming the field;
    the next row is stored."""
    path = tmp_path / "block.txt"
    path.write_text(
        DSHIELD
        + "192.0.2.0\t192.0.2.255\t24\t99999999999999999999\tX\tNL\ta@example.net\n"
        + "198.51.100.0\t198.51.100.255\t24\t12\tY\tNL\tb@example.net\n"
    )
    summary = run(settings, store, path, "dshield")
    assert (summary.read, summary.accepted, summary.quarantined) == (2, 1, 1)
    stage, reason = quarantined(store)[2]
    assert stage == "normalize"
    assert "99999999999999999999" in reason and "64-bit" in reason
    assert stored(store, "source.network") == {"198.51.100.0/24"}


def test_a_bare_cr_in_an_abusech_header_no_longer_aborts_the_file(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """A stray carriage return inside URLhaus's commented header is no part of a column name:
    every data row of the demo file is read and stored."""
    text = (DEMO_FEEDS / "urlhaus.csv").read_text()
    assert "# id,dateadded,url" in text
    path = tmp_path / "urlhaus.csv"
    path.write_text(text.replace("# id,dateadded,url", "# id,dateadded\r,url"), newline="")
    summary = run(settings, store, path, "urlhaus")
    assert summary.read == 48
    assert (summary.accepted, summary.quarantined) == (48, 0)


def test_an_unreadable_commented_header_quarantines_its_rows_instead_of_eating_one(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """A commented header that is binary quarantines itself and each row after it, saying why,
    so that no data row is silently taken for the header."""
    path = tmp_path / "urlhaus.csv"
    path.write_bytes(
        b"# id,date\x00added,url\n"
        b'"1","2024-05-01 00:00:00","http://a.example/x","online","","malware_download","",'
        b'"https://urlhaus.abuse.ch/url/1/","r"\n'
    )
    summary = run(settings, store, path, "urlhaus")
    assert (summary.read, summary.quarantined) == (2, 2)
    assert "header line 1 is unreadable" in quarantined(store)[2][1]


def refuse_in_store(url: str, fqdn: str) -> None:
    """Make the real database refuse any event whose source name is ``fqdn`` (a trigger)."""
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON events "
                f"WHEN NEW.source_fqdn = '{fqdn}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        return
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(
            "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.source_fqdn = '{fqdn}' THEN RAISE EXCEPTION 'refused'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        conn.execute("DROP TRIGGER IF EXISTS refuse ON events")
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse()"
        )


def drop_refusal(url: str) -> None:
    if url.startswith("sqlite"):
        return
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP TRIGGER IF EXISTS refuse ON events")
        conn.execute("DROP FUNCTION IF EXISTS refuse()")


def test_a_row_the_store_refuses_is_quarantined_and_the_rest_stored(
    settings: Settings, store: Store, backend_url: str, tmp_path: Path
) -> None:
    """When the database refuses one event of a batch, that row alone is quarantined (stage
    ``store``, file and line) and the batch's other rows are stored."""
    path = tmp_path / "domains.txt"
    path.write_text("good.example\nrefused.example\nalso-good.example\n")
    refuse_in_store(backend_url, "refused.example")
    try:
        summary = run(settings, store, path, "openphish")
    finally:
        drop_refusal(backend_url)
    assert (summary.read, summary.accepted, summary.quarantined) == (3, 2, 1)
    stage, reason = quarantined(store)[2]
    assert stage == "store" and "refused" in reason
    assert stored(store, "source.fqdn") == {"good.example", "also-good.example"}


def test_a_rerun_over_a_file_with_bad_rows_stores_what_the_first_run_stored(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """A bad row deep in a file stops nothing: the first run stores every good row, and a rerun
    stores nothing new and quarantines nothing twice."""
    path = tmp_path / "2024-05-01-blocklist-x-geo.csv"
    rows = [blocklist_row(f"10.0.{n // 256}.{n % 256}") for n in range(3000)]
    rows[2001] = blocklist_row("abc")
    path.write_text(BLOCKLIST + "".join(rows))
    first = run(settings, store, path, "shadowserver")
    second = run(settings, store, path, "shadowserver")
    assert (first.accepted, first.quarantined) == (2999, 1)
    assert (second.accepted, second.duplicates, second.quarantined) == (0, 2999, 1)
    assert store.count_events() == 2999
    assert store.count_quarantine() == 1
