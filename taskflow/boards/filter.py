"""The board filter: `?q=` on the board page, parsed here into SQL conditions on tasks.

Terms (several: all must hold): `assignee:me`, `assignee:@bob` (or `bob`, `none`),
`label:bug` (`label:"needs review"`; any case), `due:overdue|today|week|none` (Task.due_date,
"today" in the viewer's zone; `week`: today and the six days after), `priority:high` (any
of models.task.PRIORITIES), and free words (the title contains them, any case); a quoted
phrase is one word. A term that means nothing raises `BadFilter` with what to write instead:
the page says so under the input, never a 500.

The conditions are plain WHERE clauses (subqueries on the label and user keys, nothing loaded
first), applied by boards/live.py to each column's cards and count. A label or a user that
does not exist simply matches nothing: a shared link stays valid after a label is renamed."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, exists, select

from taskflow import query_terms
from taskflow.models import Label, Task, User
from taskflow.models.label import task_labels
from taskflow.models.task import PRIORITIES
from taskflow.names import name_key

QUERY_MAX = 200  # characters of ?q=
BOUNDS = query_terms.Bounds(QUERY_MAX, 10, "A filter", "terms", 'label:"needs review"')
DUES = ("overdue", "today", "week", "none")
KEYS = ("assignee", "label", "due", "priority")
HELP = "Try assignee:me, label:bug, due:overdue, priority:high or words of a title."


class BadFilter(ValueError):
    """A filter that cannot be applied; its message says why, for the person who typed it."""


@dataclass
class Filter:
    """A parsed `?q=`: its text as typed and the conditions every card shown must meet."""

    text: str = ""
    conditions: list[ColumnElement[bool]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.conditions)


def parse(text: str | None, board_id: int, viewer_id: int, today: date) -> Filter:
    """`text` as conditions on the board's tasks, for `viewer_id` (assignee:me) on the
    viewer's `today`. Raises BadFilter."""
    text = (text or "").strip()
    found = Filter(text)
    for before, quoted, plain in query_terms.split(text, BOUNDS, BadFilter):
        term = before + quoted + plain
        if before or plain:  # a quoted phrase alone is words of a title, colons and all
            found.conditions.append(_condition(term, board_id, viewer_id, today))
        elif term.strip():
            found.conditions.append(Task.title.icontains(term, autoescape=True))
    return found


# A term: `key:"quoted value"` or `"a phrase"` (before, quoted), or a plain word.


def _condition(term: str, board_id: int, viewer_id: int, today: date) -> ColumnElement[bool]:
    key, colon, value = term.partition(":")
    if not colon or key.lower() not in KEYS:
        if colon and re.fullmatch(r"[A-Za-z]+", key) and not value.startswith("//"):
            raise BadFilter(f"“{key}:” is not a filter. {HELP}")
        return Task.title.icontains(term, autoescape=True)
    key, value = key.lower(), value.strip()
    if not value:
        raise BadFilter(f"“{key}:” needs a value. {HELP}")
    if key == "assignee":
        return _assignee(value, viewer_id)
    if key == "label":
        return _label(value, board_id)
    if key == "due":
        return _due(value.lower(), today)
    if value.lower() not in PRIORITIES:
        raise BadFilter(f"Priority is one of {', '.join(PRIORITIES)}.")
    return Task.priority == value.lower()


def _assignee(value: str, viewer_id: int) -> ColumnElement[bool]:
    if value.lower() == "me":
        return Task.assignee_id == viewer_id
    if value.lower() == "none":
        return Task.assignee_id.is_(None)
    user = select(User.id).where(User.username_key == name_key(value.removeprefix("@")))
    return Task.assignee_id.in_(user.scalar_subquery())


def _label(value: str, board_id: int) -> ColumnElement[bool]:
    """A label of the task's board with this name, whatever its case."""
    return exists().where(
        task_labels.c.task_id == Task.id,
        task_labels.c.label_id == Label.id,
        Label.board_id == board_id,
        Label.key == name_key(value),
    )


def _due(value: str, today: date) -> ColumnElement[bool]:
    if value == "overdue":
        return Task.due_date < today
    if value == "today":
        return Task.due_date == today
    if value == "week":
        return Task.due_date.between(today, today + timedelta(days=6))
    if value == "none":
        return Task.due_date.is_(None)
    raise BadFilter(f"Due is one of {', '.join(DUES)}.")
