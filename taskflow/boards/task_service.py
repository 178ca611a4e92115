"""Changes of tasks, each one call (see changes.py, "who commits"): create, edit, assign,
date, move and delete a task. Each is a change of its board (live.begin_change: locked,
versioned, its diff sent to the board's viewers on commit) and of the task's own page."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from taskflow.boards import live as live_board
from taskflow.boards.changes import Refused, refuse
from taskflow.boards.live import Change
from taskflow.boards.watching import assigned_changed, watch_quietly
from taskflow.extensions import db
from taskflow.models import Board, Column, Task, User
from taskflow.models.task import DEFAULT_PRIORITY
from taskflow.notifications import jobs, task_events
from taskflow.notifications import service as notifications
from taskflow.realtime import connection as live
from taskflow.realtime import topics

NOT_ON_BOARD = "Not a valid choice: the assignee must be a member of this board."
BAD_MOVE = "That move is not possible."
GONE = "That column is no longer there."


@dataclass
class TaskFields:
    """What a task's form sets (the assignee already checked to be on the board)."""

    title: str
    description: str = ""
    assignee_id: int | None = None
    due_date: date | None = None
    priority: str = DEFAULT_PRIORITY
    # The due moment in UTC when a time was given (due_dates.due_at, in the setter's zone).
    due_at: datetime | None = None
    remind_before: int | None = None  # minutes (due_dates.REMINDERS), None: no reminder


def create_task(column: Column, actor: User, fields: TaskFields) -> tuple[Task, Change]:
    """A new task at the end of `column`; its assignee, if not the actor, is notified."""
    change = live_board.begin_change(column.board)
    task = Task(column=column, position=column.task_count(), created_by=actor)
    db.session.add(task)
    assignee = _fill(task, fields, actor)
    change.card(task)
    db.session.flush()  # its id, for its watchers and "My tasks"
    _assigned(task, None)
    db.session.commit()
    _notify_assignee(task, assignee, actor)
    _schedule(task, True)
    return task, change


def edit_task(task: Task, actor: User, fields: TaskFields | Callable[[Task], TaskFields]) -> Change:
    """Save the task's fields; the assignments quoting its description are requoted. A
    change of one field passes a function of the task as it is under the board's lock, so
    an edit of its other fields committed meanwhile is kept, not overwritten."""
    change = live_board.begin_change(task.board)
    if callable(fields):
        fields = fields(task)
    change.card(task)
    task.bump_version()
    described, previous, due = task.description, task.assignee_id, _due_of(task)
    assignee = _fill(task, fields, actor)
    if task.description != described:  # its assignments quote it
        notifications.description_edited(task.id, task.description)
    rescheduled = _due_changed(task, due, previous)
    _assigned(task, previous)
    live_board.task_changed(task.id)
    db.session.commit()
    _notify_assignee(task, assignee, actor)
    _schedule(task, rescheduled)
    return change


def assign_task(task: Task, actor: User, assignee_id: int | None) -> Change:
    """Assign the task to a member of its board (None: to nobody); Refused otherwise."""
    board_id = task.column.board_id
    if assignee_id is not None and not Board.members_among(board_id, {assignee_id}, set()):
        raise Refused(NOT_ON_BOARD)
    return edit_task(task, actor, lambda now: replace(_fields_of(now), assignee_id=assignee_id))


def set_due_date(task: Task, actor: User, due_date: date | None) -> Change:
    """Set the task's due date alone (None: no date), its other fields as they are: a date
    without a time (the card's `d` popup), its reminder kept while it has a date."""

    def dated(now: Task) -> TaskFields:
        remind = now.remind_before if due_date else None
        return replace(_fields_of(now), due_date=due_date, due_at=None, remind_before=remind)

    return edit_task(task, actor, dated)


def _fields_of(task: Task) -> TaskFields:
    return TaskFields(task.title, task.description, task.assignee_id, task.due_date,
                      task.priority, task.due_at, task.remind_before)  # fmt: skip


def move_task(
    task: Task,
    direction: str | None = None,
    column: Column | None = None,
    position: int | None = None,
    actor: User | None = None,
) -> Change:
    """A keyboard step (`direction`: up, down, left, right) or a drop into `column` (of the
    same board) at `position` (its end when None). Two people moving one card: one after
    the other (the board's lock)."""
    column_id = column.id if column is not None else None
    change = live_board.begin_change(task.board)
    if column_id is not None and (column := db.session.get(Column, column_id)) is None:
        raise refuse(GONE, 404)  # deleted while this waited for the board
    change.card(task)
    task.bump_version()
    source = task.column
    try:
        if direction:
            task.step(direction)
        elif column is None:
            raise ValueError("no direction and no column")
        else:
            task.move_to(column, column.task_count() if position is None else position)
    except ValueError:
        raise refuse(BAD_MOVE, 400) from None
    live_board.task_changed(task.id)
    moved = source.id != task.column.id  # column_id follows at the flush
    if moved:
        assigned_changed(task.assignee_id)
    db.session.commit()
    if moved and actor is not None:
        version = Task.current_version(task.id)
        notifications.enqueue(
            jobs.notify_watchers_of_move, task.id, actor.id, version, source.name, task.column.name
        )
    return change


def delete_task(task: Task) -> Change:
    """Delete the task; its page closes everywhere."""
    change = live_board.begin_change(task.board)
    task_id = task.id
    change.remove(task)
    assigned_changed(task.assignee_id)
    task.remove()
    live_board.task_changed(task_id)
    live.end_scope(topics.task(task_id))
    db.session.commit()
    return change


def _fill(task: Task, fields: TaskFields, actor: User) -> int | None:
    """Copy the fields into the task. Returns a newly assigned user other than the actor,
    who is to be notified once the task is saved."""
    previous = task.assignee_id
    task.title = fields.title
    task.description = fields.description or ""
    task.assignee_id = fields.assignee_id or None
    task.due_date = fields.due_date
    # A time means nothing without its date; a reminder is kept only with a due date.
    task.due_at = fields.due_at if fields.due_date else None
    task.remind_before = fields.remind_before if fields.due_date else None
    task.priority = fields.priority
    new = task.assignee_id
    return new if new not in (previous, None, actor.id) else None


def _notify_assignee(task: Task, assignee_id: int | None, actor: User) -> None:
    if assignee_id is not None:
        version = Task.current_version(task.id)
        notifications.enqueue(jobs.notify_assignment, task.id, assignee_id, actor.id, version)


def _due_of(task: Task) -> tuple:
    return task.due_date, task.due_at, task.remind_before


def _due_changed(task: Task, before: tuple, previous_assignee: int | None) -> bool:
    """Whether what decides the reminder's and overdue notice's moments changed (`before`:
    _due_of before the edit; a date alone is due in its assignee's zone, so a new assignee
    counts): then the jobs queued for the old moments are made stale (due_version) and new
    ones are queued after the commit."""
    changed = _due_of(task) != before
    if task.due_date and task.due_at is None and task.assignee_id != previous_assignee:
        changed = True
    if changed:
        task.due_version = (task.due_version or 0) + 1
    return changed


def _assigned(task: Task, previous: int | None) -> None:
    """The assignee watches the task (by default); its and the previous assignee's "My
    tasks" pages refetch their lists once this commits."""
    if task.assignee_id is not None and task.assignee_id != previous:
        watch_quietly(task.id, task.assignee_id)
    assigned_changed(task.assignee_id, previous)


def _schedule(task: Task, due_changed: bool) -> None:
    if due_changed and task.due_date is not None:
        task_events.schedule_due(jobs.notify_due, task)
