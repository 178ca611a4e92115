"""RQ jobs. The worker (`flask --app taskflow worker`) runs them inside the app context;
each is idempotent (see notifications.py), so retries and the sweep are safe."""

from collections.abc import Callable

from flask import current_app

from taskflow.extensions import db
from taskflow.notifications import service as notifications
from taskflow.notifications import task_events

# Each job is a function of its own here, not made with functools.wraps: RQ queues a function
# under its module and qualified name, which wraps would copy from the bare work.


def notify_chat_message(message_id: int) -> None:
    _run(notifications.for_chat_message, message_id)


def notify_comment(comment_id: int) -> None:
    _run(notifications.for_comment, comment_id)


def notify_assignment(task_id: int, assignee_id: int, sender_id: int, version: int) -> None:
    _run(notifications.for_assignment, task_id, assignee_id, sender_id, version)


def notify_due(task_id: int, version: int, kind: str) -> None:
    """A due reminder or overdue notice, queued at its moment (task_events.schedule_due)."""
    _run(task_events.for_due, notify_due, task_id, version, kind)


def notify_watchers_of_comment(comment_id: int) -> None:
    _run(task_events.for_comment, comment_id)


def notify_watchers_of_move(
    task_id: int, actor_id: int, version: int, source: str, target: str
) -> None:
    _run(task_events.for_move, task_id, actor_id, version, source, target)


def _run(work: Callable[..., None], *args) -> None:
    try:
        with current_app.test_request_context():  # for url_for in what the job renders
            work(*args)
    finally:
        db.session.remove()  # jobs share the worker's app context: start each afresh
