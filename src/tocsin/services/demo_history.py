"""The demo's two weeks: a desk at work, not every incident opened in the same second.

The sample feeds arrive one after another over the last ``DAYS`` days, each file at its own
hour, the last one two hours ago; the aggregation rules open incidents after each. The demo's
people then work them through the service layer, on a clock that only moves forward: most are
acknowledged and assigned within their SLA, some late (the breach is marked a minute after the
deadline passes, as the server's watch would), some wait on the constituent, the older ones are
resolved with a reason and closed, and one in ten is left for the night shift. The notices of
their events are planned as the notice desk plans them and recorded as sent (the demo's mail
never leaves: its addresses are made up), and most of the older ones acknowledged by their
recipients through their links. Deterministic: an incident's reference seeds its history.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from tocsin.cases.incidents import Incidents
from tocsin.errors import TocsinError
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.model.sla import DEFAULT_TARGETS
from tocsin.notify.notifier import Notifier
from tocsin.services.notices import notifier
from tocsin.settings import Settings
from tocsin.store.base import Store

T = TypeVar("T")
MINUTE, HOUR, DAY = 60, 3600, 86_400
DAYS = 14  # how far back the demo's desk began
LEFT_FOR_THE_NIGHT = 0.1  # the share of incidents nobody touched yet
LONG_RUNNING = 0.45  # the share whose owner takes days or weeks (half of them waiting on it)

NOTES = (
    "Called the constituent's abuse desk: they are looking into it.",
    "Asked the hoster to take the page down.",
    "Sinkhole data confirms the infection; asked the ISP which subscriber had the address.",
    "The constituent's IT provider confirms the host is patched.",
    "Shared the indicators with the sector's ISAC.",
)
WAITING = (
    "Waiting for the constituent's logs.",
    "Waiting for the hoster's answer.",
    "Waiting for the ISP to name the subscriber.",
)
RESOLVED = (
    "The constituent cleaned the host and changed its passwords.",
    "The page was taken down by the hoster.",
    "The service is no longer exposed: the constituent closed the port.",
    "False positive: a researcher's scanner, confirmed by the constituent.",
    "The device was replaced; the old one is off the network.",
)
CLOSED = "Closed: the constituent confirmed, nothing more to do."


class DemoClock:
    """The demo's time: it begins ``days`` before ``end`` and only moves forward, never past
    ``end`` (the moment the demo is loaded, from the desk's own clock)."""

    def __init__(self, end: int, days: int = DAYS) -> None:
        self.end = end
        self.at = end - days * DAY

    def __call__(self) -> int:
        return self.at

    def to(self, moment: int) -> None:
        self.at = max(self.at, min(moment, self.end))


@dataclass(order=True)
class _Step:
    at: int
    seq: int
    subject: int = field(compare=False)  # the incident's id, or a notice's
    action: str = field(compare=False)
    text: str = field(compare=False, default="")


class History:
    """Plans each new incident's history when it opens, and lives it as the clock moves on."""

    def __init__(self, settings: Settings, store: Store, clock: DemoClock) -> None:
        self.store = store
        self.clock = clock
        self.desk = Incidents(store, now=clock)
        self.people = {
            name: Principal.of(user)
            for name in ("analyst", "lead")
            if (user := store.people.user_named(name)) is not None
        }
        newest = store.cases.incidents(limit=1)
        self.last_id = newest[0].id if newest else 0
        self.steps: list[_Step] = []
        self.count = 0
        self.notices = self._notifier(settings)

    # -- planning ----------------------------------------------------------------------------

    def opened(self) -> int:
        """Plan the incidents opened since the last call, and the notices of their events."""
        new = [i for i in self.store.cases.incidents(limit=10_000) if i.id > self.last_id]
        for incident in sorted(new, key=lambda i: i.id):
            self._plan(incident)
            self.last_id = max(self.last_id, incident.id)
        self._notify()
        return len(new)

    def _plan(self, incident: Incident) -> None:
        rng = random.Random(incident.reference)
        acknowledge, resolve = DEFAULT_TARGETS.get(incident.priority, DEFAULT_TARGETS["P3"])
        self._add(incident.created + acknowledge + MINUTE, incident, "sla")
        self._add(incident.created + resolve + MINUTE, incident, "sla")
        if rng.random() < LEFT_FOR_THE_NIGHT or not self.people:
            return
        on_time = rng.random() < 0.85
        at = incident.created + (
            rng.randint(2 * MINUTE, max(3 * MINUTE, acknowledge - MINUTE))
            if on_time
            else rng.randint(acknowledge + 5 * MINUTE, acknowledge * 4 + HOUR)
        )
        who = "analyst" if rng.random() < 0.7 or "lead" not in self.people else "lead"
        self._add(at, incident, "acknowledge", who)
        # most are worked at once; some stay acknowledged for a few days
        at += rng.randint(MINUTE, 40 * MINUTE) if rng.random() < 0.8 else rng.randint(DAY, 4 * DAY)
        self._add(at, incident, "in_progress", who)
        if rng.random() < 0.4:
            self._add(at + rng.randint(10 * MINUTE, 3 * HOUR), incident, "note", rng.choice(NOTES))
        long_running = rng.random() < LONG_RUNNING
        if rng.random() < (0.5 if long_running else 0.15):
            at += rng.randint(1 * HOUR, 4 * HOUR)
            self._add(at, incident, "waiting", rng.choice(WAITING))
            at += rng.randint(3 * HOUR, 30 * HOUR) if not long_running else 20 * DAY
            self._add(at, incident, "resume")
        if long_running:  # a system its owner takes weeks to fix
            at += rng.randint(3 * DAY, 20 * DAY)
        else:
            at += rng.randint(resolve // 8, resolve + resolve // 2)
        self._add(at, incident, "resolved", rng.choice(RESOLVED))
        self._add(at + rng.randint(6 * HOUR, 2 * DAY), incident, "closed", CLOSED)

    def _add(self, at: int, incident: Incident, action: str, text: str = "") -> None:
        self.count += 1
        heapq.heappush(self.steps, _Step(at, self.count, incident.id, action, text))

    # -- living it -----------------------------------------------------------------------------

    def until(self, moment: int) -> None:
        """Every planned step up to ``moment``, each at its own time; then the clock is there."""
        while self.steps and self.steps[0].at <= moment:
            step = heapq.heappop(self.steps)
            self.clock.to(step.at)
            try:
                self._do(step)
            except TocsinError:
                continue  # merged meanwhile, or already moved: that history stops there
        self.clock.to(moment)
        self.desk.check_sla()

    def _do(self, step: _Step) -> None:
        desk, lead = self.desk, self.people.get("lead") or next(iter(self.people.values()))
        if step.action == "sla":
            desk.check_sla()
        elif step.action == "notice" and self.notices is not None:
            self.notices.acknowledge(step.subject, self.notices.token(step.subject))
        elif step.action == "acknowledge":
            person = self.people[step.text]
            desk.assign(lead, step.subject, person.user_id)
            desk.transition(person, step.subject, "acknowledged")
        elif step.action == "note":
            desk.add_note(self._assignee(step.subject), step.subject, step.text)
        elif step.action == "resume":
            desk.transition(self._assignee(step.subject), step.subject, "in_progress")
        elif step.action == "in_progress":
            desk.transition(self.people[step.text], step.subject, "in_progress")
        else:  # waiting, resolved, closed: with their reason
            desk.transition(self._assignee(step.subject), step.subject, step.action, step.text)

    def _assignee(self, incident_id: int) -> Principal:
        found = self.store.cases.incident(incident_id)
        for person in self.people.values():
            if found is not None and person.user_id == found.assignee_id:
                return person
        return next(iter(self.people.values()))

    # -- notices -----------------------------------------------------------------------------

    def _notifier(self, settings: Settings) -> Notifier | None:
        if not settings.secret_key:
            return None  # notices' links are signed with it: without one, the demo has none
        found = notifier(settings, self.store, self.clock)
        # the sample feeds' events are as old as the files: every one of them is notified
        found.settings = replace(found.settings, lookback=100 * 365 * DAY)
        return found

    def _notify(self) -> None:
        """Plan the new events' notices and record them sent a few minutes later."""
        if self.notices is None:
            return
        notices = self.notices
        notices.plan()
        domain = notices.settings.sender.domain
        pending = notices.listing(10_000, "pending")
        sent_at = self.clock() + 2 * MINUTE
        self.store.notices.update_many(
            [
                (
                    n["id"],
                    {
                        "status": "sent",
                        "attempts": 1,
                        "sent_at": sent_at,
                        "message_id": f"<demo-notice-{n['id']}@{domain}>",
                    },
                )
                for n in pending
            ]
        )
        for n in pending:
            rng = random.Random(n["id"])
            if rng.random() < 0.65:
                self._add_ack(sent_at + rng.randint(20 * MINUTE, 30 * HOUR), n["id"])

    def _add_ack(self, at: int, notice_id: int) -> None:
        """The recipient follows the notice's link (the step's id is the notice's)."""
        self.count += 1
        heapq.heappush(self.steps, _Step(at, self.count, notice_id, "notice"))


def load_history(
    settings: Settings,
    store: Store,
    clock: DemoClock,
    files: Sequence[Callable[[], T]],
    decide: Callable[[], tuple[int, int]],
) -> tuple[list[T], int, int]:
    """Each file's loader called at its own time, the rules run after it, the history lived up
    to the end; returns what each loader returned, the incidents opened and events linked."""
    history = History(settings, store, clock)
    span = clock.end - 2 * HOUR - clock.at
    first = clock.at
    results: list[T] = []
    opened = linked = 0
    for n, load in enumerate(files):
        moment = first + (span * n) // max(1, len(files) - 1)
        moment += random.Random(n).randint(0, 3 * HOUR) if n < len(files) - 1 else 0
        history.until(moment)
        results.append(load())
        new, added = decide()
        opened, linked = opened + new, linked + added
        history.opened()
    history.until(clock.end)
    return results, opened, linked
