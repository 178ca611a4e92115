"""Columns of a board: add, rename, reorder (archive and restore: archive.py)."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from taskflow.access import member_board, member_column
from taskflow.boards import column_service
from taskflow.boards import live as live_board
from taskflow.boards.boards import board_filter, changed, kanban, limited
from taskflow.boards.changes import Refused
from taskflow.boards.forms import ColumnForm
from taskflow.extensions import db
from taskflow.htmx import is_htmx
from taskflow.models import Board, Column

bp = Blueprint("columns", __name__)


@bp.post("/boards/<int:board_id>/columns")
@limited
def create(board_id: int):
    board = member_board(board_id)
    form = ColumnForm()
    if not form.validate_on_submit():
        return kanban(board, status=422, column_form=form)
    return changed(column_service.create_column(board, form.name.data), board_id)


@bp.post("/columns/<int:column_id>/rename")
@limited
def rename(column_id: int):
    column = member_column(column_id)
    form = ColumnForm(prefix=f"column-{column.id}")
    if not form.validate_on_submit():
        return kanban(column.board, status=422, rename_errors={column.id: form.name.errors})
    change = column_service.rename_column(column, form.name.data, current_user)
    return changed(change, change.board_id)


@bp.post("/columns/<int:column_id>/move")
@limited
def move(column_id: int):
    column = member_column(column_id)
    direction = request.form.get("direction")
    try:
        change = column_service.move_column(column, direction)
    except Refused as refused:
        abort(refused.status)
    return changed(change, change.board_id, focus=f"column-{column_id}-{direction}")


@bp.get("/columns/<int:column_id>/cards")
def cards(column_id: int):
    """ "Show more": the column's next cards. For htmx only the cards, with the board's
    version (read before them, as the kanban's) for the page to check it is in step; without
    JavaScript a page of them."""
    column = member_column(column_id)
    offset = max(0, request.args.get("offset", 0, type=int) or 0)
    matching, _error = board_filter(column.board_id)  # the board page's ?q=, if it filters
    where = matching.conditions if matching else ()
    version = Board.current_version(column.board_id)
    db.session.expire_all()
    column = db.session.get(Column, column_id)
    found = live_board.column_cards(column.id, offset, live_board.MORE, where)
    if is_htmx():
        html = render_template("boards/columns/_cards.html", cards=found)
        return html, 200, {"X-Board-Version": str(version)}
    return render_template(
        "boards/columns/cards.html",
        column=column,
        cards=found,
        offset=offset,
        count=live_board.counts([column.id], where)[column.id],
        page=live_board.MORE,
        q=matching.text if matching else None,
    )
