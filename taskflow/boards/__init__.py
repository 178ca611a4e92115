"""Boards: boards and their members and invitations, columns, tasks, task comment threads,
and the live board and task pages.

Every change is one call of a service (task_service, column_service, board_service,
invitation_service, comment_thread), which commits it; the route modules parse, check
access, call it and render (changes.py: who commits)."""

from datetime import UTC, date, datetime

from flask import Flask

from taskflow.models.task import DEFAULT_PRIORITY


def today_utc() -> date:
    """The day a card's due date is compared with (cards are shared: one zone for all)."""
    return datetime.now(UTC).date()


HISTORY_SHOWN = 10  # a task page's latest events; "Older history" is a page of its own


def init_app(app: Flask) -> None:
    # What a card shows (templates/boards/tasks/_card.html).
    app.jinja_env.globals.update(default_priority=DEFAULT_PRIORITY, today_utc=today_utc)
    # Its socket endpoints are declared on realtime's "ws" blueprint when imported.
    from taskflow.boards import (
        activity,
        archive,
        boards,
        columns,
        comment_reactions,
        comments,
        invitations,
        members,
        sockets,  # noqa: F401
        tasks,
    )
    from taskflow.boards.history import sentence
    from taskflow.models import TaskEvent

    modules = (boards, members, invitations, columns, tasks, comments, comment_reactions)
    for module in (*modules, activity, archive):
        app.register_blueprint(module.bp)
    app.jinja_env.globals.update(
        undo_offered=activity.undo_offered,
        event_sentence=sentence,
        task_events=lambda task_id: TaskEvent.of_task(task_id, None, HISTORY_SHOWN + 1),
        history_shown=HISTORY_SHOWN,
    )
