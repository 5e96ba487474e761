"""Shared fixtures: a store on each backend (SQLite and PostgreSQL), a fixed clock, settings.

PostgreSQL: the server on 127.0.0.1:5432 (trust auth, user postgres) when it answers; otherwise a
throwaway cluster is started from the local PostgreSQL binaries; otherwise the tests fail with a
clear message. They are never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.imap import dovecot, imap_account  # noqa: F401 (fixtures: a real IMAP server)
from tests.pg import ensure_postgres
from tocsin.settings import Settings
from tocsin.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "samples"
FIXED_NOW = datetime(2026, 11, 28, 3, 0, 0, tzinfo=UTC)

# Property tests check what holds, not how fast: Hypothesis's 200 ms deadline per example failed
# them on a busy 2-core machine (a validator's first call loads its schemas). Speed is measured in
# bench/, never in a test.
hypothesis_settings.register_profile("tocsin", deadline=None)
hypothesis_settings.load_profile("tocsin")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL (admin database), started if none answers."""
    with ensure_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh database for this test process, dropped at the end."""
    name = f"tocsin_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = postgres_server.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_store(postgres_url: str) -> Iterator[Store]:
    store = open_store(postgres_url, audit_key=AUDIT_KEY)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL on each backend, empty at the start of the test."""
    return url_of(request, request.param, tmp_path)


def url_of(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """An empty database's URL: ``sqlite`` (a file), ``memory`` (SQLite in memory) or
    ``postgresql`` (this process's database, emptied)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'tocsin.db'}"
    if backend == "memory":
        return "sqlite://"
    store: Store = request.getfixturevalue("_pg_store")
    _truncate(store.url)
    return store.url


@pytest.fixture
def store(backend_url: str) -> Iterator[Store]:
    """The storage contract's subject: a migrated, empty store on SQLite and on PostgreSQL."""
    opened = open_store(backend_url, audit_key=AUDIT_KEY)
    yield opened
    opened.close()


@pytest.fixture
def memory_store() -> Iterator[Store]:
    """A migrated, empty store in memory (``sqlite://``), for service tests that need no
    particular backend: the storage contract runs on each backend, these then need not."""
    opened = open_store("sqlite://", audit_key=AUDIT_KEY)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tocsin.db'}"


@pytest.fixture
def settings(backend_url: str, tmp_path: Path) -> Settings:
    """Settings on each backend, with the tests' audit keys in a data folder of the test's own
    (the keys the ``store`` fixture seals with)."""
    write_keys(tmp_path / "data")
    return Settings(database_url=backend_url, workers=0, data_dir=str(tmp_path / "data"))


def _truncate(url: str) -> None:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE events, quarantine, constituents, asn_ranges, organisations, users, "
            "api_tokens, incidents, incident_events, indicators, tasks, timeline, evidence, "
            "custody, audit_log, counters, ended_sessions, reports, reporters, notices, "
            "notice_events, cvd_cases, cvd_vendors, cvd_products, cvd_messages, share_collections, "
            "share_agreements, share_objects, share_releases, share_status, share_pulls, "
            "collector_runs, collector_state, collector_objects, job_runs, mail_messages, "
            "assist_contacts, assist_contact_versions, assist_requests, assist_steps, "
            "assist_request_incidents, assist_ledger, assist_messages, assist_nonces, "
            "stats_releases "
            "RESTART IDENTITY CASCADE"
        )


@pytest.fixture(autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command run by a test keeps its data (evidence, the audit keys and checkpoints) in a
    folder of the test's own, beside its ``tmp_path`` (which it keeps to itself), never in the
    working directory (a test may set its own), and seals the audit log with the tests' key,
    the one the ``store`` fixture seals with."""
    folder = tmp_path_factory.mktemp("tocsin-data")
    write_keys(folder)
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(folder))


def fixed_clock() -> datetime:
    return FIXED_NOW


def fixed_now() -> int:
    """FIXED_NOW in whole seconds, the desk's clock."""
    return int(FIXED_NOW.timestamp())
