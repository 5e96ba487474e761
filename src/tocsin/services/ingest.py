"""Ingesting feeds: builds the run's plan from the store's registry, runs the pipeline, then the
aggregation rules over what it stored (``services/aggregate.py``), so every door that stores
events through here ends in incidents."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tocsin.cases.rules_audit import record_rules
from tocsin.errors import ConfigError
from tocsin.model.clock import Now
from tocsin.pipeline.runner import Clock, Progress, Summary, make_plan, run
from tocsin.pipeline.stages.classify import PriorityRules
from tocsin.services.aggregate import decide
from tocsin.settings import Settings
from tocsin.store.base import Store


def load_mapping(path: str | Path | None) -> dict[str, Any]:
    """A generic feed's TOML mapping, or an empty one."""
    if path is None:
        return {}
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read mapping {path}: {exc}") from None


def inputs(feed: str, paths: Sequence[str]) -> list[str]:
    """The files to read: a MISP feed's directory stands for the event files its manifest lists
    (a listed file that is missing is an error naming it)."""
    if feed != "misp":
        return list(paths)
    from tocsin.pipeline.parsers.misp import feed_files

    found: list[str] = []
    for path in paths:
        if Path(path).is_dir():
            found.extend(str(p) for p in feed_files(path))
        else:
            found.append(path)
    return found


def ingest(
    settings: Settings,
    store: Store,
    paths: Sequence[str],
    feed: str,
    *,
    options: Mapping[str, Any] | None = None,
    tlp: str | None = None,
    window: int | None = None,
    progress: Progress | None = None,
    now: Now,
    clock: Clock | None = None,
    workers: int | None = None,
    aggregate: bool = True,
) -> Summary:
    """Feed files into the store, then the aggregation rules over the new events (unless
    ``aggregate`` is False: the demo runs them once after all its files). ``now`` is the desk's
    clock for observation times, audit entries and incidents; it has no default, so no caller
    (no test) reads the real time unawares. ``clock`` only overrides the observation time."""
    if clock is None:
        clock = _datetimes(now)
    rules_text = PriorityRules.source(settings.priority_rules)
    record_rules(store, now, "priority", rules_text)
    plan = make_plan(
        feed,
        constituents=store.constituents(),
        asn_ranges=store.asn_ranges(),
        options=options,
        rules=PriorityRules.load(settings.priority_rules, rules_text),
        window=settings.dedupe_window if window is None else window,
        batch_size=settings.batch_size,
        tlp=tlp,
        clock=clock,
    )
    summary = run(
        plan,
        store,
        paths,
        workers=settings.workers if workers is None else workers,
        progress=progress,
    )
    if aggregate:
        decide(settings, store, now)
    return summary


def _datetimes(now: Now) -> Clock:
    """The pipeline's clock (aware datetimes) on the desk's clock (whole seconds)."""
    return lambda: datetime.fromtimestamp(now(), UTC)
