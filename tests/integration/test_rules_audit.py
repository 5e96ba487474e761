"""Changes to the rules files reach the audit log, once per change (both backends)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import fixed_now
from tocsin.cases.rules_audit import record_rules
from tocsin.pipeline.stages.classify import PriorityRules
from tocsin.services.ingest import ingest
from tocsin.settings import Settings
from tocsin.store import Store

REPORT = '"timestamp","ip","port"\n"2026-11-20 01:00:00","192.0.2.1","23"\n'


def test_a_rules_file_is_audited_when_first_used_and_when_it_changes(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """Ingesting with the same priority rules twice records them once; editing the file records
    the new version, with its hash and text."""
    rules = tmp_path / "priority.toml"
    rules.write_text(PriorityRules.source())
    report = tmp_path / "2026-11-20-scan_telnet-nl-geo.csv"
    report.write_text(REPORT)
    custom = Settings(database_url=settings.database_url, workers=0, priority_rules=str(rules))
    ingest(custom, store, [str(report)], "shadowserver", now=fixed_now)
    ingest(custom, store, [str(report)], "shadowserver", now=fixed_now)
    rules.write_text(PriorityRules.source().replace('"scanner" = "P4"', '"scanner" = "P3"'))
    ingest(custom, store, [str(report)], "shadowserver", now=fixed_now)
    entries = store.cases.audit_for("rules", "priority")
    assert [e.action for e in entries] == ["rules.change", "rules.change"]
    assert entries[0].details["sha256"] != entries[1].details["sha256"]
    assert '"scanner" = "P3"' in entries[1].details["text"]


def test_recording_the_same_text_again_writes_nothing(store: Store) -> None:
    """record_rules answers False, and writes no entry, for an unchanged text."""
    assert record_rules(store, lambda: 1, "aggregation", "[[rule]]")
    assert not record_rules(store, lambda: 2, "aggregation", "[[rule]]")
    assert len(store.cases.audit()) == 1
