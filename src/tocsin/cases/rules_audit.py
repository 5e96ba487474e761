"""Rules are data in files; every change to one reaches the audit log.

Each time Tocsin loads a rules file (priority rules when ingesting, aggregation rules when they
run), it compares the file's SHA-256 with the one last recorded for it, and when they differ
appends a ``rules.change`` entry holding the new hash and text: who edited a file is the
system's business, what the desk then ran by is ours to prove.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from tocsin.store.base import Store

MAX_TEXT = 20_000


def record_rules(store: Store, now: Callable[[], int], name: str, text: str) -> bool:
    """Audit ``text`` as the rules called ``name`` if it differs from the last recorded version;
    True when an entry was written."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    history = store.cases.audit_for("rules", name, limit=100_000)
    if history and history[-1].details.get("sha256") == digest:
        return False
    with store.transaction() as conn:
        store.cases.append_audit(
            conn,
            at=now(),
            actor="tocsin",
            action="rules.change",
            object_type="rules",
            object_id=name,
            details={"sha256": digest, "text": text[:MAX_TEXT]},
        )
    return True
