"""The tables, in SQLAlchemy Core, for both engines. Migrations (Alembic) create and change them;
one module per topic, all tables here.
"""

from __future__ import annotations

from tocsin.store.sql.schema.assist import (
    assist_contact_versions,
    assist_contacts,
    assist_ledger,
    assist_request_incidents,
    assist_requests,
    assist_steps,
)
from tocsin.store.sql.schema.assist_exchange import assist_messages, assist_nonces
from tocsin.store.sql.schema.collectors import (
    collector_objects,
    collector_runs,
    collector_state,
)
from tocsin.store.sql.schema.cvd import cvd_cases, cvd_messages, cvd_products, cvd_vendors
from tocsin.store.sql.schema.desk import (
    api_tokens,
    audit_log,
    counters,
    custody,
    ended_sessions,
    evidence,
    incident_events,
    incidents,
    indicators,
    organisations,
    saved_views,
    tasks,
    timeline,
    users,
)
from tocsin.store.sql.schema.events import (
    asn_ranges,
    constituents,
    event_days,
    events,
    quarantine,
)
from tocsin.store.sql.schema.jobs import job_runs
from tocsin.store.sql.schema.mail import mail_messages
from tocsin.store.sql.schema.meta import Id, metadata
from tocsin.store.sql.schema.public import (
    notice_events,
    notices,
    reporters,
    reports,
    used_stamps,
)
from tocsin.store.sql.schema.share import (
    share_agreements,
    share_collections,
    share_objects,
    share_pulls,
    share_releases,
    share_status,
)
from tocsin.store.sql.schema.stats import stats_releases

__all__ = [
    "Id",
    "api_tokens",
    "asn_ranges",
    "assist_contact_versions",
    "assist_contacts",
    "assist_ledger",
    "assist_messages",
    "assist_nonces",
    "assist_request_incidents",
    "assist_requests",
    "assist_steps",
    "audit_log",
    "collector_objects",
    "collector_runs",
    "collector_state",
    "constituents",
    "counters",
    "custody",
    "cvd_cases",
    "cvd_messages",
    "cvd_products",
    "cvd_vendors",
    "ended_sessions",
    "event_days",
    "events",
    "evidence",
    "incident_events",
    "incidents",
    "indicators",
    "job_runs",
    "mail_messages",
    "metadata",
    "notice_events",
    "notices",
    "organisations",
    "quarantine",
    "reporters",
    "reports",
    "saved_views",
    "share_agreements",
    "share_collections",
    "share_objects",
    "share_pulls",
    "share_releases",
    "share_status",
    "stats_releases",
    "tasks",
    "timeline",
    "used_stamps",
    "users",
]
