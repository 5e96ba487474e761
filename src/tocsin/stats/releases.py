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

One module past 400 lines: reading what a table counts, checking, keeping and deciding a
release are one lifecycle over one ledger, which every step audits against.
"""

from __future__ import annotations

import hashlib
from calendar import monthrange
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from tocsin.errors import Conflict, Forbidden, InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.assist.figure_facts import country as counterpart_country
from tocsin.model.assist.figure_facts import issued
from tocsin.model.limits import bounded
from tocsin.model.people import Principal, Role
from tocsin.stats import dp
from tocsin.stats.outputs import to_csv, to_json, to_sdmx_csv
from tocsin.stats.sdc import (
    Leak,
    Pattern,
    Published,
    TooFine,
    audit,
    protect,
    published_value,
)
from tocsin.stats.tables import (
    Record,
    Spec,
    Table,
    audit_codes,
    build,
    event_record,
    parse_spec,
    record,
    request_record,
    stored_spec,
    template,
)
from tocsin.store.base import Store

MAKERS = (Role.ADMIN, Role.LEAD)
READERS = (Role.ADMIN, Role.LEAD, Role.AUDITOR)
LEFT_OUT_TAGS = frozenset({"exercise", "test"})
RELEASE_LOCK = "stats-release"


@dataclass(frozen=True, slots=True)
class Checked:
    table: Table
    pattern: Pattern
    leaks: list[Leak]  # with the earlier releases: empty when it may go
    snapshot: str
    noise: dp.Noisy | None = None  # a differentially private table's noisy cells (stats.dp)

    def declared(self) -> dict[str, Any]:
        """The declaration as kept with the release; a dp one's with its noise's parameters."""
        noise = {"noise": self.noise.parameters.as_dict()} if self.noise else {}
        return self.table.spec.as_dict() | noise

    def rows(self) -> list[dict[str, Any]]:
        """Each cell as published: its key, what is shown, and why when suppressed."""
        out = []
        for i, cell in enumerate(self.table.cells):
            shown, _, _ = published_value(cell.value, self.table.spec.rule)
            if self.noise is not None:
                shown = self.noise.shown[i]
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


@dataclass(frozen=True, slots=True)
class Reproduced:
    release: int
    same: bool  # the snapshot (and, but for a noisy table, the CSV) as kept
    snapshot: str
    digest: str  # the CSV's SHA-256


class Oversight:
    def __init__(
        self,
        store: Store,
        *,
        now: Callable[[], int],
        budget: float = dp.BUDGET,
        regions: Sequence[str] = (),
    ) -> None:
        self.store = store
        self.now = now
        self.budget = budget  # a calendar year's epsilon for the dp releases (stats.dp)
        self.regions = tuple(regions)  # the desk's region codes (``stats_regions``)

    # -- building and checking --------------------------------------------------------------

    def spec(self, text: str, where: str = "spec") -> Spec:
        """A table's declaration read from TOML (``tables.parse_spec``); a table by region
        that declares no list takes the desk's."""
        return parse_spec(text, where, self.regions)

    def template(self, name: str, year: int) -> tuple[str, list[Spec]]:
        """A template's title and tables for a year (``tables.template``)."""
        return template(name, year, self.regions)

    def records(self, spec: Spec) -> list[Record]:
        """What the table counts over its period: incidents (for incidents and victims) or
        requests for assistance."""
        first = spec.months[0]
        last = spec.months[-1]
        start = _month_start(first)
        year, month = (int(p) for p in last.split("-"))
        end = _month_start(last) + monthrange(year, month)[1] * 86_400
        if spec.measure == "requests":
            return self._requests(start, end)
        if spec.measure == "events":
            return self._events(start, end)
        registry = {c.name: c for c in self.store.constituents()}
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
            known = registry.get(constituent) if constituent else None
            found.append(
                record(
                    type_,
                    sector,
                    priority,
                    month,
                    victim,
                    source=source,
                    country=known.country if known else None,
                    region=known.region if known else None,
                )
            )
        return found

    def _events(self, start: int, end: int) -> list[Record]:
        """The period's events as the database counts them, by day, type, constituent and
        source ASN; a victim is the constituent, else the network (ASN) the events came from."""
        registry = {c.name: c for c in self.store.constituents()}
        months: dict[int, str] = {}
        found = []
        for day, type_, constituent, asn, count in self.store.oversight.events_counted(start, end):
            month = months.get(day)
            if month is None:
                month = months[day] = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m")
            known = registry.get(constituent) if constituent else None
            victim = (
                f"constituent:{constituent}"
                if constituent
                else f"asn:{asn}"
                if asn is not None
                else "unknown"
            )
            sector = known.sector if known else None
            found.append(
                event_record(
                    type_,
                    month,
                    victim,
                    int(count),
                    sector,
                    known.country if known else None,
                    known.region if known else None,
                )
            )
        return found

    def _requests(self, start: int, end: int) -> list[Record]:
        """Every team's requests for assistance issued (or, incoming, received) in the period,
        by the month of their issuance in UTC (``model.assist.figure_facts.issued``)."""
        requests = self.store.assist_figures.issued_between(start, end)
        steps = self.store.assist_figures.steps_of([r.id for r in requests])
        contacts = {c.id: c for c in self.store.assist.contacts()}
        found = []
        for request in requests:
            when = issued(request, steps.get(request.id, ()))
            if when is None or not start <= when.timestamp() < end:
                continue
            found.append(
                request_record(
                    request.basis.value,
                    request.direction.value,
                    counterpart_country(request, contacts),
                    when.astimezone(UTC).strftime("%Y-%m"),
                    f"request:{request.id}",
                )
            )
        return found

    def check(self, who: Principal, spec: Spec) -> Checked:
        """The table, its suppression and its audit with every kept release."""
        return self.check_all(who, [spec])[0]

    def _check(
        self,
        spec: Spec,
        counted: tuple[list[Record], str],
        universe: frozenset[str],
        known: Sequence[Published],
    ) -> Checked:
        """One table of ``check_all``: ``counted``, its period's records and their snapshot;
        ``known``, what the attacker knows before it (the kept releases, the tables before it)."""
        if spec.dp:
            return self._noisy(spec, counted[0])
        records, snapshot = counted
        table = build(spec, records)
        pattern = protect(table.cells, table.lines, spec.rule)
        checked = Checked(table, pattern, [], snapshot)
        mine = _published(checked.rows(), spec, regions=universe)
        try:
            leaks = audit([*mine, *known], spec.rule)
        except TooFine as exc:  # refused rather than published unaudited
            raise Conflict(f"refused: {exc}") from None
        return Checked(table, pattern, leaks, checked.snapshot)

    def counted(self, spec: Spec) -> tuple[list[Record], str]:
        """The records of the table's period and their snapshot (the SHA-256 that makes a
        release reproducible)."""
        records = self.records(spec)
        return records, _snapshot(records)

    def _noisy(self, spec: Spec, records: list[Record] | None = None) -> Checked:
        """A differentially private table (``stats.dp``): refused (``Conflict``) past a year's
        budget; each victim's incidents clamped to its contributions, the noise drawn; nothing
        suppressed. A check draws its own noise, seen by staff only, who see the counts too."""
        dp.afford(self._kept(), spec, self.budget)
        if records is None:
            records = self.records(spec)
        counted, left_out = dp.clamp(records, spec.contributions, set(spec.months))
        table = build(spec, counted)
        return Checked(table, Pattern(), [], _snapshot(counted), dp.noisy(table, left_out))

    def _kept(self) -> list[dict[str, Any]]:
        return self.store.oversight.releases(limit=1_000_000)

    def ledger(self, who: Principal, year: int) -> dict[str, Any]:
        """A calendar year's privacy budget: the budget, the epsilon spent by the dp releases
        kept (pending or published) whose period touches it, what is left, and those releases."""
        access.require(who, *READERS)
        return dp.ledger(self._kept(), year, self.budget).as_dict()

    def _universe(self, specs: Sequence[Spec], kept: list[dict[str, Any]]) -> frozenset[str]:
        """Every region code a table names: the desk's, the kept releases', the new ones'. A
        table's ``other`` region stands, in the audit, for those its own list leaves out."""
        codes = set(self.regions)
        for release in kept:
            codes.update(release["spec"].get("regions", ()))
        for spec in specs:
            codes.update(spec.regions)
        return frozenset(codes)

    @staticmethod
    def _earlier(kept: list[dict[str, Any]], regions: frozenset[str]) -> list[Published]:
        """Every cell of every release kept so far (``kept``), pending or published (a pending
        one may be published yet), as the attacker of a new release would know it."""
        cells: list[Published] = []
        for release in kept:
            # A dp release's cells are noisy: they tell no value exactly nor within sure
            # bounds, so they are no constraint of the attacker's linear program (stats.dp).
            if release["state"] == "refused" or release["spec"].get("method") == "dp":
                continue
            spec = stored_spec(release["spec"])
            label = f"release {release['id']} "
            cells += _published(release["cells"], spec, prefix=label, regions=regions)
        return cells

    # -- releases ---------------------------------------------------------------------------

    def release(self, who: Principal, spec: Spec) -> dict[str, Any]:
        """Keep a release waiting for a second lead; refused (``Conflict``) when it leaks."""
        return self.release_all(who, [spec])[0]

    def check_all(self, who: Principal, specs: Sequence[Spec]) -> list[Checked]:
        """Several tables (a template's): each audited with the kept releases and the tables
        before it in ``specs``, as ``release_all`` would keep them. The kept releases are read
        once, every one of them."""
        access.require(who, *MAKERS)
        kept = self._kept()
        universe = self._universe(specs, kept)
        known = self._earlier(kept, universe)
        found = []
        read: dict[tuple[str, str, str], tuple[list[Record], str]] = {}  # a period read once
        for spec in specs:
            read_as = "incidents" if spec.measure == "victims" else spec.measure  # same records
            key = (read_as, spec.first, spec.last)
            if key not in read:
                read[key] = self.counted(spec)
            checked = self._check(spec, read[key], universe, known)
            if not spec.dp:
                known += _published(checked.rows(), spec, prefix="with it ", regions=universe)
            found.append(checked)
        return found

    def release_all(self, who: Principal, specs: Sequence[Spec]) -> list[dict[str, Any]]:
        """Keep several tables at once (a template's): each audited with the kept releases and
        the tables before it; if one leaks, it is named and none is kept. One release is made
        at a time (a lock on the store): two made at once would each be audited without the
        other."""
        access.require(who, *MAKERS, scope="write")
        with self.store.try_lock(RELEASE_LOCK) as held:
            if not held:
                raise Conflict("another statistics release is being made: try again in a moment")
            checked_all = self.check_all(who, specs)
            for spec, checked in zip(specs, checked_all, strict=True):
                if checked.leaks:
                    raise Conflict(
                        f"refused: {spec.name}: with the releases before it, an attacker could "
                        "narrow " + "; ".join(leak.line() for leak in checked.leaks[:5])
                    )
            dp.afford_together(list(specs), self._kept(), self.budget)
            with self.store.transaction() as tx:
                made = zip(specs, checked_all, strict=True)
                ids = [self._keep(tx, who, spec, checked) for spec, checked in made]
        found = [self.store.oversight.release(i) for i in ids]
        return [f for f in found if f is not None]

    def _keep(self, tx: Any, who: Principal, spec: Spec, checked: Checked) -> int:
        rows = checked.rows()
        text = to_csv(spec, rows)
        release_id = self.store.oversight.add_release(
            tx,
            {
                "name": spec.name,
                "title": spec.title,
                "spec": checked.declared(),
                "cells": rows,
                "snapshot": checked.snapshot,
                "digest": hashlib.sha256(text.encode()).hexdigest(),
                "state": "pending",
                "author": who.username,
                "created": self.now(),
            },
        )
        self._audit(tx, who, "stats.release", release_id, {"name": spec.name})
        return release_id

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

    def reproduce(self, who: Principal, release_id: int) -> Reproduced:
        """Build a kept release again from its stored declaration over the store as it is now:
        the same records give the same snapshot, and the same table the same CSV (a noisy table
        of differential privacy is compared by its snapshot only: its noise is drawn once)."""
        access.require(who, *READERS)
        found = self.get(who, release_id)
        spec = stored_spec(found["spec"])
        records = self.records(spec)
        if spec.dp:  # what the noise was drawn over: each victim's incidents clamped
            records, _ = dp.clamp(records, spec.contributions, set(spec.months))
        table = build(spec, records)
        pattern = protect(table.cells, table.lines, spec.rule)
        rows = Checked(table, pattern, [], "").rows()
        digest = hashlib.sha256(to_csv(spec, rows).encode()).hexdigest()
        snapshot = _snapshot(records)
        same = snapshot == found["snapshot"]
        if found["spec"].get("method", "suppression") == "suppression":
            same = same and digest == found["digest"]
        return Reproduced(release_id, same, snapshot, digest)

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
        return to_csv(stored_spec(found["spec"]), found["cells"])

    def output(self, who: Principal | None, release_id: int, form: str) -> str:
        """The release as ``csv``, ``sdmx`` (SDMX-CSV) or ``json``."""
        found = self.get(who, release_id)
        spec = stored_spec(found["spec"])
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


def _published(
    rows: list[dict[str, Any]], spec: Spec, prefix: str = "", regions: frozenset[str] = frozenset()
) -> list[Published]:
    out = []
    for row in rows:
        _, low, high = published_value(row["value"], spec.rule)
        codes = audit_codes(spec, row["codes"], regions)
        label = prefix + f"{spec.name} " + "/".join(row["key"])
        sensitive = row["reason"].startswith("primary")
        out.append(Published(codes, row["value"], low, high, row["suppressed"], label, sensitive))
    return out


def _snapshot(records: list[Record]) -> str:
    lines = sorted(
        orjson.dumps([r.codes, r.victim, *([r.count] if r.count != 1 else [])], option=_SORTED)
        for r in records
    )
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


_SORTED = orjson.OPT_SORT_KEYS


def _month_start(month: str) -> int:
    year, number = (int(p) for p in month.split("-"))
    return int(datetime(year, number, 1, tzinfo=UTC).timestamp())


__all__ = ["Checked", "Oversight", "Reproduced"]
