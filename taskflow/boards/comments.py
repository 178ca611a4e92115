"""Comments on a task: post, edit, delete. Each works as a plain form and through htmx."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from taskflow import security
from taskflow.access import member_task
from taskflow.boards import comment_thread as thread
from taskflow.boards.tasks import task_page
from taskflow.extensions import db
from taskflow.htmx import is_htmx
from taskflow.models import TaskThreadComment
from taskflow.texts import text_to_send

bp = Blueprint("comments", __name__)


@bp.post("/tasks/<int:task_id>/comments")
def create(task_id: int):
    task = member_task(task_id)
    text, error = text_to_send(request.form.get("content"), current_user.id)
    if error:
        if is_htmx():
            return render_template("boards/tasks/_comment_error.html", error=error), 422
        return task_page(task, comment_error=error, draft=request.form.get("content", "")), 422
    comment = thread.post(task, current_user, text)
    if is_htmx():  # the new comment, should the socket be down, and a cleared error line
        html = render_template("boards/tasks/_comment_oob.html", comment=comment)
        return html + render_template("boards/tasks/_comment_error.html", error="")
    return redirect(url_for("tasks.show", task_id=task.id, _anchor=f"comment-{comment.id}"))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id: int):
    comment = _comment(comment_id)
    if not comment.can_edit(current_user):
        abort(403)
    error = None
    if request.method == "POST":
        text, error = text_to_send(request.form.get("content"), current_user.id)
        if not error:
            thread.edit(comment, text)
            if is_htmx():
                return render_template("boards/tasks/_comment.html", comment=comment)
            return redirect(
                url_for("tasks.show", task_id=comment.task_id, _anchor=f"comment-{comment.id}")
            )
    draft = request.form.get("content", comment.content)
    template = "boards/tasks/_comment_edit.html" if is_htmx() else "boards/tasks/comment_edit.html"
    status = security.refusal_status(error)
    return render_template(template, comment=comment, error=error, draft=draft), status


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
def delete(comment_id: int):
    comment = _comment(comment_id)
    if not comment.can_delete(current_user):
        abort(403)
    if request.method == "GET":  # without JavaScript: confirm, with a form that has a token
        return render_template(
            "confirm.html",
            question="Delete this comment?",
            detail=comment.content[:200],
            action=url_for("comments.delete", comment_id=comment.id),
            button="Delete comment",
            cancel=url_for("tasks.show", task_id=comment.task_id, _anchor=f"comment-{comment.id}"),
        )
    task_id = comment.task_id
    thread.delete(comment)
    if is_htmx():
        return ""  # the comment's element is replaced by nothing
    return redirect(url_for("tasks.show", task_id=task_id))


def _comment(comment_id: int) -> TaskThreadComment:
    comment = db.session.get(TaskThreadComment, comment_id)
    if comment is None:
        abort(404)
    member_task(comment.task_id)  # 404 for non-members, as for the task itself
    return comment
