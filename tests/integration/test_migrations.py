"""The migrations build exactly the schema the code describes, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tocsin.store import Store
from tocsin.store.sql.schema import metadata


def test_migrated_database_matches_the_schema(store: Store) -> None:
    """After migrating, autogenerate finds no table, column or index missing or extra."""
    engine = sa.create_engine(store.engine.url)  # type: ignore[attr-defined]
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = [
                change
                for change in compare_metadata(context, metadata)
                if not (
                    isinstance(change, tuple)
                    and change[0] == "remove_table"
                    and change[1].name == "alembic_version"
                )
            ]
    finally:
        engine.dispose()
    assert diff == []
