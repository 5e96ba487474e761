"""Alembic migrations of Tocsin's store (run by ``Store.migrate``; no alembic.ini needed)."""
