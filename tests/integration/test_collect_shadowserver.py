"""The Shadowserver collector against a fake Reports API on loopback that checks each request's
HMAC2 as Shadowserver does, and refuses a bad signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.desk import FakeClock
from tests.integration.collect_servers import Shadowserver, serving
from tocsin.collect.shadowserver import sign
from tocsin.services.collectors import Collectors
from tocsin.settings import Settings
from tocsin.store import Store

DEMO = Path(__file__).resolve().parents[2] / "src" / "tocsin" / "demo" / "feeds"
TELNET = (DEMO / "shadowserver-2026-11-20-scan_telnet-nl-geo.csv").read_bytes()
RDP = (DEMO / "shadowserver-2026-11-20-scan_rdp-nl-geo.csv").read_bytes()
UNKNOWN = b'"timestamp","ip","gizmo"\n"2026-11-27 00:00:00","192.0.2.1","x"\n'
KEY, SECRET = "the-api-key-1234", "the-api-secret-5678"


def _listed(report_id: str, kind: str) -> dict[str, str]:
    """One report as reports/list gives it."""
    return {
        "id": report_id,
        "type": kind.split("_")[0],
        "report": "nl",
        "timestamp": "2026-11-27",
        "file": f"2026-11-27-{kind}-nl-geo.csv",
    }


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Shadowserver, str]]:
    monkeypatch.setenv("SHADOWSERVER_KEY", KEY)
    monkeypatch.setenv("SHADOWSERVER_SECRET", SECRET)
    served = Shadowserver(
        KEY,
        SECRET,
        reports=[
            _listed("r1", "scan_telnet"),
            _listed("r2", "scan_rdp"),
            _listed("r3", "gizmo_watch"),
        ],
        files={"r1": TELNET, "r2": RDP, "r3": UNKNOWN},
    )
    with serving(served) as url:
        yield served, url


def collectors(
    settings: Settings, store: Store, tmp_path: Path, url: str, extra: str = ""
) -> Collectors:
    path = tmp_path / "collectors.toml"
    path.write_text(
        '[[collector]]\nname = "shadowserver"\nkind = "shadowserver"\nfeed = "shadowserver"\n'
        f'every = 3600\nurl = "{url}/api2/"\ndownload_url = "{url}/"\n'
        'key_env = "SHADOWSERVER_KEY"\nsecret_env = "SHADOWSERVER_SECRET"\n'
        f'reports = ["nl"]\n{extra}',
        encoding="utf-8",
    )
    return Collectors(settings.but(collectors=str(path)), store, FakeClock())


def test_the_signature_is_hmac_sha256_of_the_raw_body_in_hex() -> None:
    body = b'{"date": "2026-11-28", "apikey": "k"}'
    assert sign("s", body) == hmac.new(b"s", body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("download", ["dl", "api"])
def test_the_days_reports_are_listed_signed_downloaded_and_each_type_goes_to_its_parser(
    api: tuple[Shadowserver, str], settings: Settings, store: Store, tmp_path: Path, download: str
) -> None:
    """Two days are listed (today and yesterday by the injected clock), each signed request is
    accepted, the known reports are ingested and the unknown one is archived and recorded as
    skipped, never lost."""
    served, url = api
    desk = collectors(settings, store, tmp_path, url, f'download = "{download}"\n')
    [run] = desk.collect()
    assert run.ok, run.error
    listed = [body for path, body in served.calls if path == "/api2/reports/list"]
    assert [b["date"] for b in listed] == ["2026-11-28", "2026-11-27"]
    assert all(b["apikey"] == KEY and b["reports"] == ["nl"] for b in listed)
    downloads = [body["id"] for path, body in served.calls if path == "/api2/reports/download"]
    assert downloads == (["r1", "r2", "r3"] if download == "api" else [])
    assert (run.objects, run.skipped) == (3, 1)
    assert run.accepted == store.count_events() > 0
    assert run.note is not None and "2026-11-27-gizmo_watch-nl-geo.csv: skipped" in run.note
    skipped = [o for o in store.collectors.objects() if o.outcome == "skipped"]
    assert [(o.name, o.size) for o in skipped] == [
        ("2026-11-27-gizmo_watch-nl-geo.csv", len(UNKNOWN))
    ]
    again = desk.collect("shadowserver")[0]
    assert (again.ok, again.objects, again.rows) == (True, 0, 0)


def test_a_wrong_secret_is_refused_by_the_api_and_never_shown(
    api: tuple[Shadowserver, str],
    settings: Settings,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    served, url = api
    monkeypatch.setenv("SHADOWSERVER_SECRET", "a-wrong-secret-0000")
    with caplog.at_level(logging.DEBUG):
        [run] = collectors(settings, store, tmp_path, url).collect()
    assert not run.ok and run.error is not None
    assert "HTTP 401" in run.error
    for secret_value in ("a-wrong-secret-0000", KEY):
        assert secret_value not in run.error and secret_value not in caplog.text
    assert store.count_events() == 0
    body = json.dumps({"date": "2026-11-28", "reports": ["nl"], "apikey": KEY}).encode()
    assert served.calls[0][1] == json.loads(body)


def test_a_listing_error_fails_the_run_and_a_key_in_the_file_is_refused(
    api: tuple[Shadowserver, str], settings: Settings, store: Store, tmp_path: Path
) -> None:
    served, url = api
    served.reports = {"error": "Unknown report nl"}  # type: ignore[assignment]
    [run] = collectors(settings, store, tmp_path, url).collect()
    assert not run.ok and run.error is not None and "Unknown report nl" in run.error
    with pytest.raises(Exception, match="collector shadowserver: secret:"):
        collectors(settings, store, tmp_path, url, f'secret = "{SECRET}"\n').configured()
