"""Boards: boards and their members and invitations, columns, tasks, task comment threads,
and the live board and task pages.

Every change is one call of a service (task_service, column_service, board_service,
invitation_service, comment_thread), which commits it; the route modules parse, check
access, call it and render (changes.py: who commits)."""

from flask import Flask

from taskflow import due_dates
from taskflow.models.task import DEFAULT_PRIORITY


def init_app(app: Flask) -> None:
    # What a card shows (templates/boards/tasks/_card.html).
    app.jinja_env.globals.update(
        default_priority=DEFAULT_PRIORITY,
        due_badge=due_dates.badge,
        reminder_labels=dict(due_dates.REMINDERS),
    )
    # Its socket endpoints are declared on realtime's "ws" blueprint when imported.
    from taskflow.boards import (
        boards,
        columns,
        comment_reactions,
        comments,
        invitations,
        members,
        my_tasks,
        sockets,  # noqa: F401
        tasks,
        watches,
    )

    for module in (
        boards,
        members,
        invitations,
        columns,
        tasks,
        comments,
        comment_reactions,
        watches,
        my_tasks,
    ):
        app.register_blueprint(module.bp)
