"""Console benchmark: the desk's pages against PostgreSQL with 1 M events and 100 k incidents.

    python bench/console.py [--events 1000000] [--incidents 100000] [--requests 300]
    python bench/console.py --events 10000000 --incidents 1000000   # issue 14's search target

Loads the events through the real pipeline, bulk-creates incidents (titles from a desk's words,
an indicator and linked events each, a note on one in five), starts `tocsin serve` on a loopback
port, logs in, and sends a bounded loopback load (4 concurrent clients, or --clients) at the
queue page, incident pages, the events of an address, and the search box (an address, a reference, a
constituent's name, a common word, a rare word, two words). Prints p50 and p95 per page beside
the goals (200 ms for pages, 100 ms for the search box). Not a test: figures only.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import orjson
import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest as events_bench
import loopback
from tocsin.cases.aggregation import WATERMARK
from tocsin.model.clock import wall_clock
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.services.desk import audit_keys
from tocsin.settings import Settings
from tocsin.store import open_store
from tocsin.store.sql import schema

PASSWORD = "bench-password-long-enough"
TYPES = ["infected-system", "phishing", "vulnerable-system", "c2-server", "system-compromise"]
# the words of titles and notes: a few common ones, many rare ones (a desk's vocabulary)
COMMON = ["phishing", "ransomware", "scan", "botnet", "defacement", "credential", "malware"]
RARE = [f"{stem}{n}" for stem in ("kit", "campaign", "actor", "lure") for n in range(2500)]
NOTE_WORDS = ["called", "victim", "router", "reset", "password", "provider", "abuse", "desk"]


def make_incidents(store: object, count: int, org_id: int, events: int) -> None:
    """Bulk rows, as years of a desk would leave them (bench data, not the service path)."""
    rng = random.Random(3)
    engine = store.engine  # type: ignore[attr-defined]
    now = int(time.time())
    statuses = ["new", "acknowledged", "in_progress", "waiting", "resolved", "closed"]
    with engine.begin() as conn:
        for start in range(0, count, 5000):
            rows = []
            for n in range(start, min(start + 5000, count)):
                created = now - rng.randrange(0, 90 * 86400)
                status = rng.choice(statuses)
                rows.append(
                    {
                        "reference": f"TOC-2026-{n + 1:06d}",
                        "title": f"{rng.choice(COMMON).title()} {rng.choice(RARE)} at Org "
                        f"{rng.randrange(3000)}",
                        "type": rng.choice(TYPES),
                        "priority": rng.choice(["P1", "P2", "P3", "P4"]),
                        "tlp": "AMBER",
                        "status": status,
                        "org_id": org_id,
                        "created": created,
                        "constituent": f"Org {rng.randrange(3000)}",
                        "sector": "energy",
                        "waited": 0,
                        "breached": "",
                        "source": "bench",
                        "details": "{}",
                        # due ahead: the server's first SLA watch has nothing to mark while
                        # the pages are measured
                        "due": now + rng.randrange(3600, 7 * 86400)
                        if status in ("new", "acknowledged", "in_progress")
                        else None,
                    }
                )
            conn.execute(sa.insert(schema.incidents), rows)
        ids = [r.id for r in conn.execute(sa.select(schema.incidents.c.id))]
        links, indicators, notes = [], [], []
        for incident_id in ids:
            if rng.random() < 0.2:
                text = " ".join(rng.choice(NOTE_WORDS) for _ in range(8)) + f" {rng.choice(RARE)}"
                notes.append(
                    {
                        "incident_id": incident_id,
                        "at": now,
                        "actor": "bench",
                        "kind": "note",
                        "text": text,
                    }
                )
            for event_id in rng.sample(range(1, events + 1), 5):
                links.append({"incident_id": incident_id, "event_id": event_id})
            net = rng.randrange(3000)
            ip = f"10.{net // 256}.{net % 256}.{rng.randrange(1, 255)}"
            indicators.append({"incident_id": incident_id, "kind": "ip", "value": ip})
            if len(links) >= 50_000:
                conn.execute(sa.insert(schema.incident_events), links)
                conn.execute(sa.insert(schema.indicators), indicators)
                if notes:
                    conn.execute(sa.insert(schema.timeline), notes)
                links, indicators, notes = [], [], []
        if links:
            conn.execute(sa.insert(schema.incident_events), links)
            conn.execute(sa.insert(schema.indicators), indicators)
        if notes:
            conn.execute(sa.insert(schema.timeline), notes)
        conn.execute(sa.insert(schema.counters).values(name="incident:2026", value=count))
        # the incidents are the bench's own: the server's aggregation has nothing left to catch
        # up on (else its first minutes would run the rules over every event while measured)
        last = conn.execute(sa.select(sa.func.max(schema.events.c.id))).scalar() or 0
        conn.execute(sa.delete(schema.counters).where(schema.counters.c.name == WATERMARK))
        conn.execute(sa.insert(schema.counters).values(name=WATERMARK, value=last))


class Client(loopback.Client):
    """One logged-in browser-like client over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        super().__init__(port, timeout=30)

    def login(self, username: str) -> None:
        _, page = self.request("GET", "/login")
        found = re.search(rb'name="csrf" value="([^"]+)"', page)
        assert found, "no CSRF field on the login page"
        status, _ = self.request(
            "POST",
            "/login",
            {
                "username": username,
                "password": PASSWORD,
                "csrf": found.group(1).decode(),
                "next": "/console",
            },
        )
        assert status in (200, 303), f"log-in failed: {status}"


