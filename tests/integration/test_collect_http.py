"""The HTTP collector against a real loopback server: fetch, archive, ingest, record."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.desk import FakeClock
from tests.integration.collect_servers import Feed, serving
from tocsin.cli import app
from tocsin.collect.base import KINDS
from tocsin.errors import ConfigError
from tocsin.services.collectors import BACKOFF_CAP, BACKOFF_FIRST, Collectors
from tocsin.settings import Settings
from tocsin.store import Store

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
OPENPHISH = (SAMPLES / "phishing" / "openphish.txt").read_bytes()


@pytest.fixture
def feed() -> Iterator[tuple[Feed, str]]:
    served = Feed(body=OPENPHISH)
    with serving(served) as url:
        yield served, url


def configure(tmp_path: Path, settings: Settings, text: str) -> Settings:
    path = tmp_path / "collectors.toml"
    path.write_text(text, encoding="utf-8")
    return settings.but(collectors=str(path))


def openphish(url: str, extra: str = "") -> str:
    return (
        f'[[collector]]\nname = "openphish"\nkind = "http"\nfeed = "openphish"\nevery = 3600\n'
        f'url = "{url}/feed.txt"\n{extra}'
    )


def test_a_feed_is_fetched_archived_ingested_and_recorded(
    feed: tuple[Feed, str], settings: Settings, store: Store, tmp_path: Path
) -> None:
    """One run stores the feed's events, keeps the bytes as received under their SHA-256, and
    records the run with its counts and the collector's next due time."""
    _, url = feed
    clock = FakeClock()
    collectors = Collectors(configure(tmp_path, settings, openphish(url)), store, clock)
    [run] = collectors.collect()
    assert (run.ok, run.objects, run.rows, run.accepted) == (True, 1, 8, 8)
    assert store.count_events() == 8
    [archived] = store.collectors.objects("openphish")
    folder = Path(settings.data_dir) / "raw" / archived.sha256[:2] / archived.sha256
    assert (folder / "feed.txt").read_bytes() == OPENPHISH
    assert (archived.name, archived.size, archived.retention) == ("feed.txt", len(OPENPHISH), "raw")
    state = store.collectors.state("openphish")
    assert state is not None
    assert (state.etag, state.next_due, state.failures) == ('"v1"', clock.now + 3600, 0)


def test_an_unchanged_feed_answers_304_and_nothing_is_ingested_twice(
    feed: tuple[Feed, str], settings: Settings, store: Store, tmp_path: Path
) -> None:
    """The second fetch sends the ETag back, the server answers 304, and the run takes in
    nothing; an unchanged body under a new ETag is not ingested again either (same digest)."""
    served, url = feed
    clock = FakeClock()
    collectors = Collectors(configure(tmp_path, settings, openphish(url)), store, clock)
    collectors.collect()
    clock.advance(3600)
    [again] = collectors.collect()
    assert served.requests[-1].get("If-None-Match") == '"v1"'
    assert (again.ok, again.objects, again.rows) == (True, 0, 0)
    served.etag = '"v2"'
    clock.advance(3600)
    [third] = collectors.collect()
    assert (third.ok, third.objects, third.rows) == (True, 0, 0)
    assert store.count_events() == 8
    assert len(store.collectors.objects("openphish")) == 1


