"""The demo: made-up constituents, an ASN table and sample feeds, loaded into the store.

``demo/feeds.toml`` lists each sample file with its feed (and mapping, for generic feeds).
The dedupe window is 0 (forever) for the demo, so loading it twice stores nothing new.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from tocsin.pipeline.runner import Summary
from tocsin.services.ingest import ingest, load_mapping
from tocsin.services.registry import import_asn_table, import_constituents
from tocsin.settings import Settings
from tocsin.store.base import Store


def demo_dir() -> Path:
    return Path(str(resources.files("tocsin.demo")))


def load_demo(settings: Settings, store: Store) -> list[tuple[str, Summary]]:
    base = demo_dir()
    import_constituents(store, base / "constituents.toml")
    import_asn_table(store, base / "ip2asn.tsv")
    manifest = tomllib.loads((base / "feeds.toml").read_text(encoding="utf-8"))
    results = []
    for item in manifest["file"]:
        path = base / "feeds" / item["path"]
        options = load_mapping(base / item["mapping"]) if "mapping" in item else None
        summary = ingest(settings, store, [str(path)], item["feed"], options=options, window=0)
        results.append((item["path"], summary))
    return results
