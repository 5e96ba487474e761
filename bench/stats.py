"""Statistics bench: a year's release over the store of bench/console.py (10 M events, 1 M
incidents), against the time to read that year's incidents alone (the baseline).

    python bench/console.py --events 10000000 --incidents 1000000 --keep tocsin_console_10m
    python bench/stats.py --database tocsin_console_10m [--year 2026]

Times ``Oversight.check`` (read the incidents, build the table from the code lists, primary
and secondary suppression, the audit) for three tables — sector × priority, type × month, and
priority × month at a high threshold — then ``Oversight.check_all`` for the templates'
tables together (annual: five tables; art14: two; art28: two, of requests), and prints each
beside the baseline. Issue 16 asks for
under 60 s. Not a test: figures only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tocsin.model.people import Principal, Role
from tocsin.stats.releases import Oversight
from tocsin.stats.tables import spec_of
from tocsin.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="tocsin_console_10m")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--year", type=int, default=2026)
    args = parser.parse_args()
    store = open_store(args.postgres.rstrip("/") + "/" + args.database)
    lead = Principal(user_id=None, username="bench", role=Role.LEAD, org_id=None)
    oversight = Oversight(store, now=lambda: int(time.time()))
    first, last = f"{args.year}-01", f"{args.year}-12"
    started = time.perf_counter()
    rows = sum(1 for _ in store.oversight.counted(*_year(args.year)))
    baseline = time.perf_counter() - started
    print(f"{rows:,} incidents in {args.year}; reading them alone: {baseline:.1f} s (baseline)")
    # the bench's incidents come from 3,000 organisations: a threshold of 2,900 victims makes
    # the third table suppress cells and run the integer programs and the audit
    for rows_, columns, threshold in (
        ("sector", "priority", 10),
        ("type", "month", 10),
        ("priority", "month", 2900),
    ):
        spec = spec_of(
            {
                "name": "bench",
                "rows": rows_,
                "columns": columns,
                "from": first,
                "to": last,
                "threshold": threshold,
            }
        )
        started = time.perf_counter()
        checked = oversight.check(lead, spec)
        took = time.perf_counter() - started
        hidden = sum(1 for r in checked.rows() if r["suppressed"])
        print(
            f"{rows_} × {columns} (threshold {threshold}): {len(checked.table.cells)} cells, "
            f"{hidden} suppressed, "
            f"{checked.pattern.rounds} integer programs: {took:.1f} s "
            f"({took / baseline:.1f}× the baseline; goal 60 s)"
        )
    # a template's tables together, each audited with the ones before it (as released)
    for name in ("annual", "art14", "art28"):
        _, specs = oversight.template(name, args.year)
        started = time.perf_counter()
        found = oversight.check_all(lead, specs)
        took = time.perf_counter() - started
        cells = sum(len(c.table.cells) for c in found)
        hidden = sum(1 for c in found for r in c.rows() if r["suppressed"])
        leaks = sum(len(c.leaks) for c in found)
        print(
            f"template {name}: {len(specs)} tables, {cells} cells, {hidden} suppressed, "
            f"{leaks} leaks: {took:.1f} s ({took / baseline:.1f}× the baseline; goal 60 s)"
        )
    store.close()


def _year(year: int) -> tuple[int, int]:
    from datetime import UTC, datetime

    start = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    return start, int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())


if __name__ == "__main__":
    main()
