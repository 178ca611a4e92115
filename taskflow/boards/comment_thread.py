"""A task's comment thread: post, edit and delete, each published to everyone with the task
open once it commits (rendered once for all, times in UTC for local_time.js; edit/delete
controls are shown per viewer by CSS, see viewer.css). A post or a delete changes the card's
count: a change of the board (boards/live.py), whose lock it takes before touching the thread,
in the order a task's deletion takes them.

post_comment, edit_comment and delete_comment are the changes a user makes (see
changes.py, "who commits"): each checks its rule first and raises Refused; `post` and `edit`
take text already checked (the demo's)."""

from collections.abc import Callable

from sqlalchemy import select

from taskflow import chips
from taskflow.boards.changes import Refused
from taskflow.boards.live import begin_change, task_html
from taskflow.boards.watching import watch_quietly
from taskflow.extensions import db
from taskflow.models import Board, Reaction, Task, TaskThreadComment, User
from taskflow.models.user import utcnow
from taskflow.notifications import jobs, mentions
from taskflow.notifications import service as notifications
from taskflow.realtime import fragments, topics
from taskflow.realtime.after_commit import broadcast
from taskflow.realtime.broadcaster import text_frame
from taskflow.security import SLOW_DOWN
from taskflow.texts import text_to_send
from taskflow.timezones import LIVE

NOT_YOURS = "You are not allowed to do that."


def checked_text(content: object, user_id: int) -> str:
    """The text to post (texts.text_to_send: cleaned, within the sender's rate);
    Refused (422, or 429 for a sender too fast) with the reason."""
    text, error = text_to_send(content, user_id)
    if error:
        raise Refused(error, 429 if error == SLOW_DOWN else 422)
    return text


def post_comment(task: Task, author: User, content: object) -> TaskThreadComment:
    """A new comment of `author` (a member of the task's board: the caller checks)."""
    return post(task, author, checked_text(content, author.id))


def edit_comment(comment: TaskThreadComment, editor: User, content: object) -> None:
    if not comment.can_edit(editor):
        raise Refused(NOT_YOURS, 403)
    edit(comment, checked_text(content, editor.id))


def delete_comment(comment: TaskThreadComment, actor: User) -> None:
    """Its author or the board's owner deletes it."""
    if not comment.can_delete(actor):
        raise Refused(NOT_YOURS, 403)
    delete(comment)


def post(task: Task, author: User, text: str) -> TaskThreadComment:
    change = begin_change(task.board)  # its card's count changes
    comment = TaskThreadComment(task=task, author=author, content=text)
    _set_mentions(comment, task, text)
    db.session.add(comment)
    TaskThreadComment.recount(task)
    change.card(task)
    watch_quietly(task.id, author.id)  # a commenter watches the task by default
    _publish(
        task.id,
        lambda: fragments.render("boards/tasks/_comment_oob.html", comment=comment, zone=LIVE),
    )
    db.session.commit()
    _notify(comment)
    notifications.enqueue(jobs.notify_watchers_of_comment, comment.id)
    return comment


def edit(comment: TaskThreadComment, text: str) -> None:
    comment.content, comment.edited_at = text, utcnow()
    _set_mentions(comment, comment.task, text)
    notifications.comment_edited(comment.id, text)  # committed with the edit
    _publish_comment(comment)
    db.session.commit()
    _notify(comment)


def toggle_reaction(comment: TaskThreadComment, user_id: int, emoji: str) -> bool:
    """Add or remove the user's emoji on the comment (checked by taskflow.reactions.refusal),
    then publish the comment as an edit is; whether it was added. The comment's row is
    locked first (PostgreSQL; SQLite has one writer anyway): toggles of one comment apply
    and render one after another, each seeing those before it."""
    table = TaskThreadComment.__table__
    db.session.execute(select(table.c.id).where(table.c.id == comment.id).with_for_update())
    added = Reaction.toggle(user_id, emoji, comment_id=comment.id)
    db.session.expire(comment, ["reactions"])  # rendered (before the commit) as it is now
    _publish_comment(comment)
    db.session.commit()
    return added


def became_task(comment: TaskThreadComment, task_id: int) -> None:
    """The comment was made a task ("Make task"): it names the task, and every open page of
    its thread shows its chip. The caller commits, with the task."""
    comment.made_task_id = task_id
    _publish_comment(comment)


def _publish_comment(comment: TaskThreadComment) -> None:
    """The comment as it is at commit, replacing its copy on every open task page."""
    _publish(
        comment.task_id,
        lambda: fragments.render(
            "boards/tasks/_comment.html", comment=comment, oob=True, zone=LIVE
        ),
    )


def _set_mentions(comment: TaskThreadComment, task: Task, text: str) -> None:
    """Board members can be mentioned in a task thread; the new ones get notified."""
    # Only the board's members the @words may name are loaded, never the whole board.
    named = mentions.named_keys(text) if "@" in text else set()
    board_id = task.column.board_id
    mentioned = mentions.find(text, Board.members_among(board_id, set(), named)) if named else []
    if {u.id for u in mentioned} - {u.id for u in comment.mentioned_users}:
        comment.notified_at = None
    elif comment.notified_at is None and not mentioned:
        comment.notified_at = utcnow()
    comment.mentioned_users = mentioned


def _notify(comment: TaskThreadComment) -> None:
    if comment.notified_at is None:
        notifications.enqueue(jobs.notify_comment, comment.id)


def delete(comment: TaskThreadComment) -> None:
    task, task_id, comment_id = comment.task, comment.task_id, comment.id
    change = begin_change(task.board)
    if db.session.get(TaskThreadComment, comment_id) is None:
        return  # deleted while this waited for the board (twice at once: both asked for it)
    db.session.delete(comment)
    TaskThreadComment.recount(task)
    change.card(task)
    gone = f'<li id="comment-{comment_id}" hx-swap-oob="delete"></li>'
    broadcast(topics.task(task_id), lambda: gone)
    db.session.commit()


def _publish(task_id: int, render: Callable[[], str]) -> None:
    """`render()`, once for every reader of the task (its "#42" chips filled: every reader
    is on the task's board)."""
    broadcast(topics.task(task_id), lambda: chips.shared(render()))


def catch_up(task_id: int) -> list[bytes]:
    """A (re)connecting task page gets the task and the latest page of its thread as they are
    now: whatever it missed, edits and deletions included, is then on screen."""
    task = db.session.get(Task, task_id)
    if task is None:
        return [text_frame(task_html(task_id))]
    comments = TaskThreadComment.latest(task)
    html = task_html(task_id) + chips.shared(
        fragments.render(
            "boards/tasks/_comments.html", task=task, comments=comments, oob=True, zone=LIVE
        )
    )
    return [text_frame(html)]
