"""Changes of tasks, each one call (see changes.py, "who commits"): create, edit, assign,
date, move, archive, restore and delete a task. Each is a change of its board
(live.begin_change: locked, versioned, its diff sent to the board's viewers on commit) and of
the task's own page, and is written in the board's history in the same transaction
(history.record)."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select

from taskflow.boards import comment_thread, history
from taskflow.boards import live as live_board
from taskflow.boards.changes import Refused, refuse
from taskflow.boards.live import Change
from taskflow.boards.watching import assigned_changed, watch_quietly
from taskflow.chat import service as chat
from taskflow.extensions import db
from taskflow.models import Board, ChatMessage, Column, Task, TaskThreadComment, User
from taskflow.models.task import DEFAULT_PRIORITY
from taskflow.notifications import jobs, task_events
from taskflow.notifications import service as notifications
from taskflow.realtime import connection as live
from taskflow.realtime import topics

NOT_ON_BOARD = "Not a valid choice: the assignee must be a member of this board."
BAD_MOVE = "That move is not possible."
GONE = "That column is no longer there."
ARCHIVED = "That task is archived: restore it first."
NOT_ARCHIVED = "That task is not archived."
ALREADY_MADE = "This was already made into task #{number}."
NOWHERE = "The board has no column to restore it to: restore a column first."


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
    task, assignee = add_task(change, column, actor, fields)
    db.session.commit()
    after_create(task, assignee, actor)
    return task, change


def make_task(
    column: Column, actor: User, fields: TaskFields, source: ChatMessage | TaskThreadComment
) -> Task:
    """ "Make task" (issue 24): a new task made from a chat message or a task comment,
    checked by the caller (the actor reads the source and is on the column's board). The
    task names its source and the source the task, in the one transaction of the board's
    change; the source is published again, so its pages show the task's chip."""
    change = live_board.begin_change(column.board)
    made = made_from(source, lock=True)
    if made is not None:
        raise refuse(ALREADY_MADE.format(number=made.number), 409)
    task, assignee = add_task(change, column, actor, fields)
    if isinstance(source, ChatMessage):
        task.source_message_id = source.id
        chat.became_task(source, task.id)
    else:
        task.source_comment_id = source.id
        comment_thread.became_task(source, task.id)
    db.session.commit()
    after_create(task, assignee, actor)
    return task


def made_from(source: ChatMessage | TaskThreadComment, lock: bool = False) -> Task | None:
    """The live task a message or comment was made into, if any (an archived one no longer
    counts: it may be made again). `lock`: read under a row lock, so two makes of one source
    at once (into two boards: two board locks) make one task."""
    model = type(source)
    query = select(model.made_task_id).where(model.id == source.id)
    made_id = db.session.scalar(query.with_for_update() if lock else query)
    task = db.session.get(Task, made_id) if made_id else None
    return task if task is not None and task.archived_at is None else None


def add_task(
    change: Change, column: Column, actor: User, fields: TaskFields
) -> tuple[Task, int | None]:
    """The new task written into a change already begun (its board locked), not committed:
    a change that makes a task among other things (a checklist item made a task) commits
    it, then calls `after_create` with the assignee to notify returned here."""
    number = Board.take_numbers(column.board_id)  # before the task joins the session
    task = Task(column=column, position=column.task_count(), created_by=actor, number=number)
    db.session.add(task)
    assignee = _fill(task, fields, actor)
    change.card(task)
    db.session.flush()  # its id, for its first event, its watchers and "My tasks"
    _assigned(task, None)
    history.record(column.board_id, actor, "created", task, column, column_name=column.name)
    return task, assignee


def after_create(task: Task, assignee: int | None, actor: User) -> None:
    """A created task's jobs, once committed: its assignee told, its due moments queued."""
    _notify_assignee(task, assignee, actor)
    _schedule(task, True)


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
    before = _facts(task)
    assignee = _fill(task, fields, actor)
    _record_edits(task, actor, before)
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


def set_due_date(
    task: Task, actor: User, due_date: date | None, due_at: datetime | None = None
) -> Change:
    """Set the task's due date alone (None: no date), its other fields as they are: a date
    without a time (the card's `d` popup; `due_at`, its moment in UTC, only for an undo
    that puts a time back), its reminder kept while it has a date."""

    def dated(now: Task) -> TaskFields:
        remind = now.remind_before if due_date else None
        return replace(_fields_of(now), due_date=due_date, due_at=due_at, remind_before=remind)

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
    if column is not None and column.archived_at is not None:
        raise refuse(GONE, 404)
    if task.archived_at is not None:
        raise refuse(ARCHIVED, 409)
    before = history.place(task)
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
    _record_move(change, task, actor, before)
    moved = source.id != task.column.id  # column_id follows at the flush
    live_board.task_changed(task.id, chips=moved)  # a chip shows no place in its column
    if moved:
        assigned_changed(task.assignee_id)
    db.session.commit()
    if moved and actor is not None:
        _notify_watchers_of_move(task, actor, source.name)
    return change


def _notify_watchers_of_move(task: Task, actor: User, source: str) -> None:
    version = Task.current_version(task.id)
    notifications.enqueue(
        jobs.notify_watchers_of_move, task.id, actor.id, version, source, task.column.name
    )


def _record_move(change: Change, task: Task, actor: User | None, before: dict) -> None:
    """A move that changed the task's place is an event, its actor's to undo."""
    db.session.flush()
    after = history.place(task)
    if after == before:
        return
    kind = "moved" if after["column_id"] != before["column_id"] else "reordered"
    change.undoable = history.record(
        task.column.board_id,
        actor,
        kind,
        task,
        task.column,
        **{"from": before["column_name"], "to": after["column_name"]},
        from_column_id=before["column_id"],
        from_position=before["position"],
        column_id=after["column_id"],
        position=after["position"],
    )


def archive_task(task: Task, actor: User | None) -> Change:
    """Archive the task: off the board (its column's cards below move up), kept with its
    history and comments, restorable from the board's Archived page."""
    change = live_board.begin_change(task.board)
    if task.archived_at is not None:
        raise refuse(ARCHIVED, 409)
    where = history.place(task)
    change.remove(task)
    task.bump_version()
    task.archive()
    change.undoable = history.record(
        task.column.board_id, actor, "archived", task, task.column, **where
    )
    live_board.task_changed(task.id)
    assigned_changed(task.assignee_id)  # off its assignee's "My tasks"
    db.session.commit()
    return change


def restore_task(task: Task, actor: User | None, place: dict | None = None) -> Change:
    """Back on the board: at the end of its column, or of the board's first column when its
    own is archived; `place` (an undo): where it was (column_id, position) if still there."""
    change = live_board.begin_change(task.board)
    if task.archived_at is None:
        raise refuse(NOT_ARCHIVED, 409)
    column, position = task.column, None
    if column.archived_at is not None:
        column = next(iter(task.board.columns), None)
        if column is None:
            raise refuse(NOWHERE, 409)
    if place is not None and column.id == place.get("column_id"):
        position = place.get("position")
    task.bump_version()
    task.restore(column, position)
    change.card(task)
    history.record(column.board_id, actor, "restored", task, column, column_name=column.name)
    live_board.task_changed(task.id)
    assigned_changed(task.assignee_id)  # back on its assignee's "My tasks"
    db.session.commit()
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


def _facts(task: Task) -> dict:
    return {
        "renamed": task.title,
        "assignee": task.assignee_id,
        "due_changed": _due_words(task),
        "priority_changed": task.priority,
    }


def _due_words(task: Task) -> str | None:
    """The due date as history keeps it: the day, and the moment in UTC when it has a time."""
    if task.due_date is None:
        return None
    at = f" {task.due_at:%H:%M} UTC" if task.due_at is not None else ""
    return task.due_date.isoformat() + at


def _record_edits(task: Task, actor: User, before: dict) -> None:
    """One event per field the edit changed (the assignee by name, as it reads now)."""
    board_id = task.column.board_id
    for kind, old in before.items():
        new = _facts(task)[kind]
        if new == old:
            continue
        if kind == "assignee":  # by name as it reads now, and by id for an undo
            names = {k: _name(v) for k, v in (("from", old), ("to", new))}
            kind = "assigned" if new else "unassigned"
            history.record(board_id, actor, kind, task, **names, from_id=old, to_id=new)
        else:
            history.record(board_id, actor, kind, task, **{"from": old, "to": new})


def _name(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return None if user is None else (user.display_name or user.username)


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
