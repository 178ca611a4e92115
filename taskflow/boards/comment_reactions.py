"""Reacting to a task comment: the toggle (htmx, or a plain form), and without JavaScript
the page that offers the fixed set. Every member of the task's board may react."""

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user

from taskflow.access import member_task
from taskflow.boards import comment_thread as thread
from taskflow.chat import reactions
from taskflow.extensions import db
from taskflow.models import TaskThreadComment

bp = Blueprint("comment_reactions", __name__)


@bp.route("/comments/<int:comment_id>/reactions", methods=["GET", "POST"])
def toggle(comment_id: int):
    comment = _readable_comment(comment_id)
    back = url_for("tasks.show", task_id=comment.task_id, _anchor=f"comment-{comment.id}")
    return reactions.answer(
        comment,
        "comment",
        url_for("comment_reactions.toggle", comment_id=comment.id),
        back,
        lambda emoji: thread.toggle_reaction(comment, current_user.id, emoji),
        lambda: render_template("boards/tasks/_comment.html", comment=comment, oob=True),
    )


def _readable_comment(comment_id: int) -> TaskThreadComment:
    comment = db.session.get(TaskThreadComment, comment_id)
    if comment is None:
        abort(404)
    member_task(comment.task_id)  # 404 for non-members, as for the task itself
    return comment
