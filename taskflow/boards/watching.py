"""Watching a task (issue 23): anyone on its board may watch or stop watching it; commenters
and the assignee watch by default. Watchers are told of its comments, moves and due
reminders (notifications/task_events.py). And "My tasks": a change of a task assigned to
someone tells their "My tasks" page to refetch its list (one small frame per assignee, not
the list: it is per reader)."""

from sqlalchemy import select

from taskflow.boards.changes import Refused
from taskflow.extensions import db
from taskflow.models import Column, Task, TaskWatch, User
from taskflow.models.watch import MAX_WATCHERS
from taskflow.realtime import topics
from taskflow.realtime.after_commit import broadcast
from taskflow.realtime.fragments import render

TOO_MANY = f"This task has {MAX_WATCHERS} watchers, the most it can have."


def watch(task: Task, user: User) -> None:
    """`user` (on the task's board: the route checked) watches the task."""
    if not TaskWatch.add(task.id, user.id):
        raise Refused(TOO_MANY, 409)
    db.session.commit()


def unwatch(task: Task, user: User) -> None:
    TaskWatch.remove(task.id, user.id)
    db.session.commit()


def watch_quietly(task_id: int, user_id: int) -> None:
    """In the caller's transaction: the user watches by default (commenting, being
    assigned), unless the task has its most watchers already, which is no reason to refuse
    the comment or the assignment."""
    TaskWatch.add(task_id, user_id)


def assigned_changed(*user_ids: int | None) -> None:
    """Once the change commits, these users' "My tasks" pages refetch their lists."""
    for user_id in {u for u in user_ids if u is not None}:
        broadcast(
            topics.my_tasks(user_id),
            lambda: render("boards/_my_tasks_stale.html"),
            key=("my-tasks", user_id),
        )


def assignees_changed(*where) -> None:
    """The tasks that match `where` left (or came back to) the board with their column or
    board: their assignees' "My tasks" refetch (one DISTINCT query, one frame each)."""
    query = select(Task.assignee_id).join(Column, Task.column_id == Column.id).where(*where)
    assigned_changed(*db.session.scalars(query.distinct()))
