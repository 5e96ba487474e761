"""Statistics releases: a table checked, released with four eyes, immutable once made, refused
when together with the releases before it an attacker could derive a suppressed value.

A lead or an admin makes a release from a table's declaration (``tables.Spec``): the incidents
of its period are counted (merged ones and those tagged ``exercise`` or ``test`` left out),
primary and secondary suppression applied (``sdc.protect``), then the whole ledger audited
(``sdc.audit`` over this release and every earlier one, pending or published). A release that
leaks is refused before anything is kept, naming the cells an attacker could narrow and how. A
kept release waits for a second lead or admin (never its author) to publish it; its cells, their
true values and what is shown are stored once and never changed, and the snapshot (a SHA-256 of
the counted records) and the CSV's SHA-256 make it reproducible. Every step is in the audit log.
"""

from __future__ import annotations

import hashlib
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from tocsin.errors import Conflict, Forbidden, InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.limits import bounded
from tocsin.model.people import Principal, Role
from tocsin.stats.outputs import to_csv, to_json, to_sdmx_csv
from tocsin.stats.sdc import Leak, Pattern, Published, audit, protect, published_value
from tocsin.stats.tables import Record, Spec, Table, build, parse_spec, record, spec_of
from tocsin.store.base import Store

MAKERS = (Role.ADMIN, Role.LEAD)
READERS = (Role.ADMIN, Role.LEAD, Role.AUDITOR)
LEFT_OUT_TAGS = frozenset({"exercise", "test"})


@dataclass(frozen=True, slots=True)
class Checked:
    table: Table
    pattern: Pattern
    leaks: list[Leak]  # with the earlier releases: empty when it may go
    snapshot: str

    def rows(self) -> list[dict[str, Any]]:
        """Each cell as published: its key, what is shown, and why when suppressed."""
        out = []
        for i, cell in enumerate(self.table.cells):
            shown, _, _ = published_value(cell.value, self.table.spec.rule)
            hidden = i in self.pattern.reasons
            out.append(
                {
                    "key": list(cell.key),
                    "codes": {d: sorted(c) for d, c in cell.codes.items()},
                    "value": cell.value,
                    "victims": cell.victims,
                    "shown": None if hidden else shown,
                    "suppressed": hidden,
                    "reason": self.pattern.reasons.get(i, ""),
                }
            )
        return out


