"""Aggregation benchmark: 1 M stored events decided into incidents, beside their ingest.

    python bench/aggregate.py [--rows 1000000] [--database sqlite|postgresql] [--workers 2]

Generates bench/ingest.py's scan report (about 10 % repeated rows, addresses over 3,000
constituent networks, most of them in critical sectors, so that the rules' second rule groups
them), ingests it without deciding (the time of that is the baseline, measured in the same run on
the same events), then runs the aggregation rules once over everything stored, as the server's
catch-up does after a long stop, and prints events/s of each, the incidents opened and the
events linked. Not a test: figures only.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import ingest as events_bench
from tocsin.model.clock import wall_clock
from tocsin.services.aggregate import decide
from tocsin.services.desk import audit_keys
from tocsin.services.ingest import ingest
from tocsin.settings import Settings
from tocsin.store import open_store

NOW = 1_795_830_000  # the bench's fixed clock: 2026-11-28T01:40:00Z


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
    report = workdir / "2026-11-20-scan_telnet-nl-geo.csv"
    print(f"generating {args.rows:,} rows …", file=sys.stderr)
    events_bench.generate(report, args.rows)
    url, name = events_bench.database(args, workdir, "tocsin_bench_aggregate")
    settings = Settings(database_url=url, workers=args.workers, data_dir=str(workdir / "data"))
    store = open_store(url, audit_key=audit_keys(settings).mac)
    store.replace_constituents(events_bench.constituents())
    try:
        print("ingesting, without deciding …", file=sys.stderr)
        summary = ingest(
            settings, store, [str(report)], "shadowserver", now=wall_clock, aggregate=False
        )
        stored = store.count_events()
        print("deciding …", file=sys.stderr)
        started = time.perf_counter()
        decided = decide(settings, store, lambda: NOW)
        seconds = time.perf_counter() - started
        incidents = len(store.cases.incidents(limit=1_000_000))
    finally:
        store.close()
    ingest_rate = summary.accepted / summary.seconds
    print(f"events stored: {stored:,} (rows read {summary.read:,})")
    print(
        f"aggregation → {args.database}: {stored / seconds:,.0f} events/s, {seconds:.1f} s for "
        f"all of them; {decided.opened:,} incidents opened ({incidents:,} in the store), "
        f"{decided.linked:,} events linked"
    )
    print(f"baseline, ingest of the same events: {ingest_rate:,.0f} events/s")
    print(f"ratio: aggregation at {stored / seconds / ingest_rate:.1f}× the ingest rate")
    shutil.rmtree(workdir, ignore_errors=True)
    events_bench.drop(args, name)


if __name__ == "__main__":
    main()