def test_a_gzipped_feed_is_archived_as_received_and_ingested_unpacked(
    feed: tuple[Feed, str], settings: Settings, store: Store, tmp_path: Path
) -> None:
    served, url = feed
    served.gzip = True
    text = openphish(url).replace("/feed.txt", "/feed.txt.gz")
    [run] = Collectors(configure(tmp_path, settings, text), store, FakeClock()).collect()
    assert (run.ok, run.accepted) == (True, 8)
    [archived] = store.collectors.objects()
    folder = Path(settings.data_dir) / "raw" / archived.sha256[:2] / archived.sha256
    assert (folder / "feed.txt.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert (folder / "feed.txt").read_bytes() == OPENPHISH


def test_an_answer_over_the_size_limit_fails_the_run_and_stores_nothing(
    feed: tuple[Feed, str], settings: Settings, store: Store, tmp_path: Path
) -> None:
    _, url = feed
    text = openphish(url, "max_bytes = 100\n")
    [run] = Collectors(configure(tmp_path, settings, text), store, FakeClock()).collect()
    assert not run.ok
    assert run.error is not None and "max_bytes" in run.error
    assert store.count_events() == 0
    assert store.collectors.objects() == []


def test_an_answer_slower_than_the_time_limit_fails_the_run_and_stores_nothing(
    feed: tuple[Feed, str], settings: Settings, store: Store, tmp_path: Path
) -> None:
    """The deadline is read on the desk's clock while the body arrives: the server moves the
    clock past it half-way through the answer."""
    served, url = feed
    clock = FakeClock()
    served.body = OPENPHISH * 1000  # several reads
    served.midway = lambda: clock.advance(601)
    text = openphish(url, "max_seconds = 600\n")
    [run] = Collectors(configure(tmp_path, settings, text), store, clock).collect()
    assert not run.ok
    assert run.error == f"GET {url}/feed.txt: the answer took longer than 600 s (max_seconds)"
    assert store.count_events() == 0
    assert store.collectors.objects() == []


def test_failures_back_off_exponentially_up_to_a_cap_and_a_success_resets(
    feed: tuple[Feed, str], settings: Settings, store: Store, tmp_path: Path
) -> None:
    """Each failed run doubles the wait before the next try (from the injected clock), never
    past the cap; a collector not yet due is not run; a success sets the normal schedule."""
    served, url = feed
    served.status = 503
    clock = FakeClock()
    collectors = Collectors(configure(tmp_path, settings, openphish(url)), store, clock)
    waits = []
    for _ in range(12):
        [run] = collectors.collect()
        assert not run.ok and run.error is not None and "HTTP 503" in run.error
        state = store.collectors.state("openphish")
        assert state is not None and state.next_due is not None
        waits.append(state.next_due - clock.now)
        assert collectors.collect() == []  # not due yet
        clock.now = state.next_due
    assert waits[:4] == [BACKOFF_FIRST, 2 * BACKOFF_FIRST, 4 * BACKOFF_FIRST, 8 * BACKOFF_FIRST]
    assert max(waits) == BACKOFF_CAP == waits[-1]
    served.status = 200
    [run] = collectors.collect()
    state = store.collectors.state("openphish")
    assert run.ok and state is not None
    assert (state.failures, state.next_due, state.last_success) == (0, clock.now + 3600, clock.now)


def test_a_credential_written_in_the_file_is_refused_naming_the_place(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    for extra, place in (
        ('headers = { Authorization = "Bearer s3cr3t-t0ken-value" }\n', "headers.Authorization"),
        ('api_key = "s3cr3t-t0ken-value"\n', "api_key"),
        ('headers_env = { "X-Key" = "s3cr3t-t0ken-value" }\n', "headers_env.X-Key"),
    ):
        text = openphish("http://127.0.0.1:9", extra)
        with pytest.raises(ConfigError) as refused:
            Collectors(configure(tmp_path, settings, text), store, FakeClock()).configured()
        assert f"collector openphish: {place}:" in str(refused.value)
        assert "s3cr3t" not in str(refused.value)
    text = openphish("https://user:s3cr3t@feeds.example")
    with pytest.raises(ConfigError, match="password in the URL"):
        Collectors(configure(tmp_path, settings, text), store, FakeClock()).configured()


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('kind = "ftp"', "kind: unknown kind 'ftp'"),
        ('feed = "openphsh"', "feed: unknown feed 'openphsh'"),
        ("every = 0", "every: a whole number of at least 60"),
        ('tlp = "PURPLE"', "tlp:"),
        ('colour = "red"', "colour: not a key of a http collector"),
    ],
)
def test_a_bad_collectors_file_names_the_collector_and_the_key(
    settings: Settings, store: Store, tmp_path: Path, line: str, says: str
) -> None:
    key = line.split(" ")[0]
    lines = [x for x in openphish("http://127.0.0.1:9").splitlines() if not x.startswith(key)]
    text = "\n".join([*lines, line]) + "\n"
    with pytest.raises(ConfigError, match=f"collector openphish: {says}"):
        Collectors(configure(tmp_path, settings, text), store, FakeClock()).configured()


