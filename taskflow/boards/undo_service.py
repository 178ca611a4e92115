"""Undo: the actor of a move, an archive or a column's archive takes it back, for a short
while, if nothing has moved the task or column since; and, for the room's commands
(boards/commands.py), of a task created (archived again), an assignment, a due date or a
label (set back as it was), if no later event of the task changed the same thing. An undo
is itself a change of the board (the same services: a move, a restore), recorded in its
history and sent to every viewer like any other, so every screen converges."""

from datetime import date, datetime, timedelta

from taskflow.boards import column_service, history, label_service, task_service
from taskflow.boards.changes import Refused
from taskflow.boards.live import Change
from taskflow.extensions import db
from taskflow.models import Column, Task, TaskEvent, User
from taskflow.models.user import utcnow

WINDOW = timedelta(minutes=2)  # how long the server takes an undo (the toast shows 10 s)
NOT_YOURS = "Only the person who made this change can undo it."
NOT_UNDOABLE = "This change cannot be undone."
TOO_LATE = "Can't undo: it is too late to undo this change."
CHANGED = "Can't undo: it changed since."
NO_COLUMN = "Can't undo: the column it came from is archived or gone."

# The commands' kinds an undo takes back, each with the later events of its task that
# make it "changed since" (a created task: any; the others: a change of the same thing).
ASSIGNING = ("assigned", "unassigned", "archived")
LABELLING = ("labelled", "unlabelled", "archived")
SINCE = {
    "created": tuple(history.SENTENCES),
    "assigned": ASSIGNING,
    "unassigned": ASSIGNING,
    "due_changed": ("due_changed", "archived"),
    "labelled": LABELLING,
    "unlabelled": LABELLING,
}


def check(event: TaskEvent, actor: User) -> None:
    """Refused unless `actor` may undo the event now."""
    if event.actor_id is None or event.actor_id != actor.id:
        raise Refused(NOT_YOURS, 403)
    if event.kind not in history.UNDOABLE and event.kind not in SINCE:
        raise Refused(NOT_UNDOABLE, 400)
    if utcnow() - event.created_at > WINDOW:
        raise Refused(TOO_LATE, 409)
    if TaskEvent.later_than(event, SINCE.get(event.kind, history.PLACE_KINDS)):
        raise Refused(CHANGED, 409)


def undo(event: TaskEvent, actor: User) -> Change:
    """Take the event back (Refused, nothing written, when it may not be). The undo is not
    offered an Undo of its own."""
    change = _undo(event, actor)
    change.undoable = None
    return change


def _undo(event: TaskEvent, actor: User) -> Change:
    check(event, actor)
    data = event.data
    if event.kind == "column_archived":
        column = db.session.get(Column, event.column_id) if event.column_id else None
        if column is None or column.archived_at is None:
            raise Refused(CHANGED, 409)
        return column_service.restore_column(column, actor, data.get("position"))
    task = db.session.get(Task, event.task_id) if event.task_id else None
    if task is None:
        raise Refused(CHANGED, 409)
    if event.kind == "archived":
        if task.archived_at is None:
            raise Refused(CHANGED, 409)
        return task_service.restore_task(task, actor, data)
    if event.kind in SINCE:
        return _set_back(event, task, actor)
    if task.archived_at is not None or task.column_id != data.get("column_id"):
        raise Refused(CHANGED, 409)
    back = db.session.get(Column, data.get("from_column_id") or 0)
    if back is None or back.archived_at is not None:
        raise Refused(NO_COLUMN, 409)
    return task_service.move_task(task, None, back, data.get("from_position"), actor)


def _set_back(event: TaskEvent, task: Task, actor: User) -> Change:
    """A command's change taken back through the same services (their checks: an assignee
    who left the board is refused)."""
    data = event.data
    if task.archived_at is not None:
        raise Refused(task_service.ARCHIVED, 409)
    if event.kind == "created":
        return task_service.archive_task(task, actor)
    if event.kind in ("assigned", "unassigned"):
        if "from_id" not in data:  # an event from before ids were recorded
            raise Refused(NOT_UNDOABLE, 400)
        return task_service.assign_task(task, actor, data["from_id"])
    if event.kind == "due_changed":
        return task_service.set_due_date(task, actor, *_due(data.get("from")))
    ids = {label.id for label in task.labels}
    taken = set(data.get("ids") or [])
    if not taken:
        raise Refused(NOT_UNDOABLE, 400)
    back = ids - taken if event.kind == "labelled" else ids | taken
    return label_service.set_task_labels(task, back, actor)


def _due(words: str | None) -> tuple[date | None, datetime | None]:
    """A due date as history keeps it ("2026-12-01", or "2026-12-01 14:00 UTC") read back."""
    if not words:
        return None, None
    day = date.fromisoformat(words[:10])
    at = datetime.strptime(words[:16], "%Y-%m-%d %H:%M") if len(words) > 10 else None
    return day, at
