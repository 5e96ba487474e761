"""Statistics releases for parliament (migration 0026): each one immutable once made, its cells
kept with their true values (the audit of later releases needs them) and what was published."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Table, Text

from tocsin.store.sql.schema.meta import Id, metadata

stats_releases = Table(
    "stats_releases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("spec", Text, nullable=False),  # JSON: the table's declaration, as it was
    Column("cells", Text, nullable=False),  # JSON: every cell, its codes, value, what is shown
    Column("snapshot", Text, nullable=False),  # sha256 of the records it was built from
    Column("digest", Text, nullable=False),  # sha256 of its CSV
    Column("state", Text, nullable=False),  # pending, published, refused
    Column("author", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("approver", Text),
    Column("decided", BigInteger),
    Index("stats_releases_state", "state", "id"),
)
