"""Fuzz run: every feed's parser and the whole pipeline on many mutated samples and random bytes.

    PYTHONPATH=src:. python bench/fuzz.py [--runs 2000] [--seed 1] [--feed shadowserver ...]

For each feed of the registry, ``--runs`` inputs: recorded samples (``tests/samples``) with a
token that breaks parsers put in every row and then random edits, and plain random bytes. Each
goes through parse, normalise, dedupe, enrich, classify and the store's rows (no store). Prints,
per feed, the rows read, accepted, duplicate and quarantined, and every input that raised, lost a
row (read ≠ accepted + duplicates + quarantined), made a parser fail or left a value that is not
canonical; such inputs are saved under ``--keep`` to replay. Exits 1 if there was any. The unit
tests run the same checks with a small budget (tests/unit/parsers/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from pathlib import Path

from tests.fuzzing import TOKENS, Counts, every_row, feeds, mutate, pipeline, samples


def one_input(feed: str, rng: random.Random) -> tuple[str, bytes]:
    """A file name of the feed and the bytes to feed it."""
    name, data = rng.choice(samples(feed))
    if rng.random() < 0.1:
        return name, rng.randbytes(rng.randrange(4096))
    if rng.random() < 0.7:
        keep, copies = rng.choice([(1, 8), (0, 1), (1, 1)])
        data = every_row(data, rng.choice(TOKENS), rng.randrange(64), keep, copies)
    steps = 0 if rng.random() < 0.3 else rng.randrange(1, 12)
    return name, mutate(data, rng, steps)


def fuzz_feed(feed: str, runs: int, rng: random.Random, keep: Path) -> tuple[Counts, int]:
    """``runs`` inputs through one feed's pipeline: the counts, and how many inputs failed."""
    total = Counts()
    failures = 0
    for run in range(runs):
        name, data = one_input(feed, rng)
        try:
            counts = pipeline(feed, name, data)
            assert counts.parser_failures == 0, "a parser failed on a bug"
        except Exception:  # a finding to print and keep, not to stop at
            failures += 1
            keep.mkdir(parents=True, exist_ok=True)
            saved = keep / f"{feed}-{run}-{name}"
            saved.write_bytes(data)
            print(f"  {feed}: input {run} failed, kept as {saved}", file=sys.stderr)
            traceback.print_exc(limit=3)
            continue
        total.add(counts)
    return total, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000, help="inputs per feed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--feed", action="append", help="only these feeds (default: all)")
    parser.add_argument("--keep", type=Path, default=Path("fuzz-findings"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failed = 0
    print(f"{'feed':<15}{'inputs':>8}{'read':>10}{'accepted':>10}{'dupl.':>8}{'quar.':>10}{'s':>8}")
    for feed in args.feed or feeds():
        started = time.perf_counter()
        counts, failures = fuzz_feed(feed, args.runs, rng, args.keep)
        failed += failures
        print(
            f"{feed:<15}{args.runs:>8}{counts.read:>10}{counts.accepted:>10}"
            f"{counts.duplicates:>8}{counts.quarantined:>10}{time.perf_counter() - started:>8.1f}"
            + (f"  {failures} FAILED" if failures else "")
        )
    print("every row read was accepted, a duplicate or quarantined" if not failed else "")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
