"""Collector benchmark: a Shadowserver report served over loopback HTTP, collected and ingested,
beside `tocsin ingest` of the same file in the same run.

    python bench/collect.py [--rows 1000000] [--keep FILE]

Generates the report of bench/ingest.py, serves it with the standard library's HTTP server in a
thread, and runs an ``http`` collector on it (``Collectors.run``: fetch, archive under its
SHA-256, ingest, record) into a fresh store; then ingests the same file with the command line's
service (``services.ingest.ingest``) into another fresh store. Both run the aggregation step after,
as both do in use, with an empty rules file: aggregating is measured on its own, and here it would
hide the difference between the two. Prints each one's rows/s and the collector's share of the
command's rate (issue 13 asks for at least 90 %). Not a test: figures only.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ingest import constituents, generate
from tocsin.model.clock import wall_clock
from tocsin.services.collectors import Collectors
from tocsin.services.desk import audit_keys
from tocsin.services.ingest import ingest
from tocsin.settings import Settings
from tocsin.store import open_store
from tocsin.store.base import Store

NAME = "2026-11-20-scan_telnet-nl-geo.csv"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def fresh(folder: Path, collectors: str = "") -> tuple[Store, Settings]:
    """A fresh SQLite store in ``folder`` with the bench's constituents, sealed as the desk
    seals it."""
    url = f"sqlite:///{folder / 'bench.db'}"
    rules = folder / "no-aggregation-rules.toml"
    rules.write_text("", encoding="utf-8")
    settings = Settings(
        database_url=url,
        data_dir=str(folder / "data"),
        collectors=collectors,
        aggregation_rules=str(rules),
    )
    store = open_store(url, audit_key=audit_keys(settings).mac)
    store.replace_constituents(constituents())
    return store, settings


def collect(report: Path, folder: Path) -> tuple[int, float]:
    """Rows read and seconds taken by one run of an http collector fetching ``report`` over
    loopback."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(QuietHandler, directory=str(report.parent))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        config = folder / "collectors.toml"
        config.write_text(
            "[[collector]]\n"
            'name = "telnet"\nkind = "http"\nfeed = "shadowserver"\nevery = 86400\n'
            f'url = "http://127.0.0.1:{server.server_address[1]}/{report.name}"\n',
            encoding="utf-8",
        )
        store, settings = fresh(folder, str(config))
        try:
            service = Collectors(settings, store, lambda: int(time.time()))
            (collector,) = service.configured()
            started = time.perf_counter()
            run = service.run(collector)
            seconds = time.perf_counter() - started
        finally:
            store.close()
    finally:
        server.shutdown()
        server.server_close()
    if run.error:
        sys.exit(f"the collector failed: {run.error}")
    return run.rows, seconds


def command(report: Path, folder: Path) -> tuple[int, float]:
    """Rows read and seconds taken by `tocsin ingest`'s service on ``report``."""
    store, settings = fresh(folder)
    try:
        started = time.perf_counter()
        summary = ingest(settings, store, [str(report)], "shadowserver", now=wall_clock)
        return summary.read, time.perf_counter() - started
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", help="keep the generated file here (its name must be kept)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tocsin-bench-collect-"))
    try:
        report = Path(args.keep) if args.keep else workdir / "served" / NAME
        report.parent.mkdir(parents=True, exist_ok=True)
        if not report.exists():
            print(f"generating {args.rows:,} rows …", file=sys.stderr)
            generate(report, args.rows)
        (workdir / "collected").mkdir()
        (workdir / "ingested").mkdir()
        rows, seconds = collect(report, workdir / "collected")
        plain_rows, plain_seconds = command(report, workdir / "ingested")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rate, plain = rows / seconds, plain_rows / plain_seconds
    print(f"http collector (fetch, archive, ingest): {rate:,.0f} rows/s, {seconds:.1f} s")
    print(f"tocsin ingest: {plain:,.0f} rows/s, {plain_seconds:.1f} s")
    print(f"collector: {rate / plain:.0%} of tocsin ingest's rate")


if __name__ == "__main__":
    main()
