"""Portal benchmark: reports from the public sent at once by several clients, beside a baseline.

    python bench/portal.py [--clients 8] [--reports 250] [--database-url URL]

Starts `tocsin serve` on a loopback port (SQLite in a temporary folder by default; give
--database-url postgresql://… for PostgreSQL), then N clients, each over one keep-alive
connection, send M complete reports (the first page for its token and stamp, then the last step
with every answer and go=send). Prints reports/s, p50 and p95 of the sending POST, errors, and
lost reports (answered with a reference but not in the store). In the same run, as a baseline,
the same clients fetch GET /report the same number of times (a page that writes nothing).
Not a test: figures only.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loopback import Client, tocsin_serve
from tocsin.store import open_store

HIDDEN = re.compile(rb'<input type="hidden" name="(csrf|started)" value="([^"]*)">')
REFERENCE = re.compile(rb'id="reference">([^<]+)<')
ANSWERS = {
    "step": "evidence",
    "lang": "en",
    "path": "ransom",
    "scope": "several",
    "ransom_contact": "pay@ransom.example",
    "when": "2026-11-20",
    "narrative": "The files on the shared drive end in .locked.",
    "reporter": "organisation",
    "sector": "health",
    "org_name": "Clinic",
    "contact": "yes",
    "email": "it@clinic.example",
    "go": "send",
}


@dataclass
class Tally:
    """What the clients saw: latencies (ms), errors, and the references they were given."""

    timings: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seconds: float = 0.0


def page_only(client: Client, tally: Tally) -> None:
    """The baseline: the first page of the portal, which writes nothing."""
    started = time.perf_counter()
    status, _ = client.request("GET", "/report")
    elapsed = (time.perf_counter() - started) * 1000
    with tally.lock:
        tally.timings.append(elapsed)
        if status != 200:
            tally.errors.append(f"GET /report: {status}")


def one_report(client: Client, tally: Tally) -> None:
    """A whole report: its first page, then the sending POST (timed)."""
    status, page = client.request("GET", "/report")
    fields = {k.decode(): v.decode() for k, v in HIDDEN.findall(page)}
    if status != 200 or len(fields) != 2:
        with tally.lock:
            tally.errors.append(f"GET /report: {status}")
        return
    started = time.perf_counter()
    status, done = client.request("POST", "/report", ANSWERS | fields)
    elapsed = (time.perf_counter() - started) * 1000
    found = REFERENCE.search(done)
    with tally.lock:
        tally.timings.append(elapsed)
        if status == 200 and found:
            tally.references.append(found.group(1).decode())
        else:
            tally.errors.append(f"POST /report: {status}")


def run(port: int, clients: int, each: int, work: Callable[[Client, Tally], None]) -> Tally:
    """``clients`` threads, each doing ``work`` ``each`` times on its own connection."""
    tally = Tally()

    def worker() -> None:
        client = Client(port)
        try:
            for _ in range(each):
                try:
                    work(client, tally)
                except (OSError, http.client.HTTPException) as exc:
                    with tally.lock:
                        tally.errors.append(f"{type(exc).__name__}: {exc}")
                    client.close()
                    client = Client(port)
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds = time.perf_counter() - started
    return tally


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * share) - 1, 0)] if ordered else float("nan")


def line(name: str, tally: Tally, done: int) -> str:
    rate = done / tally.seconds if tally.seconds else 0.0
    return (
        f"{name:22s} {done:6d} in {tally.seconds:6.1f} s  {rate:7.1f}/s  "
        f"p50 {statistics.median(tally.timings) if tally.timings else float('nan'):6.1f} ms  "
        f"p95 {percentile(tally.timings, 0.95):6.1f} ms  errors {len(tally.errors)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--reports", type=int, default=250, help="reports per client")
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file in a temporary folder; a PostgreSQL database is "
        "used as it is (counts are differences)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tocsin-portal-bench-"))
    url = args.database_url or f"sqlite:///{work / 'tocsin.db'}"
    try:
        store = open_store(url)  # migrated before the server starts
        before = store.reports.count()
        store.close()
        settings = {
            "TOCSIN_DATABASE_URL": url,
            "TOCSIN_DATA_DIR": str(work / "data"),
            "TOCSIN_REPORT_MIN_SECONDS": "0",
            "TOCSIN_REPORT_LIMIT": "100000000",
        }
        with tocsin_serve(settings) as port:
            baseline = run(port, args.clients, args.reports, page_only)
            sent = run(port, args.clients, args.reports, one_report)
        store = open_store(url)
        stored = store.reports.count() - before
        lost = [r for r in set(sent.references) if store.reports.by_reference(r) is None]
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    total = args.clients * args.reports
    print(f"portal, {backend}, {args.clients} clients × {args.reports} = {total} each phase")
    print(line("baseline GET /report", baseline, len(baseline.timings) - len(baseline.errors)))
    print(line("reports (sending POST)", sent, len(sent.references)))
    print(
        f"answered with a reference {len(sent.references)} ({len(set(sent.references))} "
        f"distinct), stored {stored}, lost (answered, not stored) {len(lost)}"
    )
    for error in sorted(set(sent.errors + baseline.errors))[:10]:
        print(f"  error: {error}")
    if sent.timings and baseline.timings:
        ratio = statistics.median(sent.timings) / statistics.median(baseline.timings)
        print(f"sending p50 is {ratio:.1f}× the baseline page's p50")


if __name__ == "__main__":
    main()