class Oversight:
    def __init__(self, store: Store, *, now: Callable[[], int]) -> None:
        self.store = store
        self.now = now

    # -- building and checking --------------------------------------------------------------

    @staticmethod
    def spec(text: str, where: str = "spec") -> Spec:
        """A table's declaration read from TOML (``tables.parse_spec``)."""
        return parse_spec(text, where)

    def records(self, spec: Spec) -> list[Record]:
        first = spec.months[0]
        last = spec.months[-1]
        start = _month_start(first)
        year, month = (int(p) for p in last.split("-"))
        end = _month_start(last) + monthrange(year, month)[1] * 86_400
        found = []
        months: dict[int, str] = {}  # a day's month, worked out once
        for row in self.store.oversight.counted(start, end):
            incident_id, type_, sector, priority, created, constituent, source, details = row
            if '"tags"' in details and LEFT_OUT_TAGS & set(orjson.loads(details).get("tags", ())):
                continue
            victim = (
                f"constituent:{constituent}"
                if constituent
                else source
                if source.startswith("report:")
                else f"incident:{incident_id}"
            )
            day = created // 86_400
            month = months.get(day)
            if month is None:
                month = months[day] = datetime.fromtimestamp(created, UTC).strftime("%Y-%m")
            found.append(record(type_, sector, priority, month, victim))
        return found

    def check(self, who: Principal, spec: Spec) -> Checked:
        access.require(who, *MAKERS)
        records = self.records(spec)
        table = build(spec, records)
        pattern = protect(table.cells, table.lines, spec.rule)
        checked = Checked(table, pattern, [], _snapshot(records))
        mine = _published(checked.rows(), spec)
        leaks = audit(mine + self._earlier(), spec.rule)
        return Checked(table, pattern, leaks, checked.snapshot)

    def _earlier(self) -> list[Published]:
        """Every cell of every release kept so far, pending or published (a pending one may be
        published yet), as the attacker of a new release would know it."""
        cells: list[Published] = []
        for kept in self.store.oversight.releases():
            if kept["state"] == "refused":
                continue
            spec = spec_of(kept["spec"])
            cells += _published(kept["cells"], spec, prefix=f"release {kept['id']} ")
        return cells

    # -- releases ---------------------------------------------------------------------------

    def release(self, who: Principal, spec: Spec) -> dict[str, Any]:
        """Keep a release waiting for a second lead; refused (``Conflict``) when it leaks."""
        checked = self.check(who, spec)
        if checked.leaks:
            raise Conflict(
                "refused: with the releases before it, an attacker could narrow "
                + "; ".join(leak.line() for leak in checked.leaks[:5])
            )
        rows = checked.rows()
        text = to_csv(spec, rows)
        with self.store.transaction() as tx:
            release_id = self.store.oversight.add_release(
                tx,
                {
                    "name": spec.name,
                    "title": spec.title,
                    "spec": spec.as_dict(),
                    "cells": rows,
                    "snapshot": checked.snapshot,
                    "digest": hashlib.sha256(text.encode()).hexdigest(),
                    "state": "pending",
                    "author": who.username,
                    "created": self.now(),
                },
            )
            self._audit(tx, who, "stats.release", release_id, {"name": spec.name})
        found = self.store.oversight.release(release_id)
        assert found is not None
        return found

    def approve(self, who: Principal, release_id: int) -> dict[str, Any]:
        return self._decide(who, release_id, "published", "")

    def refuse(self, who: Principal, release_id: int, reason: str) -> dict[str, Any]:
        said = bounded("release.reason", reason.strip())
        if not said:
            raise InvalidValue("reason", reason, "say why the release is refused")
        return self._decide(who, release_id, "refused", said)

    def _decide(self, who: Principal, release_id: int, state: str, reason: str) -> dict[str, Any]:
        access.require(who, *MAKERS, scope="write")
        found = self.store.oversight.release(release_id)
        if found is None:
            raise NotFound(f"no statistics release {release_id}")
        if found["author"] == who.username:
            raise Forbidden("four eyes: a lead other than its author decides a release")
        with self.store.transaction() as tx:
            if not self.store.oversight.decide(tx, release_id, state, who.username, self.now()):
                raise Conflict(f"release {release_id} is {found['state']}, not pending")
            details = {"name": found["name"]} | ({"reason": reason} if reason else {})
            action = "stats.publish" if state == "published" else "stats.refuse"
            self._audit(tx, who, action, release_id, details)
        done = self.store.oversight.release(release_id)
        assert done is not None
        return done

    def releases(self, who: Principal | None, state: str | None = None) -> list[dict[str, Any]]:
        """The releases; the public (``who`` None) sees the published ones only."""
        if who is None:
            return self.store.oversight.releases("published")
        access.require(who, *READERS)
        return self.store.oversight.releases(state)

    def get(self, who: Principal | None, release_id: int) -> dict[str, Any]:
        """A release: a published one for anyone, any for the staff who read releases."""
        found = self.store.oversight.release(release_id)
        visible = found is not None and (
            found["state"] == "published" or (who is not None and who.role in READERS)
        )
        if found is None or not visible:
            raise NotFound(f"no published statistics release {release_id}")
        return found

    def csv(self, who: Principal | None, release_id: int) -> str:
        found = self.get(who, release_id)
        return to_csv(spec_of(found["spec"]), found["cells"])

    def output(self, who: Principal | None, release_id: int, form: str) -> str:
        """The release as ``csv``, ``sdmx`` (SDMX-CSV) or ``json``."""
        found = self.get(who, release_id)
        spec = spec_of(found["spec"])
        if form == "sdmx":
            return to_sdmx_csv(spec, found["cells"])
        if form == "json":
            return orjson.dumps(to_json(found), option=orjson.OPT_INDENT_2).decode() + "\n"
        if form == "csv":
            return to_csv(spec, found["cells"])
        raise InvalidValue("format", form, "csv, sdmx or json")

    def _audit(
        self, tx: Any, who: Principal, action: str, release_id: int, details: dict[str, Any]
    ) -> None:
        self.store.cases.append_audit(
            tx,
            at=self.now(),
            actor=who.username,
            action=action,
            object_type="stats_release",
            object_id=str(release_id),
            details=details,
        )


def _published(rows: list[dict[str, Any]], spec: Spec, prefix: str = "") -> list[Published]:
    out = []
    for row in rows:
        _, low, high = published_value(row["value"], spec.rule)
        codes = {d: frozenset(c) for d, c in row["codes"].items()}
        label = prefix + f"{spec.name} " + "/".join(row["key"])
        sensitive = row["reason"].startswith("primary")
        out.append(Published(codes, row["value"], low, high, row["suppressed"], label, sensitive))
    return out


def _snapshot(records: list[Record]) -> str:
    lines = sorted(orjson.dumps([r.codes, r.victim], option=orjson.OPT_SORT_KEYS) for r in records)
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def _month_start(month: str) -> int:
    year, number = (int(p) for p in month.split("-"))
    return int(datetime(year, number, 1, tzinfo=UTC).timestamp())


__all__ = ["Checked", "Oversight"]
