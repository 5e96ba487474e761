"""Quarantined rows: list them, show one, and retry a file once its parser or mapping is fixed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tocsin.errors import NotFound
from tocsin.model.clock import Now
from tocsin.pipeline.runner import Summary
from tocsin.services.ingest import ingest
from tocsin.settings import Settings
from tocsin.store.base import Store
from tocsin.store.shapes import QuarantineEntry


def list_entries(
    store: Store,
    *,
    feed: str | None = None,
    file: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[QuarantineEntry]:
    return store.quarantine(feed=feed, file=file, limit=limit, offset=offset)


def show(store: Store, entry_id: int) -> QuarantineEntry:
    entry = store.quarantine_entry(entry_id)
    if entry is None:
        raise NotFound(f"no quarantined row {entry_id}")
    return entry


def retry(
    settings: Settings,
    store: Store,
    *,
    feed: str | None = None,
    file: str | None = None,
    options: Mapping[str, Any] | None = None,
    now: Now,
) -> tuple[Summary, list[str]]:
    """Run each file that has quarantined rows through the pipeline again.

    Rows that now pass are stored (once: fingerprints make it idempotent) and leave the quarantine;
    rows that still fail stay, with today's reason. Files that can no longer be read are listed
    and their rows kept.
    """
    groups: dict[tuple[str, str], None] = {}
    offset = 0
    while True:
        page = store.quarantine(feed=feed, file=file, limit=1000, offset=offset)
        if not page:
            break
        for entry in page:
            groups[(entry.feed, entry.file)] = None
        offset += len(page)
    total = Summary()
    missing: list[str] = []
    for feed_name, path in groups:
        if not Path(path).is_file():
            missing.append(path)
            continue
        summary = ingest(settings, store, [path], feed_name, options=options, workers=0, now=now)
        for result in summary.files:
            if result.error is None:
                store.prune_quarantine(feed_name, result.file, result.quarantine_keys)
        total.files.extend(summary.files)
        total.seconds += summary.seconds
    return total, missing
