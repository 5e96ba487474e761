"""Ingest benchmark: a Shadowserver-like scan report through the whole pipeline, beside a baseline.

    python bench/ingest.py [--rows 1000000] [--database sqlite|postgresql] [--workers 2]
    python bench/ingest.py --grow 10000000 [--step 1000000] [--database postgresql]

Generates a scan_telnet report (about 10 % repeated rows, addresses spread over a few thousand
constituent networks), runs Tocsin's pipeline into a fresh store, and prints events/s and peak
memory. In the same run it times the plain-Python baseline on the same file (csv reader → dict →
hash → JSON line written) and prints the ratio. With ``--grow N`` it grows one store to N rows
instead, a report of ``--step`` new rows at a time (each later in time than the one before, as a
desk's daily reports are), and prints the rate of each step beside the first step's rate: whether
ingest stays flat as the store grows (docs/benchmarks.md §1.5). Aggregation is left out (it is
measured on its own, by bench/aggregate.py). Not a test: figures only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import psycopg

from tocsin.model.clock import wall_clock
from tocsin.model.constituent import Constituent
from tocsin.services.desk import audit_keys
from tocsin.services.ingest import ingest
from tocsin.settings import Settings
from tocsin.store import open_store
from tocsin.store.base import Store

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
    "sic",
    "banner",
]  # the columns of the report IntelMQ is measured on (docs/benchmarks.md §1.1)
NETWORKS = 3000
BANNERS = [
    "|MikroTik v6.45.3 (stable)|Login:",
    "BusyBox v1.19.4 built-in shell (ash)|login:",
    "|User Access Verification||Username:",
    "Debian GNU/Linux 9|raspberrypi login:",
    "HUAWEI HG8245H|Login:",
    "|Password:",
    "",
]


def network_of(i: int) -> str:
    return f"10.{i // 256}.{i % 256}.0/24"


START = datetime(2026, 11, 20, tzinfo=UTC)


def generate(path: Path, rows: int, seed: int = 7, start: datetime = START) -> None:
    """A scan_telnet-like CSV, every value quoted; about one row in ten repeats an earlier one;
    20 rows a second from ``start``. Written in blocks, so that 10 M rows need no more memory
    than 1 M."""
    rng = random.Random(seed)
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
            naics = rng.choice(["0", "0", "517311", "518210"])
            row = [
                moment.strftime("%Y-%m-%d %H:%M:%S"),
                ip,
                "tcp",
                "23",
                f"host-{ip.replace('.', '-')}.isp{n % 40}.example.net" if n % 5 < 3 else "",
                "telnet",
                str(64496 + rng.randrange(16)),
                "NL",
                "NOORD-HOLLAND",
                "AMSTERDAM",
                naics,
                "0" if naics == "0" else "4813",
                rng.choice(BANNERS),
            ]
            writer.writerow(row)
            if len(recent) < 5000:
                recent.append(row)
            else:
                recent[rng.randrange(5000)] = row


TAXONOMY = {"vulnerable-system": "vulnerable"}
CONST = {
    "classification.identifier": "open-telnet",
    "classification.type": "vulnerable-system",
    "protocol.application": "telnet",
    "feed.name": "shadowserver",
    "feed.provider": "Shadowserver",
    "feed.accuracy": 100.0,
}


def baseline(path: Path, out: Path) -> float:
    """The plain-Python limit of docs/benchmarks.md §1.3 ("minimal"): csv reader →
    dict with harmonized names → sha256 of the sorted JSON in a set → JSON line written to a
    file. Returns input rows/s."""
    seen: set[bytes] = set()
    started = time.perf_counter()
    count = 0
    observed = datetime.now(UTC).replace(microsecond=0).isoformat()
    with (
        path.open(newline="", encoding="utf-8") as handle,
        out.open("wb", buffering=1 << 20) as sink,
    ):
        reader = csv.reader(handle)
        index = {h: i for i, h in enumerate(next(reader))}
        i_ts, i_ip, i_pr, i_po, i_ho, i_tag, i_asn, i_geo, i_reg, i_city, i_na, i_sic, i_ban = (
            index[k] for k in HEADER
        )
        for r in reader:
            count += 1
            event = dict(CONST)
            event["time.source"] = r[i_ts].replace(" ", "T") + "+00:00"
            event["source.ip"] = r[i_ip]
            event["source.port"] = int(r[i_po])
            event["protocol.transport"] = r[i_pr]
            if r[i_ho]:
                event["source.reverse_dns"] = r[i_ho]
            if r[i_asn] and r[i_asn] != "0":
                event["source.asn"] = int(r[i_asn])
            event["source.geolocation.cc"] = r[i_geo]
            event["source.geolocation.region"] = r[i_reg]
            event["source.geolocation.city"] = r[i_city]
            if r[i_tag]:
                event["extra.tag"] = r[i_tag]
            if r[i_na] != "0":
                event["extra.naics"] = int(r[i_na])
            if r[i_sic] != "0":
                event["extra.sic"] = int(r[i_sic])
            if r[i_ban]:
                event["extra.banner"] = r[i_ban]
            digest = hashlib.sha256(orjson.dumps(event, option=orjson.OPT_SORT_KEYS)).digest()
            if digest in seen:
                continue
            seen.add(digest)
            event["classification.taxonomy"] = TAXONOMY[event["classification.type"]]
            event["time.observation"] = observed
            sink.write(orjson.dumps(event, option=orjson.OPT_APPEND_NEWLINE))
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


def database(args: argparse.Namespace, workdir: Path, prefix: str) -> tuple[str, str]:
    """A fresh database for one run: a SQLite file in ``workdir``, or a PostgreSQL database
    named after ``prefix`` and this process; its URL and (for PostgreSQL) its name."""
    if args.database == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", ""
    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return args.postgres.rsplit("/", 1)[0] + "/" + name, name


def drop(args: argparse.Namespace, name: str) -> None:
    """Drop the PostgreSQL database ``database`` made (nothing for SQLite)."""
    if args.database == "postgresql":
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def open_bench_store(args: argparse.Namespace, workdir: Path) -> tuple[Store, Settings, str]:
    """A fresh store with the constituents, sealed as the desk seals it (audit keys in the
    bench's own folder); its settings and its PostgreSQL database's name."""
    url, name = database(args, workdir, "tocsin_bench")
    settings = Settings(database_url=url, workers=args.workers, data_dir=str(workdir / "data"))
    store = open_store(url, audit_key=audit_keys(settings).mac)
    store.replace_constituents(constituents())
    return store, settings, name


def grow(args: argparse.Namespace, workdir: Path) -> None:
    """Grow one store to ``args.grow`` rows, ``args.step`` rows a report, and print each
    report's rate beside the first one's. Each report starts where the one before ended in time,
    with another seed, so that nearly all of its events are new."""
    store, settings, name = open_bench_store(args, workdir)
    steps = max(1, args.grow // args.step)
    first = 0.0
    print(f"growing a {args.database} store to {steps * args.step:,} rows, {args.step:,} a step")
    try:
        for n in range(steps):
            report = workdir / f"2026-11-20-scan_telnet-nl-geo-{n}.csv"
            later = START + timedelta(seconds=n * args.step // 20)
            generate(report, args.step, seed=7 + n, start=later)
            summary = ingest(
                settings, store, [str(report)], "shadowserver", now=wall_clock, aggregate=False
            )
            report.unlink()
            rate = summary.read / summary.seconds
            first = first or rate
            print(
                f"rows {(n + 1) * args.step:>12,}  stored {store.count_events():>12,}  "
                f"{rate:>8,.0f} events/s  first step {first:>8,.0f}  ratio {rate / first:.2f}",
                flush=True,
            )
    finally:
        store.close()
        drop(args, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="keep the generated file here")
    parser.add_argument("--grow", type=int, help="grow one store to this many rows instead")
    parser.add_argument("--step", type=int, default=1_000_000, help="rows a step of --grow")
    parser.add_argument("--baseline-only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_only:
        with tempfile.TemporaryDirectory() as scratch:
            print(baseline(Path(args.baseline_only), Path(scratch) / "baseline.jsonl"))
        return

    workdir = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
    if args.grow:
        try:
            grow(args, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return
    report = Path(args.keep) if args.keep else workdir / "2026-11-20-scan_telnet-nl-geo.csv"
    if not report.exists():
        print(f"generating {args.rows:,} rows …", file=sys.stderr)
        generate(report, args.rows)

    store, settings, name = open_bench_store(args, workdir)
    summary = ingest(
        settings, store, [str(report)], "shadowserver", now=wall_clock, aggregate=False
    )
    stored = store.count_events()
    store.close()
    rate = summary.read / summary.seconds
    own, children = peak_mb()
    # the baseline runs in its own process, after, so that its memory is not counted as ours
    base_rate = float(
        subprocess.run(
            [sys.executable, __file__, "--baseline-only", str(report)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    print(
        f"rows: {summary.read:,} (accepted {summary.accepted:,}, duplicates "
        f"{summary.duplicates:,}, quarantined {summary.quarantined:,}; stored {stored:,})"
    )
    print(f"tocsin pipeline → {args.database}: {rate:,.0f} events/s in {summary.seconds:.1f} s")
    print(f"plain-Python baseline (csv → dict → sha256 → JSON line): {base_rate:,.0f} rows/s")
    print(f"ratio: {rate / base_rate:.0%} of the baseline")
    print(
        f"peak memory (resident): writer {own:.0f} MB, each parsing process {children:.0f} MB "
        f"at most ({args.workers} of them, sharing the writer's pages from the fork)"
    )
    shutil.rmtree(workdir, ignore_errors=True)  # a kept report lives outside it
    drop(args, name)


if __name__ == "__main__":
    main()
