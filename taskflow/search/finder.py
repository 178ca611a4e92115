"""The search's queries: which messages, comments and tasks a reader may read hold the
words and pass the filters, best first, one page at a time.

Access is part of the query, never a filter afterwards: messages of the rooms the reader may
read (ChatRoom.searchable_ids: a member still on the board, a direct message's people, and
open rooms of their boards), comments and tasks of the boards they are a member of (archived
ones too, as the task page shows them). So nothing else is found, counted or ranked. The
three kinds are one UNION ALL ordered by rank, then the newest first, of the newest
CANDIDATES matches of each kind: a word found in every other message of a million costs
what a rare one does (bench/search.py). A page is read with one row more than it shows, to
know whether another follows (no count is ever made)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, select, union_all

from taskflow.extensions import db
from taskflow.models import Board, ChatMessage, ChatRoom, Column, Membership, Task, User
from taskflow.models.comment import TaskThreadComment
from taskflow.models.room import DIRECT
from taskflow.names import name_key
from taskflow.search import matching
from taskflow.search.query import Query

PAGE_SIZE = 20
PAGES_MAX = 25  # beyond 500 results, a narrower search
# Ranked: the newest this many matches of each kind (those the reader may read); older ones
# are found by narrower words or filters (before:, in:, from:).
CANDIDATES = 2_000


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    rank: float
    created_at: datetime


def find(user_id: int, query: Query, page: int = 1) -> tuple[list[Hit], bool]:
    """The page's hits (page 1 first), and whether more follow."""
    dialect = db.engine.dialect.name
    # Unranked (filters, or words too short to rank), the newest come first anyway: as
    # many as the pages up to this one need, not CANDIDATES.
    ranked = matching.ranked(query.words, dialect)
    limit = CANDIDATES if ranked else page * PAGE_SIZE + 1
    selects = [_SELECTS[kind](user_id, query, dialect, limit) for kind in query.kinds]
    if not selects:
        return [], False
    hits = union_all(*selects).subquery()
    rows = db.session.execute(
        select(hits)
        .order_by(hits.c.rank, hits.c.created_at.desc(), hits.c.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    return [Hit(*row) for row in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


def _messages(user_id: int, query: Query, dialect: str, limit: int):
    m = ChatMessage.__table__
    found = matching.match(matching.MESSAGES, m, m.c.id, query.words, dialect)
    where = [
        *found.conditions,
        m.c.deleted_at.is_(None),
        _room_of(m, query, dialect).in_(ChatRoom.searchable_ids(user_id)),
        *_common(m.c.author_id, m.c.created_at, query, matching.MESSAGES),
    ]
    if query.room:
        rooms = select(ChatRoom.id).where(
            ChatRoom.name_key == name_key(query.room), ChatRoom.kind != DIRECT
        )
        where.append(m.c.room_id.in_(rooms))
    if query.board:
        rooms = select(ChatRoom.id).join(Board, Board.id == ChatRoom.board_id)
        where.append(m.c.room_id.in_(rooms.where(_board_named(query.board))))
    return _hits("message", limit, m, found, where)


def _room_of(m, query: Query, dialect: str):
    """The message's room, for the access rule. Unranked and in no room or board named,
    the newest messages come first: `room_id + 0` keeps the (room_id, ...) indexes out, so
    the primary key leads, newest first, and stops at the LIMIT (instead of every message
    of the reader's rooms, sorted: 1.1 s for a two-character Chinese word in a million)."""
    if matching.ranked(query.words, dialect) or query.room or query.board:
        return m.c.room_id
    return m.c.room_id + 0


def _comments(user_id: int, query: Query, dialect: str, limit: int):
    c, t, col = TaskThreadComment.__table__, Task.__table__, Column.__table__
    base = c.join(t, t.c.id == c.c.task_id).join(col, col.c.id == t.c.column_id)
    found = matching.match(matching.COMMENTS, base, c.c.id, query.words, dialect)
    where = [
        *found.conditions,
        col.c.board_id.in_(_member_boards(user_id, query)),
        *_common(c.c.author_id, c.c.created_at, query, matching.COMMENTS),
    ]
    return _hits("comment", limit, c, found, where)


def _tasks(user_id: int, query: Query, dialect: str, limit: int):
    t, col = Task.__table__, Column.__table__
    base = t.join(col, col.c.id == t.c.column_id)
    found = matching.match(matching.TASKS, base, t.c.id, query.words, dialect)
    where = [
        *found.conditions,
        col.c.board_id.in_(_member_boards(user_id, query)),
        *_common(t.c.created_by_id, t.c.created_at, query, matching.TASKS),
    ]
    return _hits("task", limit, t, found, where)


_SELECTS = {"message": _messages, "comment": _comments, "task": _tasks}


def _hits(kind: str, limit: int, table, found: matching.Match, where: list):
    """The kind's newest `limit` matches, with their rank: the index is read newest first
    and stops there, so a word in every other message costs what a rare one does."""
    columns = (literal(kind).label("kind"), table.c.id, found.rank.label("rank"))
    newest = select(*columns, table.c.created_at).select_from(found.joined).where(*where)
    newest = newest.order_by(found.newest.desc()).limit(limit).subquery()
    return select(*newest.c)


def _member_boards(user_id: int, query: Query):
    """The ids of the reader's boards (named `board:`, if it is given)."""
    boards = select(Membership.board_id).where(Membership.user_id == user_id)
    if query.board:
        named = select(Board.id).where(_board_named(query.board))
        boards = boards.where(Membership.board_id.in_(named))
    return boards


def _board_named(name: str):
    return func.lower(Board.name) == name.lower()


def _common(author_id, created_at, query: Query, source: matching.Source) -> list:
    """The filters every kind has: its author, its dates, a link in its text."""
    where = []
    if query.author:
        people = select(User.id).where(User.username_key == name_key(query.author))
        where.append(author_id.in_(people))
    if query.before:
        where.append(created_at < query.before)
    if query.after:
        where.append(created_at >= query.after)
    if query.has_link:
        where.append(matching.has_link(source))
    return where
