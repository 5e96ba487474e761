"""The SQL store: one implementation for SQLite and PostgreSQL on SQLAlchemy Core.

Reads go through SQLAlchemy (parameterised, dialect-neutral). The hot write path uses each
driver directly (``writer``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from importlib import resources

from alembic import command
from alembic.config import Config

from tocsin.model.audit import AuditKeySource
from tocsin.store.rows import EventRow, QuarantineRow
from tocsin.store.shapes import Figures, Transaction
from tocsin.store.sql.assist import SqlAssist
from tocsin.store.sql.assist_exchange import SqlExchange
from tocsin.store.sql.assist_figures import SqlAssistFigures
from tocsin.store.sql.cases import SqlCases
from tocsin.store.sql.collectors import SqlCollectors
from tocsin.store.sql.cvd import SqlCvd
from tocsin.store.sql.dashboard import SqlDashboard
from tocsin.store.sql.engine import open_database
from tocsin.store.sql.events import SqlEvents
from tocsin.store.sql.figures import figures
from tocsin.store.sql.jobs import JobLocks, SqlJobs
from tocsin.store.sql.notices import SqlNotices
from tocsin.store.sql.people import SqlPeople
from tocsin.store.sql.reports import SqlReports
from tocsin.store.sql.retention import SqlRetention
from tocsin.store.sql.share import SqlShare
from tocsin.store.sql.stats import SqlStats
from tocsin.store.sql.writer import PostgresWriter, SqliteWriter


class SqlStore(SqlEvents):
    """The store on SQLite or PostgreSQL, chosen by the URL (``sqlite://`` alone: in memory)."""

    def __init__(self, url: str, audit_key: AuditKeySource | None = None) -> None:
        self._database = open_database(url)
        self.url = self._database.url
        self.engine = self._database.engine
        self._writer = (
            SqliteWriter(self._database.path)
            if self._database.path is not None
            else PostgresWriter(self.engine)
        )
        self.people = SqlPeople(self.engine)
        self.cases = SqlCases(self.engine, audit_key)
        self.reports = SqlReports(self.engine)
        self.cvd = SqlCvd(self.engine)
        self.assist = SqlAssist(self.engine)
        self.exchange = SqlExchange(self.engine)
        self.assist_figures = SqlAssistFigures(self.engine)
        self.notices = SqlNotices(self.engine)
        self.share = SqlShare(self.engine)
        self.collectors = SqlCollectors(self.engine)
        self.jobs = SqlJobs(self.engine)
        self._locks = JobLocks(self.engine, self._database.path)
        self.retention = SqlRetention(self.engine)
        self.dashboard = SqlDashboard(self.engine)
        self.oversight = SqlStats(self.engine)

    def migrate(self) -> None:
        config = Config()
        location = resources.files("tocsin.store.sql").joinpath("migrations")
        config.set_main_option("script_location", str(location))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        self._locks.close()
        self._writer.close()
        self._database.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self.engine.begin() as conn:
            yield Transaction(conn)

    def figures(self, after_event: int = 0) -> Figures:
        return figures(self.engine, after_event)

    def try_lock(self, name: str) -> AbstractContextManager[bool]:
        return self._locks(name)

    def write(self, rows: Sequence[EventRow], quarantined: Sequence[QuarantineRow]) -> int:
        return self._writer.write(rows, quarantined)


__all__ = ["SqlStore"]
