"""Archive instead of delete: a board's Archived page (its archived tasks and columns, each
with Restore, for any member), and a column's archive (its old Delete) and restore. A task's
are in tasks.py, a board's in boards.py."""

from flask import Blueprint, abort, flash, render_template, request
from flask_login import current_user
from sqlalchemy import select

from taskflow import errors
from taskflow.access import member_board, member_column
from taskflow.boards import column_service
from taskflow.boards.boards import changed, limited
from taskflow.boards.changes import Refused
from taskflow.extensions import db
from taskflow.models import Column, Task

bp = Blueprint("archive", __name__)

SHOWN = 200  # archived tasks the page lists, the latest first


@bp.get("/boards/<int:board_id>/archived")
def archived(board_id: int):
    board = member_board(board_id)
    columns = db.session.scalars(
        select(Column)
        .where(Column.board_id == board.id, Column.archived_at.is_not(None))
        .order_by(Column.archived_at.desc(), Column.id.desc())
    ).all()
    tasks = db.session.scalars(
        select(Task)
        .join(Column)
        .where(Column.board_id == board.id, Task.archived_at.is_not(None))
        .order_by(Task.archived_at.desc(), Task.id.desc())
        .limit(SHOWN)
    ).all()
    return render_template("boards/archived.html", board=board, columns=columns, tasks=tasks)


@bp.route("/columns/<int:column_id>/archive", methods=["GET", "POST"])
@bp.route("/columns/<int:column_id>/delete", methods=["GET", "POST"])  # its old name
@limited
def archive_column(column_id: int):
    """GET: the confirmation (a page without JavaScript). POST: archived with its tasks,
    with an Undo."""
    column = member_column(column_id)
    if request.method == "GET":
        count = column.task_count()
        return render_template("boards/columns/delete.html", column=column, count=count)
    try:
        change = column_service.archive_column(column, current_user)
    except Refused as refused:
        abort(refused.status)
    return changed(change, change.board_id)


@bp.post("/columns/<int:column_id>/restore")
@limited
def restore_column(column_id: int):
    column = member_column(column_id)
    try:
        change = column_service.restore_column(column, current_user)
    except Refused as refused:
        return errors.refusal(refused.status, refused.reason)
    flash(f"Column “{column.name}” restored.", "success")
    return changed(change, change.board_id)
