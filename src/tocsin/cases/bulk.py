"""Several incidents at once, from the queue: assign, acknowledge, close with a reason, merge.

Each incident goes through the same service call as on its own page, in its own transaction,
with its own timeline line and audit entry; one that cannot take the change (another team's, a
move its state does not allow) is reported with the reason and the others go on. A merge is
asked for first (``merge_plan``: what would go where, and a warning when the constituents
differ) and runs only when confirmed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tocsin.cases.incidents import Incidents
from tocsin.errors import Conflict, Forbidden, InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.incident import Incident, Status
from tocsin.model.limits import bounded
from tocsin.model.people import Principal

MAX_BULK = 200  # the longest page of the queue
ACTIONS = ("assign", "acknowledge", "close", "merge")


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What became of each incident: the references changed, and those refused with why."""

    action: str
    done: list[str]
    refused: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class MergePlan:
    """A merge as it would run: the incidents merged into ``target``, and what to warn about."""

    target: Incident
    sources: list[Incident]
    warnings: list[str]


def chosen(ids: Sequence[str | int]) -> list[int]:
    """The incident numbers ticked, each once, in order; none, or more than a page, refused."""
    found: list[int] = []
    for value in ids:
        text = str(value).strip()
        if not text.isdigit() or not 0 < int(text) < 1 << 62:
            raise InvalidValue("incidents", value, "incident numbers")
        if int(text) not in found:
            found.append(int(text))
    if not found:
        raise InvalidValue("incidents", "", "tick at least one incident")
    if len(found) > MAX_BULK:
        raise InvalidValue("incidents", len(found), f"at most {MAX_BULK} at once")
    return found


class Bulk:
    """The queue's bulk actions over the desk's incident service."""

    def __init__(self, incidents: Incidents) -> None:
        self.incidents = incidents

    def assign(self, who: Principal, ids: Sequence[str | int], assignee: int | None) -> BulkOutcome:
        return self._each(who, "assign", ids, lambda i: self.incidents.assign(who, i, assignee))

    def acknowledge(self, who: Principal, ids: Sequence[str | int]) -> BulkOutcome:
        """New incidents move to acknowledged; the others are left as they are, with why."""
        return self._each(
            who,
            "acknowledge",
            ids,
            lambda i: self.incidents.transition(who, i, Status.ACKNOWLEDGED.value),
        )

    def close(self, who: Principal, ids: Sequence[str | int], reason: str) -> BulkOutcome:
        """Each incident resolved (when it is not yet) then closed, the reason said with both
        moves; a reason is required."""
        said = bounded("incident.comment", reason)
        if not said:
            raise InvalidValue("reason", reason, "say why these incidents are closed")

        def close_one(incident_id: int) -> object:
            found = self.incidents.get(who, incident_id)
            if found.status is not Status.RESOLVED:
                self.incidents.transition(who, incident_id, Status.RESOLVED.value, said)
            return self.incidents.transition(who, incident_id, Status.CLOSED.value, said)

        return self._each(who, "close", ids, close_one)

    def merge_plan(self, who: Principal, ids: Sequence[str | int], target: str | int) -> MergePlan:
        """What merging the ticked incidents into ``target`` (one of them) would do, refused
        when one of them may not be changed or was merged already."""
        numbers = chosen(ids)
        if len(numbers) < 2:
            raise InvalidValue("incidents", len(numbers), "tick two incidents or more to merge")
        into = chosen([target])[0]
        if into not in numbers:
            raise InvalidValue("into", target, "the incident kept is one of those ticked")
        found = {n: self.incidents.get(who, n) for n in numbers}
        for incident in found.values():
            if not access.can_change(who, incident):
                raise Forbidden(f"you may not change {incident.reference}")
            if incident.merged_into is not None:
                raise Conflict(f"{incident.reference} was merged already")
        kept = found[into]
        sources = [found[n] for n in numbers if n != into]
        warnings: list[str] = []
        constituents = {i.constituent or "" for i in found.values()}
        if len(constituents) > 1:
            named = ", ".join(sorted(c or "none" for c in constituents))
            warnings.append(f"These incidents concern different constituents: {named}.")
        if len({i.type for i in found.values()}) > 1:
            warnings.append("These incidents are of different types.")
        return MergePlan(kept, sources, warnings)

    def merge(self, who: Principal, ids: Sequence[str | int], target: str | int) -> BulkOutcome:
        """The plan, run: each other incident merged into the one kept."""
        plan = self.merge_plan(who, ids, target)
        return self._each(
            who,
            "merge",
            [s.id for s in plan.sources],
            lambda i: self.incidents.merge(who, i, plan.target.id),
        )

    def _each(
        self,
        who: Principal,
        action: str,
        ids: Sequence[str | int],
        change: Callable[[int], object],
    ) -> BulkOutcome:
        done: list[str] = []
        refused: list[tuple[str, str]] = []
        for incident_id in chosen(ids):
            try:
                name = self.incidents.get(who, incident_id).reference
            except NotFound:
                refused.append((f"#{incident_id}", "no such incident"))
                continue
            try:
                change(incident_id)
            except (Conflict, Forbidden, InvalidValue) as exc:
                refused.append((name, str(exc)))
                continue
            done.append(name)
        return BulkOutcome(action, done, refused)


__all__ = ["ACTIONS", "MAX_BULK", "Bulk", "BulkOutcome", "MergePlan", "chosen"]
