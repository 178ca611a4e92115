"""The words of a composer command (boards/commands.py), read against the room's board: a
task by its number, a column or a label by its name, a member by @name, a priority, a due
day in the sender's zone. Each reader returns the thing or raises `Unclear` with what to
say to the sender; nothing here writes."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from taskflow.extensions import db
from taskflow.models import Board, Column, Label, Task, User
from taskflow.models.task import PRIORITIES
from taskflow.names import name_key

NUMBER = re.compile(r"#?(\d{1,9})")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NOBODY = ("nobody", "none", "-")  # /assign 42 nobody: unassigned
NO_DATE = ("none", "-")  # /due 42 none: no due date


class Unclear(Exception):
    """A word of the command means nothing here: `reason` tells the sender (422)."""

    def __init__(self, reason: str, status: int = 422) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


def task(board_id: int, word: str) -> Task:
    """The board's live task numbered `word` ("42" or "#42")."""
    match = NUMBER.fullmatch(word or "")
    if match is None:
        raise Unclear(f"“{word[:20]}” is not a task number: write it as 42 or #42.")
    found = Task.numbered(board_id, int(match.group(1)))
    if found is None:
        raise Unclear(f"There is no task #{match.group(1)} on this board.")
    if found.archived_at is not None:
        raise Unclear(f"#{found.number} is archived: restore it first.", 409)
    return found


def column(board: Board, name: str) -> Column:
    """The board's column of that name whatever its case, or the one it begins."""
    return _named(board.columns, name, "column")


def label(board_id: int, name: str) -> Label:
    return _named(Label.of_board(board_id), name, "label")


def _named(things: list, name: str, what: str):
    key = name_key(name.strip())
    exact = [thing for thing in things if name_key(thing.name) == key]
    begun = [thing for thing in things if name_key(thing.name).startswith(key)]
    if key and (exact or len(begun) == 1):
        return (exact or begun)[0]
    listed = ", ".join(thing.name for thing in things[:20]) or "none yet"
    if key and begun:
        raise Unclear(f"“{name[:40]}” could be more than one {what}: {listed}.")
    raise Unclear(f"This board has no {what} “{name[:40]}”. Its {what}s: {listed}.")


def member(board_id: int, word: str, actor: User) -> User | None:
    """The board member of that @name ("me": the sender; "nobody": None)."""
    name = (word or "").removeprefix("@")
    if name.casefold() in NOBODY:
        return None
    if name.casefold() == "me":
        return actor
    found = Board.members_among(board_id, set(), {name_key(name)}) if name else []
    if not found:
        raise Unclear(f"Nobody called @{name[:40]} is a member of this board.")
    return found[0]


def priority(word: str) -> str:
    value = word.removeprefix("!").casefold()
    if value not in PRIORITIES:
        raise Unclear(f"“{word[:20]}” is not a priority: {', '.join(PRIORITIES)}.")
    return value


def due(word: str, today: date) -> date | None:
    """YYYY-MM-DD, today, tomorrow, or a weekday (mon…sun: the next such day, today
    included) in the sender's zone; "none": no due date."""
    value = word.casefold()
    if value in NO_DATE:
        return None
    if value in ("today", "tomorrow"):
        return today + timedelta(days=value == "tomorrow")
    for index, day in enumerate(WEEKDAYS):
        if len(value) >= 3 and day.startswith(value):  # "fri", "friday"
            return today + timedelta(days=(index - today.weekday()) % 7)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Unclear(
            f"“{word[:20]}” is not a date: write 2026-12-01, today, tomorrow or a weekday."
        ) from None


def tasks_matching(board_id: int, typed: str, limit: int) -> list[Task]:
    """The board's live tasks whose number begins with `typed`, or whose title holds it
    (the composer's #… options): the newest first, at most `limit`."""
    query = (
        select(Task)
        .join(Column, Task.column_id == Column.id)
        .where(Column.board_id == board_id, Task.archived_at.is_(None))
    )
    if typed.isdigit():
        query = query.where(db.cast(Task.number, db.String).startswith(typed))
    elif typed:
        query = query.where(Task.title.ilike(f"%{_like(typed)}%", escape="\\"))
    return list(db.session.scalars(query.order_by(Task.number.desc()).limit(limit)))


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