def load(port: int, paths: list[tuple[str, str]], clients: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    lock = threading.Lock()
    share = [paths[i::clients] for i in range(clients)]

    def worker(mine: list[tuple[str, str]]) -> None:
        client = Client(port)
        client.login("bench")
        for kind, path in mine:
            started = time.perf_counter()
            status, _ = client.request("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            assert status == 200, f"{path}: {status}"
            with lock:
                timings.setdefault(kind, []).append(elapsed)

    threads = [threading.Thread(target=worker, args=(s,)) for s in share]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="per page kind")
    parser.add_argument(
        "--clients", type=int, default=4, help="concurrent clients (1: each page's own time)"
    )
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--keep",
        metavar="DB",
        help="keep the loaded database under this name, and reuse it when it exists",
    )
    args = parser.parse_args()

    name = args.keep or f"tocsin_bench_console_{os.getpid()}"
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = args.postgres.rsplit("/", 1)[0] + "/" + name
    # the audit log is sealed with the data directory's key: a kept database keeps its directory
    work = (
        Path(tempfile.gettempdir()) / f"tocsin-bench-{name}"
        if args.keep
        else Path(tempfile.mkdtemp(prefix="tocsin-console-bench-"))
    )
    work.mkdir(exist_ok=True)
    try:
        keys = audit_keys(Settings(database_url=url, data_dir=str(work / "data")))
        store = open_store(url, audit_key=keys.mac)  # sealed as the desk seals it
        if exists and args.keep:
            ips = [
                v
                for (v,) in store.engine.connect().execute(  # type: ignore[attr-defined]
                    sa.select(schema.indicators.c.value).limit(5000)
                )
            ]
            store.close()
            run_load(url, work / "data", ips, args)
            return
        report = work / "2026-11-20-scan_telnet-nl-geo.csv"
        events_bench.generate(report, args.events)
        store.replace_constituents(events_bench.constituents())
        from tocsin.services.ingest import ingest

        summary = ingest(  # the incidents are the bench's own, made below
            Settings(database_url=url),
            store,
            [str(report)],
            "shadowserver",
            now=wall_clock,
            aggregate=False,
        )
        print(f"events: {summary.line()}", file=sys.stderr)
        report.unlink()
        accounts = Accounts(store, now=lambda: int(time.time()))
        team = accounts.ensure_team()
        accounts.add_user(
            Principal.system(), name="bench", password=PASSWORD, role="analyst", org_id=team
        )
        started = time.perf_counter()
        make_incidents(store, args.incidents, team, store.count_events())
        print(
            f"incidents: {args.incidents:,} in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        ips = [
            v
            for (v,) in store.engine.connect().execute(  # type: ignore[attr-defined]
                sa.select(schema.indicators.c.value).limit(5000)
            )
        ]
        store.close()
        # a bulk load leaves no statistics until autovacuum comes by: without them PostgreSQL
        # guesses every full-text match at 0.7 % and scans a rare word's incidents backwards
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")
        run_load(url, work / "data", ips, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_load(url: str, data: Path, ips: list[str], args: argparse.Namespace) -> None:
    """Serve the database on a loopback port and measure the pages under a bounded load."""
    settings = {"TOCSIN_DATABASE_URL": url, "TOCSIN_DATA_DIR": str(data)}
    with loopback.tocsin_serve(settings) as port:
        rng = random.Random(5)
        paths = []
        for _ in range(args.requests):
            paths.append(("queue", "/console"))
            paths.append(("incident", f"/incidents/{rng.randrange(1, args.incidents + 1)}"))
            paths.append(("events of an address", "/events?" + urlencode({"ip": rng.choice(ips)})))
            for kind, text in (
                ("search: address", rng.choice(ips)),
                ("search: reference", f"TOC-2026-{rng.randrange(1, args.incidents + 1):06d}"),
                ("search: constituent", f"Org {rng.randrange(300)}"),
                ("search: common word", rng.choice(COMMON)),
                ("search: rare word", rng.choice(RARE)),
                ("search: two words", f"{rng.choice(NOTE_WORDS)} {rng.choice(RARE)}"),
            ):
                paths.append((kind, "/search?" + urlencode({"q": text})))
        rng.shuffle(paths)
        timings = load(port, paths, clients=args.clients)
        print(
            f"{args.events:,} events, {args.incidents:,} incidents, PostgreSQL, "
            f"{args.clients} clients"
        )
        for kind, values in sorted(timings.items()):
            values.sort()
            p95 = values[int(len(values) * 0.95) - 1]
            goal = 100 if kind.startswith("search") else 200
            print(
                f"{kind:22s} n={len(values):4d}  p50 {statistics.median(values):6.1f} ms  "
                f"p95 {p95:6.1f} ms  (goal {goal} ms)"
            )
        print(
            orjson.dumps(
                {k: sorted(v)[int(len(v) * 0.95) - 1] for k, v in timings.items()}
            ).decode()
        )


if __name__ == "__main__":
    main()
