"""The yearly figures of requests for assistance, as a service: the tables of
``tocsin.model.assist.figures`` over a team's requests issued in a year (``docs/assistance.md``,
section "Figures").

Who may read them: the people who read requests for assistance (liaisons, leads, admins and
auditors), for their own team; Tocsin itself (the command line on the server) for every team.
The figures count every request of the team, TLP:RED ones too: a table shows counts and times,
never a reference, a title, an identifier or a counterpart's name, and a year's statistics
cannot depend on who reads them. Reading them changes nothing, so nothing is audited.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tocsin.assist.access import READERS
from tocsin.errors import Forbidden, InvalidValue
from tocsin.model.assist.figures import TABLES, Figures, Table, figures, to_csv, zone_of
from tocsin.model.people import Principal
from tocsin.store import Store

READERS_NOTE = "only liaisons, leads, admins and auditors read the figures of requests"
FIRST_YEAR, LAST_YEAR = 1970, 9998


class AssistFigures:
    def __init__(self, store: Store) -> None:
        self.store = store

    def year(self, who: Principal, year: int, tz: str = "UTC") -> Figures:
        """The figures of ``year``, the requests counted by their issuance's date in ``tz``."""
        _reader(who)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidValue("year", str(year), f"a year from {FIRST_YEAR} to {LAST_YEAR}")
        where = zone_of(tz)
        start = int(datetime(year, 1, 1, tzinfo=where).astimezone(UTC).timestamp())
        end = int(datetime(year + 1, 1, 1, tzinfo=where).astimezone(UTC).timestamp())
        org = who.org_id if who.user_id is not None else None
        requests = self.store.assist_figures.issued_between(start, end, org)
        steps = self.store.assist_figures.steps_of([r.id for r in requests])
        contacts = {c.id: c for c in self.store.assist.contacts()}
        return figures(requests, steps, contacts, year, tz)

    def table(self, who: Principal, year: int, name: str = "art28", tz: str = "UTC") -> Table:
        if name not in TABLES:
            raise InvalidValue("table", name, f"one of {', '.join(TABLES)}")
        return self.year(who, year, tz).table(name)

    def csv(self, who: Principal, year: int, name: str = "art28", tz: str = "UTC") -> str:
        """One table as CSV (``to_csv``)."""
        return to_csv(self.table(who, year, name, tz))


def _reader(who: Principal) -> None:
    """The readers of requests (``access.READERS``): the figures are of the same records."""
    if who.user_id is not None and who.role not in READERS:
        raise Forbidden(READERS_NOTE)
