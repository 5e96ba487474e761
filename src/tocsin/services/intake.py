"""What goes into the store: feed files through the pipeline, the rows they left in quarantine,
and the registry (constituents, the IP-to-ASN table) the pipeline enriches with.

One object on the desk, so the command line and the pages call it without wiring a store in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tocsin.errors import InvalidValue
from tocsin.model.clock import Now, wall_clock
from tocsin.model.constituent import Constituent
from tocsin.pipeline.parsers import all_parsers, get_parser
from tocsin.pipeline.runner import Chunk as Chunk
from tocsin.pipeline.runner import Progress, Summary
from tocsin.services import quarantine, registry
from tocsin.services.collectors import recorded
from tocsin.services.ingest import ingest, inputs, load_mapping
from tocsin.settings import Settings
from tocsin.store.base import Store
from tocsin.store.shapes import QuarantineEntry


@dataclass(frozen=True, slots=True)
class FeedFormat:
    """One feed Tocsin reads, as ``tocsin feeds`` lists it."""

    name: str
    provider: str
    default_tlp: str
    help: str


def feed_formats() -> list[FeedFormat]:
    """Every feed format, in the order the parsers declare them."""
    return [
        FeedFormat(name, parser.provider, parser.default_tlp, parser.help)
        for name, parser in all_parsers().items()
    ]


class Intake:
    def __init__(self, settings: Settings, store: Store, now: Now = wall_clock) -> None:
        self.settings = settings
        self.store = store
        self.now = now

    def ingest(
        self,
        paths: list[str],
        feed: str,
        *,
        mapping: Path | None = None,
        tlp: str | None = None,
        window: int | None = None,
        progress: Progress | None = None,
    ) -> Summary:
        """Run feed files (or a MISP feed's directory) through the pipeline into the store;
        the run is recorded as the source ``ingest:<feed>`` (feed health shows it)."""
        options = load_mapping(mapping)
        get_parser(feed)  # a misspelt feed is refused before a run is recorded under its name
        with recorded(self.store, self.now, feed) as done:
            summary = ingest(
                self.settings,
                self.store,
                inputs(feed, paths),
                feed,
                options=options,
                tlp=tlp,
                window=window,
                progress=progress,
                now=self.now,
            )
            done.append(summary)
        return summary

    def quarantined(
        self, *, feed: str | None = None, file: str | None = None, limit: int = 100
    ) -> list[QuarantineEntry]:
        return quarantine.list_entries(self.store, feed=feed, file=file, limit=limit)

    def quarantined_row(self, entry_id: int) -> QuarantineEntry:
        return quarantine.show(self.store, entry_id)

    def retry(
        self, *, feed: str | None = None, file: str | None = None, mapping: Path | None = None
    ) -> tuple[Summary, list[str]]:
        """Quarantined rows' files again; returns the summary and the files no longer readable."""
        options = load_mapping(mapping)
        return quarantine.retry(
            self.settings, self.store, feed=feed, file=file, options=options, now=self.now
        )

    def import_constituents(self, path: Path) -> int:
        return registry.import_constituents(self.store, path)

    def constituents(self) -> list[Constituent]:
        return registry.list_constituents(self.store)

    def import_asn_table(self, path: Path) -> tuple[int, list[InvalidValue]]:
        return registry.import_asn_table(self.store, path)


__all__ = ["Chunk", "FeedFormat", "Intake", "feed_formats"]
