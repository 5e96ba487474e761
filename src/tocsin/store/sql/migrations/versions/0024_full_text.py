"""Full-text search over what people wrote about incidents (docs/search.md): incidents' titles,
the timeline's notes, mail and reporters' additions, and the victims' answers on the portal.

SQLite: one contentless FTS5 table a source (``incidents_fts``, ``timeline_fts``,
``reports_fts``; the ``unicode61`` tokenizer without diacritics, so "securite" finds "sécurité"),
kept by triggers on the source table, so that every write path keeps it current. PostgreSQL: a
GIN index on each source's ``to_tsvector('simple', …)`` ("simple": no stemming, the desk writes
in several languages), the victims' answers through ``jsonb_to_tsvector`` over their strings only.

Revision ID: 0024
Revises: 0023
"""

# ruff: noqa: S608 - every statement here is built from this module's constants, never from input
from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# the timeline's kinds that are people's words (a note, a mail in or out, a reporter's addition)
KINDS = "('note', 'mail', 'report')"
# the strings of a report's answers (its narrative, the site, the offender…), one text
_SQLITE_ANSWERS = (
    "(SELECT group_concat(value, ' ') FROM json_each({row}.answers) WHERE type = 'text')"
)

_SQLITE = [
    "CREATE VIRTUAL TABLE incidents_fts USING fts5(title, content='', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE timeline_fts USING fts5(text, content='', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE reports_fts USING fts5(answers, content='', "
    "tokenize='unicode61 remove_diacritics 2')",
    # incidents: a title in, a title changed
    "CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN "
    "INSERT INTO incidents_fts (rowid, title) VALUES (new.id, new.title); END",
    "CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title ON incidents BEGIN "
    "INSERT INTO incidents_fts (incidents_fts, rowid, title) VALUES ('delete', old.id, old.title); "
    "INSERT INTO incidents_fts (rowid, title) VALUES (new.id, new.title); END",
    "CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN "
    "INSERT INTO incidents_fts (incidents_fts, rowid, title) VALUES ('delete', old.id, old.title); "
    "END",
    # the timeline: people's words only
    f"CREATE TRIGGER timeline_fts_insert AFTER INSERT ON timeline WHEN new.kind IN {KINDS} BEGIN "
    "INSERT INTO timeline_fts (rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER timeline_fts_update AFTER UPDATE OF text ON timeline "
    f"WHEN new.kind IN {KINDS} BEGIN "
    "INSERT INTO timeline_fts (timeline_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO timeline_fts (rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER timeline_fts_delete AFTER DELETE ON timeline WHEN old.kind IN {KINDS} BEGIN "
    "INSERT INTO timeline_fts (timeline_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "END",
    # reports: the strings of the answers (the retention purge rewrites or deletes them)
    "CREATE TRIGGER reports_fts_insert AFTER INSERT ON reports BEGIN "
    "INSERT INTO reports_fts (rowid, answers) VALUES "
    f"(new.id, {_SQLITE_ANSWERS.format(row='new')}); END",
    "CREATE TRIGGER reports_fts_update AFTER UPDATE OF answers ON reports BEGIN "
    "INSERT INTO reports_fts (reports_fts, rowid, answers) VALUES "
    f"('delete', old.id, {_SQLITE_ANSWERS.format(row='old')}); "
    "INSERT INTO reports_fts (rowid, answers) VALUES "
    f"(new.id, {_SQLITE_ANSWERS.format(row='new')}); END",
    "CREATE TRIGGER reports_fts_delete AFTER DELETE ON reports BEGIN "
    "INSERT INTO reports_fts (reports_fts, rowid, answers) VALUES "
    f"('delete', old.id, {_SQLITE_ANSWERS.format(row='old')}); END",
    # what was there before
    "INSERT INTO incidents_fts (rowid, title) SELECT id, title FROM incidents",
    f"INSERT INTO timeline_fts (rowid, text) SELECT id, text FROM timeline WHERE kind IN {KINDS}",
    "INSERT INTO reports_fts (rowid, answers) SELECT id, "
    f"{_SQLITE_ANSWERS.format(row='reports')} FROM reports",
]

_POSTGRES = [
    "CREATE INDEX incidents_title_fts ON incidents USING gin (to_tsvector('simple', title))",
    "CREATE INDEX timeline_text_fts ON timeline USING gin (to_tsvector('simple', text)) "
    f"WHERE kind IN {KINDS}",
    "CREATE INDEX reports_answers_fts ON reports "
    "USING gin (jsonb_to_tsvector('simple', answers::jsonb, '[\"string\"]'))",
]


def upgrade() -> None:
    bind = op.get_bind()
    for statement in _SQLITE if bind.dialect.name == "sqlite" else _POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("incidents", "timeline", "reports"):
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_fts_{event}")
            op.execute(f"DROP TABLE IF EXISTS {name}_fts")
    else:
        for index in ("incidents_title_fts", "timeline_text_fts", "reports_answers_fts"):
            op.execute(f"DROP INDEX IF EXISTS {index}")
