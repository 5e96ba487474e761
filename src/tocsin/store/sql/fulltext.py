"""Full-text search over incidents' titles, the timeline's words and the victims' answers
(migration 0024): SQLite's FTS5 tables, PostgreSQL's GIN indexes on ``to_tsvector('simple', …)``.

What a person typed never reaches a query as text: it is cut into words (letters and digits), at
most ``MAX_WORDS`` of them, and the query is written from those words, the last one as a prefix
(``"pass"`` finds "password"); the query itself is a bound parameter. Each source answers its
newest ``per_source`` matches (a common word must not read a million rows), newest first.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

MAX_WORDS = 8
# SQLite's FTS5 tables (and their own tables, named after them), outside the declared schema
FTS_TABLES = ("incidents_fts", "timeline_fts", "reports_fts")
# PostgreSQL's expression indexes, likewise
FTS_INDEXES = ("incidents_title_fts", "timeline_text_fts", "reports_answers_fts")
_WORD = re.compile(r"\w+")
# which incident each source's match belongs to, and what to say about it
SOURCES = ("title", "note", "account")

_SQLITE = {
    "title": "SELECT rowid AS incident_id FROM incidents_fts WHERE incidents_fts MATCH :q "
    "ORDER BY rowid DESC LIMIT :n",
    "note": "SELECT incident_id FROM timeline WHERE id IN (SELECT rowid FROM timeline_fts "
    "WHERE timeline_fts MATCH :q ORDER BY rowid DESC LIMIT :n)",
    "account": "SELECT incident_id FROM reports WHERE id IN (SELECT rowid FROM reports_fts "
    "WHERE reports_fts MATCH :q ORDER BY rowid DESC LIMIT :n)",
}
# each expression as its index (migration 0024) has it, or PostgreSQL would not use the index
_POSTGRES = {
    "title": "SELECT id AS incident_id FROM incidents "
    "WHERE to_tsvector('simple', title) @@ to_tsquery('simple', :q) ORDER BY id DESC LIMIT :n",
    "note": "SELECT incident_id FROM timeline WHERE kind IN ('note', 'mail', 'report') "
    "AND to_tsvector('simple', text) @@ to_tsquery('simple', :q) ORDER BY id DESC LIMIT :n",
    "account": "SELECT incident_id FROM reports "
    "WHERE jsonb_to_tsvector('simple', answers::jsonb, '[\"string\"]') "
    "@@ to_tsquery('simple', :q) ORDER BY id DESC LIMIT :n",
}


def words(text: str) -> list[str]:
    """The words of a text, in lower case, at most ``MAX_WORDS``."""
    return _WORD.findall(text.lower())[:MAX_WORDS]


def query_text(dialect: str, found: list[str]) -> str:
    """The backend's full-text query of these words: all of them, the last as a prefix."""
    if dialect == "sqlite":
        return " ".join(f'"{w}"' for w in found[:-1]) + f' "{found[-1]}"*'
    return " & ".join([*found[:-1], f"{found[-1]}:*"])


def matching(conn: sa.Connection, text: str, per_source: int) -> dict[int, str]:
    """The incidents whose title, timeline words or victims' answers hold every word of
    ``text`` (the last as a prefix), each with the first source that matched."""
    found = words(text)
    if not found:
        return {}
    dialect = conn.dialect.name
    statements = _SQLITE if dialect == "sqlite" else _POSTGRES
    params = {"q": query_text(dialect, found), "n": per_source}
    matched: dict[int, str] = {}
    for source in SOURCES:
        for (incident_id,) in conn.execute(sa.text(statements[source]), params):
            matched.setdefault(int(incident_id), source)
    return matched
