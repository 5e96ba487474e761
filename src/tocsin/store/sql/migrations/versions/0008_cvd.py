"""Coordinated vulnerability disclosure: cases, their vendors and products, the communication log.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cvd_cases",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("public_id", sa.Text(), nullable=False),
        sa.Column("org_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("tlp", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("reporter_name", sa.Text(), nullable=False),
        sa.Column("reporter_contact", sa.Text(), nullable=False),
        sa.Column("credit", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("cvss_vector", sa.Text(), nullable=True),
        sa.Column("cwe", sa.Text(), nullable=True),
        sa.Column("cwe_name", sa.Text(), nullable=True),
        sa.Column("cve", sa.Text(), nullable=True),
        sa.Column("embargo_at", sa.BigInteger(), nullable=True),
        sa.Column("embargo_zone", sa.Text(), nullable=True),
        sa.Column("handler_id", sa.BigInteger(), nullable=True),
        sa.Column("duplicate_of", sa.Text(), nullable=True),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("revisions", sa.Text(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("acknowledged_at", sa.BigInteger(), nullable=True),
        sa.Column("triaged_at", sa.BigInteger(), nullable=True),
        sa.Column("published_at", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["handler_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
    )
    op.create_index("cvd_cases_state", "cvd_cases", ["state", "id"], unique=False)
    op.create_table(
        "cvd_vendors",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("advice", sa.Text(), nullable=False),
        sa.Column("contacted_at", sa.BigInteger(), nullable=True),
        sa.Column("acknowledged_at", sa.BigInteger(), nullable=True),
        sa.Column("fixed_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cvd_cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("cvd_vendors_case", "cvd_vendors", ["case_id", "name"], unique=True)
    op.create_table(
        "cvd_products",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("vendor_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=True),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cvd_cases.id"]),
        sa.ForeignKeyConstraint(["vendor_id"], ["cvd_vendors.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("cvd_products_case", "cvd_products", ["case_id", "identifier"], unique=True)
    op.create_table(
        "cvd_messages",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("party", sa.Text(), nullable=False),
        sa.Column("tlp", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cvd_cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("cvd_messages_case", "cvd_messages", ["case_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("cvd_messages_case", table_name="cvd_messages")
    op.drop_table("cvd_messages")
    op.drop_index("cvd_products_case", table_name="cvd_products")
    op.drop_table("cvd_products")
    op.drop_index("cvd_vendors_case", table_name="cvd_vendors")
    op.drop_table("cvd_vendors")
    op.drop_index("cvd_cases_state", table_name="cvd_cases")
    op.drop_table("cvd_cases")