def test_a_planned_kind_not_registered_is_refused_as_not_available_yet(
    settings: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(KINDS, "imap", raising=False)
    text = openphish("http://127.0.0.1:9").replace('kind = "http"', 'kind = "imap"')
    with pytest.raises(ConfigError, match="collector openphish: kind: 'imap' is not available yet"):
        Collectors(configure(tmp_path, settings, text), store, FakeClock()).configured()


def test_a_header_credential_comes_from_its_variable_and_never_reaches_a_log_or_error(
    feed: tuple[Feed, str],
    settings: Settings,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    served, url = feed
    monkeypatch.setenv("FEED_TOKEN", "the-feed-token-9f8e7d")
    served.status = 403
    text = openphish(url, 'headers_env = { "Auth-Key" = "FEED_TOKEN" }\n')
    with caplog.at_level(logging.DEBUG):
        [run] = Collectors(configure(tmp_path, settings, text), store, FakeClock()).collect()
    assert served.requests[0]["Auth-Key"] == "the-feed-token-9f8e7d"
    assert not run.ok and run.error is not None and "HTTP 403" in run.error
    assert "the-feed-token" not in run.error
    assert "the-feed-token" not in caplog.text
    monkeypatch.delenv("FEED_TOKEN")
    [unset] = Collectors(configure(tmp_path, settings, text), store, FakeClock()).collect(
        "openphish"
    )
    assert unset.error == (
        "collector openphish: headers_env.Auth-Key: the environment variable FEED_TOKEN is not set"
    )


def test_an_address_holding_a_key_comes_from_its_variable_and_is_never_shown(
    feed: tuple[Feed, str], settings: Settings, store: Store, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    served, url = feed
    monkeypatch.setenv("FEED_URL", f"{url}/data/k3y-in-the-path-4242/feed.txt")
    text = openphish(url).replace(f'url = "{url}/feed.txt"', 'url_env = "FEED_URL"')
    collectors = Collectors(configure(tmp_path, settings, text), store, FakeClock())
    [run] = collectors.collect()
    assert (run.ok, run.accepted) == (True, 8)
    assert [o.name for o in store.collectors.objects()] == ["feed.txt"]
    served.status = 500
    [failed] = collectors.collect("openphish")
    assert failed.error == "GET $FEED_URL: HTTP 500 Internal Server Error"


def test_collect_once_and_collectors_list_on_the_command_line(
    feed: tuple[Feed, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tocsin collect --once` runs what is due and prints each run; `tocsin collectors list`
    shows the last success, rows, quarantine rate and next due; a plain `tocsin ingest` is
    recorded as the source ingest:<feed>."""
    _, url = feed
    config = tmp_path / "collectors.toml"
    config.write_text(openphish(url), encoding="utf-8")
    monkeypatch.setenv("TOCSIN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("TOCSIN_WORKERS", "0")
    monkeypatch.setenv("TOCSIN_COLLECTORS", str(config))
    clock = FakeClock()
    runner = CliRunner()
    once = runner.invoke(app, ["collect", "--once"], obj=clock)
    assert once.exit_code == 0, once.output
    assert (
        "openphish: ok; 1 objects, 8 rows: accepted 8, duplicates 0, quarantined 0" in once.output
    )
    assert "no collector is due" in runner.invoke(app, ["collect", "--once"], obj=clock).output
    listed = runner.invoke(app, ["collectors", "list"], obj=clock)
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if line.strip().startswith("openphish"))
    assert row.split()[:3] == ["openphish", "http", "openphish"]
    assert row.split()[3:10] == [
        "2026-11-28",
        "01:40:00",
        "UTC",
        "8",
        "0.0%",
        "2026-11-28",
        "02:40:00",
    ]
    named = runner.invoke(app, ["collect", "--once", "openphish"], obj=clock)
    assert "openphish: ok; 0 objects" in named.output
    ingested = runner.invoke(
        app,
        ["ingest", str(SAMPLES / "phishing" / "openphish.txt"), "--feed", "openphish"],
        obj=clock,
    )
    assert ingested.exit_code == 0, ingested.output
    from tocsin.services.desk import Desk

    desk = Desk.open(Settings.load(), clock=clock)
    try:
        [run] = desk.source_runs("ingest:openphish")
    finally:
        desk.close()
    assert (run.ok, run.objects, run.rows, run.finished) == (True, 1, 8, clock.now)
    assert run.accepted + run.duplicates == 8
