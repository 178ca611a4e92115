"""Comments on a task: post, edit, delete. Each works as a plain form and through htmx."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from taskflow import security
from taskflow.access import member_task
from taskflow.boards import comment_thread as thread
from taskflow.boards.changes import Refused
from taskflow.boards.tasks import task_page
from taskflow.extensions import db
from taskflow.htmx import fragment_or_redirect, is_htmx, page_or_fragment
from taskflow.models import TaskThreadComment

bp = Blueprint("comments", __name__)


@bp.post("/tasks/<int:task_id>/comments")
def create(task_id: int):
    task = member_task(task_id)
    try:
        comment = thread.post_comment(task, current_user, request.form.get("content"))
    except Refused as refused:
        error = refused.reason
        if is_htmx():
            return render_template("boards/tasks/_comment_error.html", error=error), 422
        return task_page(task, comment_error=error, draft=request.form.get("content", "")), 422
    return fragment_or_redirect(  # for htmx: the new comment, should the socket be down,
        url_for("tasks.show", task_id=task.id, _anchor=f"comment-{comment.id}"),
        lambda: (
            render_template("boards/tasks/_comment_oob.html", comment=comment)
            + render_template("boards/tasks/_comment_error.html", error="")
        ),  # and no error
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id: int):
    comment = _comment(comment_id)
    if not comment.can_edit(current_user):
        abort(403)
    error = None
    if request.method == "POST":
        try:
            thread.edit_comment(comment, current_user, request.form.get("content"))
        except Refused as refused:
            error = refused.reason
        else:
            return fragment_or_redirect(
                url_for("tasks.show", task_id=comment.task_id, _anchor=f"comment-{comment.id}"),
                lambda: render_template("boards/tasks/_comment.html", comment=comment),
            )
    draft = request.form.get("content", comment.content)
    return page_or_fragment(
        "boards/tasks/comment_edit.html",
        "boards/tasks/_comment_edit.html",
        security.refusal_status(error),
        comment=comment,
        error=error,
        draft=draft,
    )


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
    thread.delete_comment(comment, current_user)
    # For htmx, the comment's element is replaced by nothing.
    return fragment_or_redirect(url_for("tasks.show", task_id=task_id))


def _comment(comment_id: int) -> TaskThreadComment:
    comment = db.session.get(TaskThreadComment, comment_id)
    if comment is None:
        abort(404)
    member_task(comment.task_id)  # 404 for non-members, as for the task itself
    return comment
