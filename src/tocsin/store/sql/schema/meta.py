"""The metadata every table of the SQL store belongs to, and the type of their keys."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, MetaData

metadata = MetaData()

# SQLite gives INTEGER PRIMARY KEY the rowid (insert order); PostgreSQL gets a BIGINT identity.
Id = BigInteger().with_variant(Integer(), "sqlite")
