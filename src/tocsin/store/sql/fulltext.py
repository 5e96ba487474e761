"""Full-text search over incidents' titles, the timeline's words and the victims' answers
(migration 0024): SQLite's FTS5 tables, PostgreSQL's GIN indexes on ``to_tsvector('simple', …)``.

What a person typed never reaches a query as text: it is cut into words (letters and digits), at
most ``MAX_WORDS`` of them, and the query is written from those words, the last one as a prefix
(``"pass"`` finds "password"); the query itself is a bound parameter. Each source answers its
newest ``per_source`` matches (a common word must not read a million rows), newest first.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass

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
        if dialect == "postgresql":
            _choose_plan(conn, source, found, per_source)
        for (incident_id,) in conn.execute(sa.text(statements[source]), params):
            matched.setdefault(int(incident_id), source)
    return matched


# -- PostgreSQL: the newest matches of a common word, or every match of a rare one -------------
#
# Two plans answer "the newest n rows holding these words": read the table backwards from the
# newest row until n match (cheap when the words are common, a scan of the table when they are
# rare), or take every match from the GIN index and keep the newest n (cheap when rare, costly
# when a word is in one row in seven). PostgreSQL chooses from its estimate of how many rows
# match, and for a prefix that is not among its most common lexemes it guesses 0.5–2 % whatever
# the word: a rare word then reads a million rows (2 s). So the choice is made here, from the
# same statistics (the index's most common lexemes and their frequencies, ``pg_stats``): a word
# outside them is rarer than the rarest of them. Reading backwards costs about 7 times more a row
# than the index does a match (measured: 17 µs against 2.4 µs), so it is chosen when the share f
# of matching rows makes (n / f) × 7 < f × rows, that is f > sqrt(7 n / rows).

_SOURCE_INDEX = {
    "title": ("incidents_title_fts", "incidents"),
    "note": ("timeline_text_fts", "timeline"),
}
_BACKWARDS_COST = 7.0
_SMALL = 50_000  # rows: below this either plan is fast, PostgreSQL chooses
_STATS_TTL = 600.0  # seconds a table's statistics are kept in memory


@dataclass(frozen=True, slots=True)
class _Lexemes:
    rows: float
    freqs: dict[str, float]
    read_at: float


_stats: dict[str, _Lexemes] = {}
_stats_lock = threading.Lock()


def _choose_plan(conn: sa.Connection, source: str, found: list[str], per_source: int) -> None:
    if source not in _SOURCE_INDEX:
        return
    lexemes = _lexemes(conn, source)
    if lexemes is None or lexemes.rows < _SMALL:
        return
    share = 1.0
    for n, word in enumerate(found):
        last = n == len(found) - 1
        share *= min(
            1.0,
            sum(f for lexeme, f in lexemes.freqs.items() if lexeme.startswith(word))
            if last
            else lexemes.freqs.get(word, 0.0),
        )
    backwards = share > math.sqrt(_BACKWARDS_COST * per_source / lexemes.rows)
    off = "enable_bitmapscan" if backwards else "enable_indexscan"
    on = "enable_indexscan" if backwards else "enable_bitmapscan"
    conn.execute(
        sa.text("SELECT set_config(:off, 'off', true), set_config(:on, 'on', true)"),
        {"off": off, "on": on},
    )


def _lexemes(conn: sa.Connection, source: str) -> _Lexemes | None:
    index, table = _SOURCE_INDEX[source]
    now = time.monotonic()
    with _stats_lock:
        kept = _stats.get(index)
    if kept is not None and now - kept.read_at < _STATS_TTL:
        return kept
    row = conn.execute(
        sa.text(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = :index AND attname = 'to_tsvector'"
        ),
        {"index": index},
    ).first()
    rows = conn.execute(
        sa.text("SELECT reltuples FROM pg_class WHERE relname = :table"), {"table": table}
    ).scalar()
    if row is None or rows is None or row[0] is None:
        return None  # never analysed: PostgreSQL chooses
    elems, freqs = row
    found = _Lexemes(float(rows), dict(zip(elems, freqs[: len(elems)], strict=True)), now)
    with _stats_lock:
        _stats[index] = found
    return found
