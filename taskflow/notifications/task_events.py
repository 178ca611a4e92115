"""What a task's watchers and assignee are told (issue 23): due reminders, overdue notices,
comments and moves. Each is the work of an RQ job (notifications/jobs.py), idempotent like the
others: one notification per event and recipient, by its unique dedupe key, inserted in the
job's one transaction, so a job run twice (queued twice, retried, or re-run by a worker
started after another was killed) notifies once.

Due jobs are queued with `enqueue_at` by the task service after its commit, carrying the
task's `due_version` of that commit: a change of the due date bumps it, so the job queued for
the old date finds a newer version and does nothing (it is not removed from the scheduler:
a removal could be lost with Redis, a version check cannot)."""

import logging
from datetime import UTC, datetime, timedelta

import redis
from flask import current_app

from taskflow import due_dates
from taskflow.extensions import db
from taskflow.models import Board, Notification, Task, TaskThreadComment, TaskWatch, User
from taskflow.models.notification import DUE_REMINDER, TASK_COMMENT, TASK_MOVED, TASK_OVERDUE
from taskflow.models.user import utcnow
from taskflow.notifications import service
from taskflow.timezones import full, zone_of

log = logging.getLogger(__name__)
REMIND, OVERDUE = "remind", "overdue"
EARLY = timedelta(seconds=2)  # a job run sooner than this before its moment waits for it


def schedule_due(job, task: Task) -> None:
    """After the commit that set the task's due date: queue its reminder and overdue jobs at
    their moments (the assignee's zone for a date alone). False moments are skipped."""
    zone = zone_of(task.assignee)
    for kind, moment in (
        (REMIND, due_dates.reminder_moment(task, zone)),
        (OVERDUE, due_dates.due_moment(task, zone)),
    ):
        if moment is not None:
            _enqueue_at(job, moment, task.id, task.due_version, kind)


def _enqueue_at(job, moment: datetime, *args) -> None:
    try:
        at = moment.replace(tzinfo=UTC)  # RQ reads a naive time as the server's local one
        current_app.task_queue.enqueue_at(at, job, *args, retry=service.RETRY)
    except redis.RedisError as error:  # the reminder is lost with Redis: said, not hidden
        log.warning("could not schedule %s%s: %s", job.__name__, args, error)


def finished(task: Task) -> bool:
    """In the board's last column ("Done"), or archived (itself or its column): nobody is
    reminded of it or told it is late."""
    if task.archived_at is not None or task.column.archived_at is not None:
        return True
    return task.column.neighbour(1) is None


def for_due(job, task_id: int, version: int, kind: str) -> None:
    """The reminder (REMIND) or overdue notice (OVERDUE) of the task's due date as of
    `version`, to its assignee and watchers: nothing when the due date changed since, the
    task is finished, or gone."""
    task = service.locked(Task, task_id)
    if task is None or task.due_version != version or finished(task):
        db.session.rollback()
        return
    zone = zone_of(task.assignee)
    reminding = kind == REMIND
    moment = (due_dates.reminder_moment if reminding else due_dates.due_moment)(task, zone)
    if moment is None:
        db.session.rollback()
        return
    if moment - EARLY > utcnow():  # the assignee's zone moved it later: wait for it
        db.session.rollback()
        _enqueue_at(job, moment, task_id, version, kind)
        return
    recipients = _watchers_and_assignee(task)
    kind_name = DUE_REMINDER if reminding else TASK_OVERDUE

    def build(user: User) -> Notification:
        when = full(due_dates.due_moment(task, zone), zone_of(user))
        text = f"is due {when}" if reminding else f"is overdue since {when}"
        return Notification(
            recipient_id=user.id,
            type=kind_name,
            task_id=task.id,
            text=text,
            dedupe_key=f"{kind}:{task.id}:{version}:{user.id}",
            **service.shown(task.description, task.title, task.board.name),
        )

    service.create(None, recipients, build)


def for_comment(comment_id: int) -> None:
    """A new comment, to the task's watchers but its author and those it mentions (they
    have the mention's notification)."""
    comment = service.locked(TaskThreadComment, comment_id)
    if comment is None:
        db.session.rollback()
        return
    task = comment.task
    skip = {comment.author_id} | {u.id for u in comment.mentioned_users}
    watchers = _watchers_and_assignee(task, watchers_only=True, since=comment.created_at)
    recipients = [u for u in watchers if u.id not in skip]
    author = comment.author.shown_name if comment.author else "Someone"
    service.create(
        None,
        recipients,
        lambda user: Notification(
            recipient_id=user.id,
            sender_id=comment.author_id,
            type=TASK_COMMENT,
            task_thread_comment_id=comment.id,
            text=f"{author} commented on “{task.title}”",
            dedupe_key=f"watch-comment:{comment.id}:{user.id}",
            **service.shown(comment.content, task.title, task.board.name),
        ),
    )


def for_move(task_id: int, actor_id: int, version: int, source: str, target: str) -> None:
    """The task moved from column `source` to `target` (names as they were), to its watchers
    but the mover; `version`: the task's after the move, one notice per move."""
    task = service.locked(Task, task_id)
    if task is None:
        db.session.rollback()
        return
    recipients = [u for u in _watchers_and_assignee(task, watchers_only=True) if u.id != actor_id]
    shown = service.shown(f"{source} → {target}", task.title, task.board.name)
    service.create(
        None,
        recipients,
        lambda user: Notification(
            recipient_id=user.id,
            sender_id=actor_id,
            type=TASK_MOVED,
            task_id=task.id,
            text=f"moved this task to {target}",
            dedupe_key=f"watch-move:{task.id}:{version}:{user.id}",
            **shown,
        ),
    )


def _watchers_and_assignee(
    task: Task, watchers_only: bool = False, since: datetime | None = None
) -> list[User]:
    """The task's watchers (at most MAX_WATCHERS; those watching by `since`) and its
    assignee, those still on its board: one query for the members among them."""
    ids = set(TaskWatch.watcher_ids(task.id, since))
    if task.assignee_id and not watchers_only:
        ids.add(task.assignee_id)
    return Board.members_among(task.column.board_id, ids, set()) if ids else []
