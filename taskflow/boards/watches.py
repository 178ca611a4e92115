"""Watch and Unwatch a task (issue 23): a plain form back to the task page, or for htmx the
button swapped in place. Per viewer, so it is not part of the task's shared detail."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from taskflow import errors
from taskflow.access import member_task
from taskflow.boards import watching
from taskflow.boards.boards import limited
from taskflow.boards.changes import Refused
from taskflow.htmx import fragment_or_redirect
from taskflow.models import TaskWatch

bp = Blueprint("watches", __name__)


@bp.post("/tasks/<int:task_id>/watch")
@limited
def toggle(task_id: int):
    task = member_task(task_id)
    action = request.form.get("action")
    if action not in ("watch", "unwatch"):
        abort(400)
    try:
        if action == "watch":
            watching.watch(task, current_user)
        else:
            watching.unwatch(task, current_user)
    except Refused as refused:  # the most watchers a task may have
        return errors.refusal(refused.status, refused.reason)
    return fragment_or_redirect(
        url_for("tasks.show", task_id=task.id),
        lambda: render_template(
            "boards/tasks/_watch.html",
            task=task,
            watching=TaskWatch.watching(task.id, current_user.id),
        ),
    )
