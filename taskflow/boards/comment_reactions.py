"""Reacting to a task comment: the toggle (htmx, or a plain form), and without JavaScript
the page that offers the fixed set (taskflow/reactions.py). Every member of the task's board
may react."""

from flask import Blueprint, abort, render_template, url_for

from taskflow import reactions
from taskflow.access import member_task
from taskflow.boards import comment_thread as thread
from taskflow.extensions import db
from taskflow.models import TaskThreadComment

bp = Blueprint("comment_reactions", __name__)

COMMENT = reactions.Reactable(
    "comment",
    "comment_reactions.toggle",
    back=lambda c: url_for("tasks.show", task_id=c.task_id, _anchor=f"comment-{c.id}"),
    toggle=thread.toggle_reaction,
    fragment=lambda c: render_template("boards/tasks/_comment.html", comment=c, oob=True),
)


@bp.route("/comments/<int:comment_id>/reactions", methods=["GET", "POST"])
def toggle(comment_id: int):
    return reactions.answer(_readable_comment(comment_id), COMMENT)


def _readable_comment(comment_id: int) -> TaskThreadComment:
    comment = db.session.get(TaskThreadComment, comment_id)
    if comment is None:
        abort(404)
    member_task(comment.task_id)  # 404 for non-members, as for the task itself
    return comment
