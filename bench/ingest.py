"""Ingest benchmark: a Shadowserver-like scan report through the whole pipeline, beside a baseline.

    python bench/ingest.py [--rows 1000000] [--database sqlite|postgresql] [--workers 1]

Generates a scan_telnet report (about 10 % repeated rows, addresses spread over a few thousand
constituent networks), runs Tocsin's pipeline into a fresh store, and prints events/s and peak
memory. In the same run it times the plain-Python baseline on the same file (csv reader → dict →
hash → JSON line written) and prints the ratio. Not a test: figures only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import psycopg

from tocsin.model.constituent import Constituent
from tocsin.settings import Settings
from tocsin.store import open_store

HEADER = [
    "timestamp",
    "ip",
    "protocol",
    "port",
    "hostname",
    "tag",
    "asn",
    "geo",
    "region",
    "city",
    "naics",
    "hostname_source",
    "sector",
    "banner",
]
NETWORKS = 3000


def network_of(i: int) -> str:
    return f"10.{i // 256}.{i % 256}.0/24"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A scan_telnet-like CSV; about one row in ten repeats an earlier one."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 20, tzinfo=UTC)
    recent: list[list[str]] = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(HEADER)
        for n in range(rows):
            if recent and rng.random() < 0.10:
                writer.writerow(rng.choice(recent))
                continue
            if rng.random() < 0.8:
                net = rng.randrange(NETWORKS)
                ip = f"10.{net // 256}.{net % 256}.{rng.randrange(1, 255)}"
            else:
                ip = f"172.{rng.randrange(16, 32)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            moment = start + timedelta(seconds=n // 20)
            row = [
                moment.strftime("%Y-%m-%d %H:%M:%S"),
                ip,
                "tcp",
                "23",
                f"host-{n}.example.net" if n % 3 == 0 else "",
                "telnet",
                str(64496 + rng.randrange(16)),
                "NL",
                "NOORD-HOLLAND",
                "AMSTERDAM",
                "517311",
                "ptr",
                "Communications, Service Provider, and Hosting Service",
                "\\xff\\xfb\\x01 login:",
            ]
            writer.writerow(row)
            if len(recent) < 5000:
                recent.append(row)
            else:
                recent[rng.randrange(5000)] = row


def baseline(path: Path) -> float:
    """csv reader → dict → hash → JSON line, written to a file; returns rows/s."""
    started = time.perf_counter()
    count = 0
    with path.open(newline="", encoding="utf-8") as handle, open(os.devnull, "wb") as sink:
        reader = csv.reader(handle)
        header = next(reader)
        for row in reader:
            record = dict(zip(header, row, strict=False))
            record["hash"] = hashlib.sha256(orjson.dumps(record)).hexdigest()
            sink.write(orjson.dumps(record) + b"\n")
            count += 1
    return count / (time.perf_counter() - started)


def constituents() -> list[Constituent]:
    sectors = ["energy", "health", "education", "telecommunications", "other", "parliament"]
    return [
        Constituent(
            f"Org {i}", sectors[i % len(sectors)], "NL", f"abuse@org{i}.example", (network_of(i),)
        )
        for i in range(NETWORKS)
    ]


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="keep the generated file here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
    report = Path(args.keep) if args.keep else workdir / "2026-11-20-scan_telnet-nl-geo.csv"
    if not report.exists():
        print(f"generating {args.rows:,} rows …", file=sys.stderr)
        generate(report, args.rows)

    base_rate = baseline(report)

    if args.database == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        name = f"tocsin_bench_{os.getpid()}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = args.postgres.rsplit("/", 1)[0] + "/" + name
    store = open_store(url)
    store.replace_constituents(constituents())
    settings = Settings(database_url=url, workers=args.workers, batch_size=5000)

    from tocsin.services.ingest import ingest

    summary = ingest(settings, store, [str(report)], "shadowserver")
    stored = store.count_events()
    store.close()
    rate = summary.read / summary.seconds
    own, children = peak_mb()
    print(
        f"rows: {summary.read:,} (accepted {summary.accepted:,}, duplicates "
        f"{summary.duplicates:,}, quarantined {summary.quarantined:,}; stored {stored:,})"
    )
    print(f"tocsin pipeline → {args.database}: {rate:,.0f} events/s in {summary.seconds:.1f} s")
    print(f"plain-Python baseline (csv → dict → hash → JSON line): {base_rate:,.0f} rows/s")
    print(f"ratio: {rate / base_rate:.0%} of the baseline")
    print(f"peak memory: writer {own:.0f} MB, parser worker {children:.0f} MB")
    if args.database == "postgresql":
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
