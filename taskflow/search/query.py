"""The search box's `?q=`, parsed: the words to find and the filters.

Filters: `from:@bob` (the author; a task's creator), `in:#room` (messages of that room),
`board:"Name"` (its rooms' messages, its tasks and their comments), `is:message`,
`is:comment`, `is:task`, `has:link`, `before:2026-12-01` and `after:2026-12-01` (dates in
UTC: before the day begins, after it ends). Everything else is words (a quoted phrase is one
word); every word must be found. A filter that means nothing raises `BadQuery` with what to
write instead: the page says so, never a 500. An unknown person, room or board is no error:
it matches nothing, and so tells nothing of what exists."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from taskflow import query_terms

QUERY_MAX = 200  # characters of ?q=
BOUNDS = query_terms.Bounds(QUERY_MAX, 8, "A search", "words and filters", 'board:"Launch plans"')
KINDS = ("message", "comment", "task")
HELP = (
    'Try from:@bob, in:#general, board:"Launch", is:task, has:link, '
    "before:2026-12-01, after:2026-11-01 or plain words."
)


class BadQuery(ValueError):
    """A query that cannot be run; its message says why, for the person who typed it."""


@dataclass
class Query:
    text: str = ""
    words: list[str] = field(default_factory=list)
    author: str | None = None  # a username, without "@"
    room: str | None = None  # a room's name, without "#"
    board: str | None = None
    kinds: tuple[str, ...] = KINDS
    has_link: bool = False
    before: datetime | None = None
    after: datetime | None = None

    def __bool__(self) -> bool:
        """Whether there is anything to look for (an empty box shows no results)."""
        filters = (self.author, self.room, self.board, self.has_link, self.before, self.after)
        return bool(self.words or any(filters) or self.kinds != KINDS)


_KEYS = ("from", "in", "board", "is", "has", "before", "after")


def parse(text: str | None) -> Query:
    """`text` as a Query. Raises BadQuery."""
    text = (text or "").strip()
    query = Query(text)
    for before, quoted, plain in query_terms.split(text, BOUNDS, BadQuery):
        key, colon, value = (before + plain).partition(":")
        if colon and key.lower() in _KEYS:
            _apply(query, key.lower(), (value + quoted).strip())
        elif " ".join((before + quoted + plain).split()):
            query.words.append(" ".join((before + quoted + plain).split()))
    return query


def _apply(query: Query, key: str, value: str) -> None:
    if not value:
        raise BadQuery(f"“{key}:” needs a value. {HELP}")
    if key == "from":
        query.author = value.removeprefix("@")
    elif key == "in":
        query.room = value.removeprefix("#")
        query.kinds = ("message",)
    elif key == "board":
        query.board = value
    elif key == "is":
        query.kinds = _kind(value.lower(), query.kinds)
    elif key == "has":
        if value.lower() != "link":
            raise BadQuery("“has:” takes link: has:link.")
        query.has_link = True
    elif key == "before":
        query.before = _day(key, value)
    else:
        query.after = _day(key, value) + timedelta(days=1)


def _kind(value: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
    kind = value.removesuffix("s")
    if kind not in KINDS:
        raise BadQuery("“is:” is message, comment or task.")
    return tuple(k for k in kinds if k == kind)


def _day(key: str, value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"“{key}:” takes a date as 2026-12-01.") from None
    if day == date.max:  # after: its next day would be past the calendar's end
        raise BadQuery(f"“{key}:” takes a date before 9999-12-31.")
    return datetime(day.year, day.month, day.day)
