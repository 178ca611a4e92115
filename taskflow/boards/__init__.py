"""Boards: boards and their members and invitations, columns, tasks, task comment threads,
and the live board and task pages.

Every change is one call of a service (task_service, column_service, board_service,
invitation_service, comment_thread), which commits it; the route modules parse, check
access, call it and render (changes.py: who commits)."""

from flask import Flask

from taskflow import due_dates
from taskflow.models.checklist import ChecklistItem
from taskflow.models.task import DEFAULT_PRIORITY, Task


def checklist_items(task: Task) -> list[ChecklistItem]:
    """A task page's checklist (_checklist.html): no query when the task has none."""
    return ChecklistItem.of_task(task.id) if task.checklist_total else []


HISTORY_SHOWN = 10  # a task page's latest events; "Older history" is a page of its own


def init_app(app: Flask) -> None:
    _register_routes(app)
    _template_globals(app)
    _composer_commands()


def _composer_commands() -> None:
    """Commands typed in a room's composer (boards/commands.py) and their options: chat and
    notifications are below boards, so boards hands them its functions."""
    from taskflow.boards import commands, composer
    from taskflow.chat import intake
    from taskflow.notifications import mentions

    intake.commands = commands.run
    mentions.command_options = composer.options


def _register_routes(app: Flask) -> None:
    # Its socket endpoints are declared on realtime's "ws" blueprint when imported.
    from taskflow.boards import (
        activity,
        archive,
        boards,
        checklists,
        columns,
        comment_reactions,
        comments,
        composer,
        invitations,
        labels,
        make_task,
        members,
        my_tasks,
        quick,
        sockets,  # noqa: F401
        task_chips,
        tasks,
        transfer,
        watches,
    )

    areas = (boards, members, invitations, columns, tasks, checklists, quick, comments,
             comment_reactions, labels, transfer, watches, my_tasks, activity, archive,
             task_chips, make_task, composer)  # fmt: skip
    for module in areas:
        app.register_blueprint(module.bp)


def _template_globals(app: Flask) -> None:
    """What a card shows (templates/boards/tasks/_card.html), a task page's checklist and
    history, the card's popups a viewer may open from the board's keys, the Undo offered."""
    from taskflow.boards import activity, quick
    from taskflow.boards.history import sentence
    from taskflow.models import TaskEvent

    app.jinja_env.globals.update(
        default_priority=DEFAULT_PRIORITY,
        due_badge=due_dates.badge,
        reminder_labels=dict(due_dates.REMINDERS),
        checklist_items=checklist_items,
        quick_kinds=quick.permitted_kinds,
        undo_offered=activity.undo_offered,
        event_sentence=sentence,
        task_events=lambda task_id: TaskEvent.of_task(task_id, None, HISTORY_SHOWN + 1),
        history_shown=HISTORY_SHOWN,
    )
