"""A board read from a file, before anything is written: what a Trello export
(boards/trello.py) and a TaskFlow export (boards/board_format.py) both become, and what
boards/import_service.py writes, one section at a time.

Every text is cut to what TaskFlow stores (a Trello card's name may be longer than a task's
title). Labels keep their source's colour name until import_service maps it onto our
palette; a task's checklists become one checklist (a name of their own prefixes their items
when a card has several, as Trello's may)."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from taskflow.due_dates import REMINDER_MINUTES
from taskflow.models.checklist import ITEMS_MAX
from taskflow.models.checklist import TEXT_MAX as ITEM_MAX
from taskflow.models.column import NAME_MAX as COLUMN_NAME_MAX
from taskflow.models.label import NAME_MAX as LABEL_NAME_MAX
from taskflow.models.label import PER_BOARD as LABELS_MAX
from taskflow.models.task import DEFAULT_PRIORITY, PRIORITIES, TITLE_MAX
from taskflow.names import name_key

# What an import takes at most; beyond, it is refused before it is queued.
IMPORT_MAX_BYTES = 10 * 1024 * 1024
MAX_CARDS = 5000
MAX_COLUMNS = 500
MAX_COMMENTS = 20000
BOARD_NAME_MAX, BOARD_DESCRIPTION_MAX = 100, 2000
DESCRIPTION_MAX, COMMENT_MAX, AUTHOR_MAX = 10000, 4000, 100


class NotAnExport(ValueError):
    """The file is not one we read, or is beyond the bounds: its message says which."""


@dataclass
class Label:
    """A label as its source had it (Trello: colour names such as "green")."""

    name: str
    color: str


@dataclass
class ChecklistItem:
    name: str
    checked: bool
    position: float = 0


@dataclass
class Checklist:
    name: str
    items: list[ChecklistItem] = field(default_factory=list)


@dataclass
class IncomingComment:
    author_name: str
    content: str
    created_at: datetime


@dataclass
class IncomingTask:
    title: str
    description: str = ""
    assignee: str | None = None  # a username, matched on this instance when imported
    due_date: date | None = None
    due_at: datetime | None = None  # the due moment (UTC) when it has a time
    remind_before: int | None = None  # minutes before it (due_dates.REMINDERS)
    priority: str = DEFAULT_PRIORITY
    created_at: datetime | None = None
    number: int | None = None  # its number on the board it came from ("#42"), kept if free
    comments: list[IncomingComment] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    checklists: list[Checklist] = field(default_factory=list)


@dataclass
class IncomingColumn:
    name: str
    tasks: list[IncomingTask] = field(default_factory=list)


@dataclass
class IncomingBoard:
    name: str
    description: str = ""
    members: list[str] = field(default_factory=list)  # usernames
    columns: list[IncomingColumn] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)

    @property
    def card_count(self) -> int:
        return sum(len(column.tasks) for column in self.columns)


def text(value, limit: int) -> str:
    """A string field of the file, cut to `limit` (anything else counts as empty)."""
    return value[:limit] if isinstance(value, str) else ""


def title(value) -> str:
    return text(value, TITLE_MAX).strip() or "(untitled)"


def column_name(value) -> str:
    return text(value, COLUMN_NAME_MAX).strip() or "(unnamed)"


def priority(value) -> str:
    return value if value in PRIORITIES else DEFAULT_PRIORITY


def moment(value) -> datetime | None:
    """An ISO 8601 time ("2020-01-10T14:47:15.117Z"), as the naive UTC the database keeps."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def day(value) -> date | None:
    """A due date: a date ("2024-05-03") or a time, whose UTC day it is."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        at = moment(value)
        return at.date() if at else None


def checklist_items(task: IncomingTask) -> list[ChecklistItem]:
    """The task's checklists as one list of items, in order: when there are several, each
    item says which list it was on ("Launch: Write the post")."""
    named = len(task.checklists) > 1
    items = []
    for checklist in task.checklists:
        prefix = f"{checklist.name}: " if named and checklist.name else ""
        items += [ChecklistItem((prefix + i.name)[:ITEM_MAX], i.checked) for i in checklist.items]
    return [item for item in items if item.name.strip()]


def label_name(label: Label) -> str:
    """A label's name; an unnamed one (Trello allows them) is named by its colour, since a
    colour never carries a meaning alone here."""
    return text(label.name, LABEL_NAME_MAX).strip() or (label.color or "label")[:LABEL_NAME_MAX]


def remind_before(value) -> int | None:
    """A reminder of the file: one of the choices TaskFlow offers, else none."""
    exact = isinstance(value, int) and not isinstance(value, bool)
    return value if exact and value in REMINDER_MINUTES else None


NUMBER_MAX = 999_999_999


def number(value) -> int | None:
    """A task number of the file (TaskFlow's `number`, Trello's `idShort`), else none."""
    exact = isinstance(value, int) and not isinstance(value, bool)
    return value if exact and 1 <= value <= NUMBER_MAX else None


def numbers(board: IncomingBoard) -> list[int]:
    """Each task's number on the new board, in the file's order: its own where it has one
    that no task before it took, else the next after the highest (so "#42" in the texts
    of an exported board still names the task it named)."""
    tasks = [task for column in board.columns for task in column.tasks]
    kept, taken = [], set()
    for task in tasks:
        fresh = task.number is not None and task.number not in taken
        kept.append(task.number if fresh else None)
        taken.update([task.number] if fresh else [])
    highest = max(taken, default=0)
    given = []
    for own in kept:
        if own is None:
            highest += 1
        given.append(own if own is not None else highest)
    return given


def check_bounds(board: IncomingBoard) -> None:
    if board.card_count > MAX_CARDS:
        raise NotAnExport(
            f"That board has {board.card_count:,} cards; an import takes at most {MAX_CARDS:,}."
        )
    if len(board.columns) > MAX_COLUMNS:
        raise NotAnExport(f"That board has more than {MAX_COLUMNS} lists.")
    labels = {name_key(label_name(label)) for label in board.labels}
    if len(labels) > LABELS_MAX:
        raise NotAnExport(f"That board has more than {LABELS_MAX} labels.")
    tasks = [t for c in board.columns for t in c.tasks]
    if any(len(checklist_items(t)) > ITEMS_MAX for t in tasks):
        raise NotAnExport(f"A card of that board has more than {ITEMS_MAX} checklist items.")
    comments = sum(len(t.comments) for t in tasks)
    if comments > MAX_COMMENTS:
        raise NotAnExport(f"That board has more than {MAX_COMMENTS:,} comments.")
