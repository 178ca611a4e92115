"""How each database finds the words in a text, and ranks what it found (the indexes are
migration a24srch00001's).

SQLite: the FTS5 table of the source (trigram tokenizer) matches each word of three
characters or more as a case-insensitive substring, ranked by bm25(); shorter words (two
Chinese characters are a word) are a LIKE on the rows the others found (alone: on the rows
the reader may read). PostgreSQL: words of letters and digits are prefixes in the text's
tsvector (`to_tsvector('simple', ...)`, GIN), ranked by ts_rank; other words (Chinese,
Japanese, "v1.2", "e-mail") are an ILIKE served by the pg_trgm GIN index. Both expressions
are written exactly as the indexes were, or the planner would not use them.

Ranks are ascending: the best first (PostgreSQL's ts_rank, higher for better, is negated)."""

import unicodedata
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    FromClause,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    table,
)
from sqlalchemy.sql import Join

SHORTEST = 3  # a trigram index finds words of three characters or more


@dataclass(frozen=True)
class Source:
    """A searched table: its FTS5 index (SQLite) and its indexed text (PostgreSQL)."""

    name: str
    fts: str
    text: str


MESSAGES = Source("chat_messages", "chat_messages_fts", "chat_messages.content")
COMMENTS = Source("task_thread_comments", "task_comments_fts", "task_thread_comments.content")
TASKS = Source("tasks", "tasks_fts", "tasks.title || ' ' || tasks.description")


@dataclass
class Match:
    """What a source's query adds: its FROM (the index joined in), conditions and rank."""

    joined: FromClause
    conditions: list[ColumnElement[bool]]
    rank: ColumnElement
    # The newest first: the index's own order when there is one (FTS5 then reads its
    # matches newest first and stops at the LIMIT, instead of sorting them all).
    newest: ColumnElement


def match(source: Source, base: FromClause, id_column, words: list[str], dialect: str) -> Match:
    """The words found in `source` (all of them), as a Match on `base`."""
    if not words:
        return Match(base, [], literal(0.0), id_column)
    if dialect == "postgresql":
        return _postgres(source, base, id_column, words)
    return _sqlite(source, base, id_column, words)


def ranked(words: list[str], dialect: str) -> bool:
    """Whether `match` ranks these words (else every match ranks the same: 0)."""
    if dialect == "postgresql":
        return any(w.isalnum() and not spaceless(w) for w in words)
    return any(len(w) >= SHORTEST for w in words)


def _sqlite(source: Source, base: FromClause, id_column, words: list[str]) -> Match:
    long = [w for w in words if len(w) >= SHORTEST]
    short = [_contains(source, w) for w in words if len(w) < SHORTEST]
    if not long:
        return Match(base, short, literal(0.0), id_column)
    index = table(source.fts, column("rowid"))
    phrases = " ".join('"' + w.replace('"', '""') + '"' for w in long)
    found = literal_column(source.fts).op("MATCH")(bindparam(None, phrases, unique=True))
    joined: Join = base.join(index, index.c.rowid == id_column)
    rank = literal_column(f"bm25({source.fts})")
    return Match(joined, [found, *short], rank, index.c.rowid)


def _postgres(source: Source, base: FromClause, id_column, words: list[str]) -> Match:
    lexemes = [w.lower() for w in words if w.isalnum() and not spaceless(w)]
    others = [_contains(source, w, ilike=True) for w in words if w.lower() not in lexemes]
    if not lexemes:
        return Match(base, others, literal(0.0), id_column)
    vector = literal_column(f"to_tsvector('simple', {source.text})")
    prefixes = bindparam(None, " & ".join(f"{w}:*" for w in lexemes), unique=True)
    query = func.to_tsquery(literal_column("'simple'"), prefixes)
    rank = -func.ts_rank(vector, query)
    return Match(base, [vector.op("@@")(query), *others], rank, id_column)


def _contains(source: Source, word: str, ilike: bool = False) -> ColumnElement[bool]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    text = literal_column(source.text)
    pattern = bindparam(None, f"%{escaped}%", unique=True)
    return text.ilike(pattern, escape="\\") if ilike else text.like(pattern, escape="\\")


def spaceless(word: str) -> bool:
    """Whether the word has characters of scripts written without spaces between words
    (Chinese, Japanese: wide characters), where a tsvector's "word" is a whole run."""
    return any(unicodedata.east_asian_width(c) in ("W", "F") for c in word)


def has_link(source: Source) -> ColumnElement[bool]:
    text = literal_column(source.text)
    return text.contains("http://") | text.contains("https://")
