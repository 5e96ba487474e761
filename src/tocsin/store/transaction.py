"""Transactions of the SQL store: a ``Transaction`` handle is a SQLAlchemy connection inside."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from tocsin.store.shapes import Transaction


def connection(tx: Transaction) -> Connection:
    """The connection behind a transaction this store opened."""
    if not isinstance(tx, Connection):
        raise TypeError(f"not a transaction of the SQL store: {type(tx).__name__}")
    return tx
