"""Boards: boards and their members and invitations, columns, tasks, task comment threads,
and the live board and task pages.

Every change is one call of a service (task_service, column_service, board_service,
invitation_service, comment_thread), which commits it; the route modules parse, check
access, call it and render (changes.py: who commits)."""

from datetime import UTC, date, datetime

from flask import Flask

from taskflow.models.checklist import ChecklistItem
from taskflow.models.task import DEFAULT_PRIORITY, Task


def today_utc() -> date:
    """The day a card's due date is compared with (cards are shared: one zone for all)."""
    return datetime.now(UTC).date()


def checklist_items(task: Task) -> list[ChecklistItem]:
    """A task page's checklist (_checklist.html): no query when the task has none."""
    return ChecklistItem.of_task(task.id) if task.checklist_total else []


def init_app(app: Flask) -> None:
    # What a card shows (templates/boards/tasks/_card.html), and a task page's checklist.
    app.jinja_env.globals.update(
        default_priority=DEFAULT_PRIORITY, today_utc=today_utc, checklist_items=checklist_items
    )
    # Its socket endpoints are declared on realtime's "ws" blueprint when imported.
    from taskflow.boards import (
        boards,
        checklists,
        columns,
        comment_reactions,
        comments,
        invitations,
        members,
        sockets,  # noqa: F401
        tasks,
    )

    for module in (
        boards,
        members,
        invitations,
        columns,
        tasks,
        checklists,
        comments,
        comment_reactions,
    ):
        app.register_blueprint(module.bp)
