"""A task's comment thread: post, edit and delete, each saved first and then published to
everyone with the task open (rendered once; edit/delete controls are shown per viewer by
CSS, see viewer.css)."""

from taskflow import fragments, jobs, mentions, notifications
from taskflow.broadcast import text_frame
from taskflow.extensions import broadcaster, db
from taskflow.live_board import task_html, task_topic
from taskflow.models import Task, TaskThreadComment, User
from taskflow.models.user import utcnow


def post(task: Task, author: User, text: str) -> TaskThreadComment:
    comment = TaskThreadComment(task=task, author=author, content=text)
    _set_mentions(comment, task, text)
    db.session.add(comment)
    db.session.commit()
    _publish(task.id, fragments.render("tasks/_comment_oob.html", comment=comment))
    _notify(comment)
    return comment


def edit(comment: TaskThreadComment, text: str) -> None:
    comment.content, comment.edited_at = text, utcnow()
    _set_mentions(comment, comment.task, text)
    db.session.commit()
    _publish(comment.task_id, fragments.render("tasks/_comment.html", comment=comment, oob=True))
    _notify(comment)


def _set_mentions(comment: TaskThreadComment, task: Task, text: str) -> None:
    """Board members can be mentioned in a task thread; the new ones get notified."""
    mentioned = mentions.find(text, task.board.members) if "@" in text else []
    if {u.id for u in mentioned} - {u.id for u in comment.mentioned_users}:
        comment.notified_at = None
    elif comment.notified_at is None and not mentioned:
        comment.notified_at = utcnow()
    comment.mentioned_users = mentioned


def _notify(comment: TaskThreadComment) -> None:
    if comment.notified_at is None:
        notifications.enqueue(jobs.notify_comment, comment.id)


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
    html = task_html(task_id) + fragments.render(
        "tasks/_comments.html", task=task, comments=comments, oob=True
    )
    return [text_frame(html)], 0
