"""A task's comment thread: post, edit and delete, each saved first and then published to
everyone with the task open (rendered once; edit/delete controls are shown per viewer by
CSS, see viewer.css)."""

from flask import render_template

from taskflow.broadcast import text_frame
from taskflow.extensions import broadcaster, db
from taskflow.live_board import task_html, task_topic
from taskflow.models import Task, TaskThreadComment, User
from taskflow.models.user import utcnow


def post(task: Task, author: User, text: str) -> TaskThreadComment:
    comment = TaskThreadComment(task=task, author=author, content=text)
    db.session.add(comment)
    db.session.commit()
    _publish(task.id, render_template("tasks/_comment_oob.html", comment=comment))
    return comment


def edit(comment: TaskThreadComment, text: str) -> None:
    comment.content, comment.edited_at = text, utcnow()
    db.session.commit()
    _publish(comment.task_id, render_template("tasks/_comment.html", comment=comment, oob=True))


def delete(comment: TaskThreadComment) -> None:
    task_id, comment_id = comment.task_id, comment.id
    db.session.delete(comment)
    db.session.commit()
    _publish(task_id, f'<li id="comment-{comment_id}" hx-swap-oob="delete"></li>')


def _publish(task_id: int, html: str) -> None:
    broadcaster.publish(task_topic(task_id), html)


def catch_up(task_id: int) -> tuple[list[bytes], int]:
    """A (re)connecting task page gets the task and the latest page of its thread as they are
    now: whatever it missed, edits and deletions included, is then on screen."""
    task = db.session.get(Task, task_id)
    if task is None:
        return [text_frame(task_html(task_id))], 0
    comments = TaskThreadComment.latest(task)
    html = task_html(task_id) + render_template(
        "tasks/_comments.html", task=task, comments=comments, oob=True
    )
    return [text_frame(html)], 0
