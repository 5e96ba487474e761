"""Sharing: TAXII collections, partner agreements, released STIX objects, TAXII status, pulls.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "share_collections",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("uuid", sa.Text(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
        sa.UniqueConstraint("alias"),
    )
    op.create_table(
        "share_agreements",
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("collection_id", sa.BigInteger(), nullable=False),
        sa.Column("can_read", sa.Boolean(), nullable=False),
        sa.Column("can_write", sa.Boolean(), nullable=False),
        sa.Column("max_tlp", sa.SmallInteger(), nullable=False),
        sa.Column("approval", sa.Boolean(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["collection_id"], ["share_collections.id"]),
        sa.PrimaryKeyConstraint("org_id", "collection_id"),
    )
    op.create_table(
        "share_objects",
        sa.Column("seq", Id, autoincrement=True, nullable=False),
        sa.Column("collection_id", sa.BigInteger(), nullable=False),
        sa.Column("date_added", sa.BigInteger(), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("spec_version", sa.Text(), nullable=False),
        sa.Column("tlp", sa.SmallInteger(), nullable=False),
        sa.Column("audience", sa.BigInteger(), nullable=False),
        sa.Column("is_first", sa.Boolean(), nullable=False),
        sa.Column("is_last", sa.Boolean(), nullable=False),
        sa.Column("release_id", sa.BigInteger(), nullable=True),
        sa.Column("source_org", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["share_collections.id"]),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        "share_objects_added", "share_objects", ["collection_id", "date_added"], unique=True
    )
    op.create_index(
        "share_objects_id",
        "share_objects",
        ["collection_id", "object_id", "audience", "version"],
        unique=True,
    )
    op.create_table(
        "share_releases",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("collection_id", sa.BigInteger(), nullable=False),
        sa.Column("audience", sa.BigInteger(), nullable=False),
        sa.Column("tlp", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("approver", sa.Text(), nullable=True),
        sa.Column("decided", sa.BigInteger(), nullable=True),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["share_collections.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("share_releases_state", "share_releases", ["state", "id"])
    op.create_table(
        "share_status",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("org_id", sa.BigInteger(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "share_pulls",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("last_added", sa.Text(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    for table in (
        "share_pulls",
        "share_status",
        "share_releases",
        "share_objects",
        "share_agreements",
        "share_collections",
    ):
        op.drop_table(table)
