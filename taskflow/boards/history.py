"""A board's history: what happened to its tasks and columns, as events (models/task_event.py).

`record` adds one event to the session of the change it describes, so the event is written in
the change's own transaction: a change refused or rolled back leaves none. Values are stored
as they read at the time (a column's name, a task's title), so the history still reads right
after a rename. Each kind reads as one sentence, `SENTENCES[kind]`: a new kind (labels,
checklists...) is one `record(...)` call in its service and one line here."""

from typing import Any

from markupsafe import Markup, escape

from taskflow.extensions import db
from taskflow.models import Column, Task, TaskEvent, User

# kind -> the sentence; {actor} and {task} ("this" on the task's page, its title in the
# board's feed) are filled in, every other field comes from the event's data.
SENTENCES: dict[str, str] = {
    "created": "{actor} created {task} in {column_name}",
    "moved": "{actor} moved {task} from {from} to {to}",
    "reordered": "{actor} moved {task} within {to}",
    "renamed": "{actor} renamed {task} from “{from}” to “{to}”",
    "assigned": "{actor} assigned {task} to {to}",
    "unassigned": "{actor} unassigned {from} from {task}",
    "due_changed": "{actor} changed the due date of {task} from {from} to {to}",
    "priority_changed": "{actor} changed the priority of {task} from {from} to {to}",
    "archived": "{actor} archived {task} (from {column_name})",
    "restored": "{actor} restored {task} to {column_name}",
    "column_archived": "{actor} archived the column {name}",
    "column_restored": "{actor} restored the column {name}",
    "column_renamed": "{actor} renamed the column {from} to {to}",
    "board_archived": "{actor} archived the board {name}",
    "board_restored": "{actor} restored the board {name}",
    "labelled": "{actor} labelled {task} {names}",
    "unlabelled": "{actor} took the label {names} off {task}",
    "checklist_added": "{actor} added “{text}” to the checklist of {task}",
    "checklist_checked": "{actor} checked “{text}” on {task}",
    "checklist_unchecked": "{actor} unchecked “{text}” on {task}",
    "checklist_renamed": "{actor} renamed the item “{from}” of {task} to “{to}”",
    "checklist_removed": "{actor} removed “{text}” from the checklist of {task}",
    "checklist_made_task": "{actor} made “{text}” of {task} a task of its own",
}
UNKNOWN = "{actor} changed {task}"
NOBODY = "nobody"  # a value that was empty ("from nobody", "to nobody")

# Undo: the kinds offered it, and what a later event of the same task or column must not be.
UNDOABLE = ("moved", "reordered", "archived", "column_archived")
PLACE_KINDS = UNDOABLE + ("restored", "column_restored")


def record(
    board_id: int,
    actor: User | None,
    kind: str,
    task: Task | None = None,
    column: Column | None = None,
    **data: Any,
) -> TaskEvent:
    """Add the event to the current transaction (never committed here: the change's service
    commits it with the change). A task's events keep its title as it was."""
    if task is not None:
        data.setdefault("title", task.title)
    event = TaskEvent(
        board_id=board_id,
        task_id=task.id if task is not None else None,
        column_id=column.id if column is not None else None,
        actor_id=actor.id if actor is not None and actor.id is not None else None,
        kind=kind,
        data={k: _plain(v) for k, v in data.items()},
    )
    db.session.add(event)
    return event


def _plain(value: Any) -> Any:
    """What JSON stores: dates as ISO text, None as is."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def sentence(event: TaskEvent, task_link: Markup | None = None) -> Markup:
    """The event as one escaped sentence; `task_link` names the task (the board's feed),
    else "this" (the task's own page)."""
    template = SENTENCES.get(event.kind, UNKNOWN)
    actor = _who(event.actor)
    fields = _Fields({k: escape(NOBODY if v in (None, "") else v) for k, v in event.data.items()})
    fields.update(actor=escape(actor), task=escape(task_link) if task_link is not None else "this")
    return Markup(template.format_map(fields))  # the template is ours, every field escaped


def _who(user: User | None) -> str:
    """A display name with its @username beside it (names may look alike, usernames not)."""
    if user is None:
        return "someone"
    return f"{user.display_name} (@{user.username})" if user.display_name else user.username


class _Fields(dict):
    """A missing field reads as "?" rather than failing a page (an older event's data)."""

    def __missing__(self, key: str) -> str:
        return "?"


def place(task: Task) -> dict[str, Any]:
    """Where a task is, for a move's or an archive's event (and its undo)."""
    return {
        "column_id": task.column_id,
        "column_name": task.column.name,
        "position": task.position,
    }
