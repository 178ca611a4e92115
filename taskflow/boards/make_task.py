"""Make task (issue 24): a chat message or a task comment becomes a task. Its page is the
task form prefilled (the title from the text's first line, the text quoted in the
description with a link back), with the column picked among the user's boards; the POST
creates the task through task_service.make_task (the same checks and broadcasts as the
board's own form), then opens it. The task's card and page link back to its source
(`/tasks/<id>/source`), and the source shows the task's chip. Works as plain pages."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from taskflow.access import readable_room, visible_column, visible_task
from taskflow.boards import task_service
from taskflow.boards.boards import limited
from taskflow.boards.forms import DESCRIPTION_MAX, MakeTaskForm
from taskflow.boards.task_service import NOT_ON_BOARD
from taskflow.extensions import db
from taskflow.models import Board, ChatMessage, Column, Membership, TaskThreadComment
from taskflow.models.task import TITLE_MAX
from taskflow.names import name_key
from taskflow.refusals import Refused
from taskflow.timezones import viewer_zone

bp = Blueprint("make_task", __name__)

COLUMNS_OFFERED = 500  # columns of the user's boards the form lists (boards by name)
NO_COLUMN = "Pick a column of one of your boards."


@bp.route("/messages/<int:message_id>/make-task", methods=["GET", "POST"])
@limited
def from_message(message_id: int):
    message = db.session.get(ChatMessage, message_id)
    if message is None or message.deleted_at is not None:
        abort(404)
    room = readable_room(message.room_id, current_user)  # 404 for those who cannot read it
    if room is None:
        abort(404)
    link = url_for(
        "rooms.show", room_id=room.id, around=message.id, _anchor=f"message-{message.id}"
    )
    return _make(message, room.board_id, link, f"#{room.name}" if room.board_id else None)


@bp.route("/comments/<int:comment_id>/make-task", methods=["GET", "POST"])
@limited
def from_comment(comment_id: int):
    comment = db.session.get(TaskThreadComment, comment_id)
    task = visible_task(comment.task_id, current_user) if comment is not None else None
    if task is None:
        abort(404)
    link = url_for("tasks.show", task_id=task.id, _anchor=f"comment-{comment.id}")
    return _make(comment, task.column.board_id, link, f"#{task.number}")


@bp.get("/tasks/<int:task_id>/source")
def source(task_id: int):
    """Where the task was made from (its card's and page's link back): the room's page
    around the message, or the comment on its task's page; 404 when its reader may not
    read it there, or it is gone."""
    task = visible_task(task_id, current_user)
    message = comment = None
    if task is not None and task.source_message_id:
        message = db.session.get(ChatMessage, task.source_message_id)
    elif task is not None and task.source_comment_id:
        comment = db.session.get(TaskThreadComment, task.source_comment_id)
    if (
        message is not None
        and message.deleted_at is None
        and readable_room(message.room_id, current_user)
    ):
        anchor = f"message-{message.id}"
        return redirect(
            url_for("rooms.show", room_id=message.room_id, around=message.id, _anchor=anchor)
        )
    if comment is not None and visible_task(comment.task_id, current_user) is not None:
        anchor = f"comment-{comment.id}"
        return redirect(url_for("tasks.show", task_id=comment.task_id, _anchor=anchor))
    abort(404)


def _make(source, board_id: int | None, link: str, where: str | None):
    """The form prefilled from `source` (GET), or the task made (POST: then its page)."""
    form = MakeTaskForm()
    form.column_id.choices = _columns(current_user.id)
    if not form.is_submitted():
        _prefill(form, source, board_id, link, where)
    elif form.validate():
        column = _column_checked(form)
        if column is not None and _assignee_checked(column.board_id, form):
            fields = form.fields(viewer_zone())
            try:
                task = task_service.make_task(column, current_user, fields, source)
                return redirect(url_for("tasks.show", task_id=task.id))
            except Refused as refusal:  # made meanwhile: the page says into which task
                return _page(form, source, link, refusal.status)
    return _page(form, source, link, 422 if form.errors else 200)


def _page(form: MakeTaskForm, source, link: str, status: int):
    made = task_service.made_from(source)  # the page names it, and offers no second one
    page = render_template("boards/tasks/make.html", form=form, source=source, link=link, made=made)
    return page, status


def _columns(user_id: int) -> dict[str, list[SelectChoice]]:
    """The live columns of the user's live boards, by board (an <optgroup> each): one query."""
    query = (
        select(Column.id, Column.name, Board.name)
        .join(Board, Board.id == Column.board_id)
        .join(Membership, (Membership.board_id == Board.id) & (Membership.user_id == user_id))
        .where(Board.archived_at.is_(None), Column.archived_at.is_(None))
        .order_by(Board.name, Board.id, Column.position)
        .limit(COLUMNS_OFFERED)
    )
    groups: dict[str, list[SelectChoice]] = {}
    for column_id, column, board in db.session.execute(query):
        groups.setdefault(board, []).append(SelectChoice(column_id, column))
    return groups


def _prefill(form: MakeTaskForm, source, board_id: int | None, link: str, where: str | None):
    text = source.content or ""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    form.title.data = first if len(first) <= TITLE_MAX else first[: TITLE_MAX - 1] + "…"
    author = f"@{source.author.username}" if source.author else "someone"
    said = f"{author} in {where}" if where else author
    back = f"\n\n[From {said}]({link})"
    quoted = "\n".join(f"> {line}" for line in text.splitlines())
    # Quoting lengthens short lines ("> "): cut after quoting, so the form fits its own bound.
    form.description.data = quoted[: DESCRIPTION_MAX - len(back)] + back
    first_column = (
        db.session.scalar(
            select(Column.id)
            .where(Column.board_id == board_id, Column.archived_at.is_(None))
            .order_by(Column.position)
            .limit(1)
        )
        if board_id
        else None
    )
    form.column_id.data = first_column


def _column_checked(form: MakeTaskForm) -> Column | None:
    """The column picked, if it is a live column of one of the user's boards."""
    column = visible_column(form.column_id.data, current_user) if form.column_id.data else None
    if column is None or column.archived_at is not None or column.board.archived_at is not None:
        form.column_id.errors = [*form.column_id.errors, NO_COLUMN]
        return None
    return column


def _assignee_checked(board_id: int, form: MakeTaskForm) -> bool:
    """The assignee typed, if any, is on the board picked (one query); None otherwise."""
    typed = (form.assignee_username.data or "").lstrip("@")
    form.assignee_id.data = None
    if not typed:
        return True
    found = Board.members_among(board_id, set(), {name_key(typed)})
    if not found:
        form.assignee_username.errors = [*form.assignee_username.errors, NOT_ON_BOARD]
        return False
    form.assignee_id.data = found[0].id
    return True
