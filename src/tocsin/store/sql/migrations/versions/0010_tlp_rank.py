"""Events stored before dedupe ranked the most restrictive TLP first get their TLP in their rank,
so that a RED copy of an observation stored GREEN still displaces it (see
``tocsin.pipeline.stages.dedupe.rank``: ``(4 - tlp) << 60``, then the seconds clamped to 0 …
2**36 - 1, then a 24-bit digest).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The constants are written out: PostgreSQL reads these literals as bigint (``1 << 60`` would be
# int4). 2**60 is the TLP's place; 2**60 - 1 keeps what is below it; 2**24 - 1 the digest;
# (2**36 - 1) << 24 the latest second a rank holds.


def upgrade() -> None:
    op.execute(
        "UPDATE events SET rank = (4 - tlp) * 1152921504606846976 + CASE "
        "WHEN rank < 0 THEN rank & 16777215 "
        "WHEN rank > 1152921504606846975 THEN 1152921504590069760 + (rank & 16777215) "
        "ELSE rank END"
    )


def downgrade() -> None:
    op.execute("UPDATE events SET rank = rank & 1152921504606846975")
