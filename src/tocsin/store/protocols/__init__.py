"""The storage protocols, one per topic: what the services may ask of a store, in the shapes of
``tocsin.store.shapes`` and ``tocsin.model``. A backend implements each (``tocsin.store.sql``
does, on SQLite and PostgreSQL); the contract suite runs them all on every backend."""

from __future__ import annotations

from tocsin.store.protocols.assist import AssistStore
from tocsin.store.protocols.assist_exchange import ExchangeStore
from tocsin.store.protocols.assist_figures import AssistFiguresStore
from tocsin.store.protocols.cases import CaseStore
from tocsin.store.protocols.collectors import CollectorStore
from tocsin.store.protocols.cvd import CvdStore
from tocsin.store.protocols.dashboard import DashboardStore
from tocsin.store.protocols.events import EventStore
from tocsin.store.protocols.jobs import JobStore
from tocsin.store.protocols.notices import NoticeStore
from tocsin.store.protocols.people import PeopleStore
from tocsin.store.protocols.reports import ReportStore
from tocsin.store.protocols.retention import RetentionStore
from tocsin.store.protocols.share import ShareStore
from tocsin.store.protocols.stats import StatsStore

__all__ = [
    "AssistFiguresStore",
    "AssistStore",
    "CaseStore",
    "CollectorStore",
    "CvdStore",
    "DashboardStore",
    "EventStore",
    "ExchangeStore",
    "JobStore",
    "NoticeStore",
    "PeopleStore",
    "ReportStore",
    "RetentionStore",
    "ShareStore",
    "StatsStore",
]
