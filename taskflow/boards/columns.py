"""Columns of a board: add, rename, reorder, delete."""

from flask import Blueprint, abort, render_template, request
from sqlalchemy import update

from taskflow.access import member_board, member_column
from taskflow.boards import live as live_board
from taskflow.boards.boards import changed, kanban, limited
from taskflow.boards.forms import ColumnForm
from taskflow.extensions import db
from taskflow.htmx import is_htmx
from taskflow.models import Board, Column, Task
from taskflow.models.column import renumber
from taskflow.realtime import connection as live
from taskflow.realtime import topics

bp = Blueprint("columns", __name__)


@bp.post("/boards/<int:board_id>/columns")
@limited
def create(board_id: int):
    board = member_board(board_id)
    form = ColumnForm()
    if not form.validate_on_submit():
        return kanban(board, status=422, column_form=form)
    change = live_board.begin_change(board)
    column = Column(name=form.name.data, position=len(board.columns))
    board.columns.append(column)
    change.columns.append(column)
    change.reordered = True
    db.session.commit()
    return changed(change, board_id)


@bp.post("/columns/<int:column_id>/rename")
@limited
def rename(column_id: int):
    column = member_column(column_id)
    form = ColumnForm(prefix=f"column-{column.id}")
    if not form.validate_on_submit():
        return kanban(column.board, status=422, rename_errors={column.id: form.name.errors})
    change = live_board.begin_change(column.board)
    column.name = form.name.data
    change.renamed.append(column)
    live_board.task_changed(*live_board.task_ids(column.id))  # their pages show the column
    board_id = column.board_id
    db.session.commit()
    return changed(change, board_id)


@bp.post("/columns/<int:column_id>/move")
@limited
def move(column_id: int):
    column = member_column(column_id)
    direction = request.form.get("direction")
    if direction not in ("left", "right"):
        abort(400)
    change = live_board.begin_change(column.board)
    column.move(-1 if direction == "left" else 1)
    change.reordered = True
    board_id, column_id = column.board_id, column.id
    db.session.commit()
    return changed(change, board_id, focus=f"column-{column_id}-{direction}")


@bp.route("/columns/<int:column_id>/delete", methods=["GET", "POST"])
@limited
def delete(column_id: int):
    """An empty column goes at once; a column with tasks asks where they should go."""
    column = member_column(column_id)
    board = column.board
    others = [c for c in board.columns if c is not column]
    count = column.task_count()
    if request.method == "GET" or (count and "tasks_to" not in request.form):
        return render_template(
            "boards/columns/delete.html", column=column, others=others, count=count
        )
    change = live_board.begin_change(board)
    board, column = column.board, db.session.get(Column, column.id)  # reloaded under the lock
    others = [c for c in board.columns if c is not column]
    moved = live_board.task_ids(column.id)
    target_id = request.form.get("tasks_to", "delete")
    if moved and target_id != "delete":
        target = next((c for c in others if str(c.id) == target_id), None) or abort(400)
        # One UPDATE: they go after the target's own cards, in their order.
        db.session.execute(
            update(Task)
            .where(Task.column_id == column.id)
            .values(column_id=target.id, position=Task.position + target.task_count()),
            execution_options={"synchronize_session": False},
        )
        change.columns.append(target)
    else:  # they go with the column (ON DELETE CASCADE)
        for task_id in moved:  # their task pages close; moved tasks' pages follow them
            live.end_scope(topics.task(task_id))
    board.columns.remove(column)
    renumber(board.columns)
    change.gone.add(column.id)
    change.reordered = True
    live_board.task_changed(*moved)
    board_id = board.id
    db.session.commit()
    return changed(change, board_id)


@bp.get("/columns/<int:column_id>/cards")
def cards(column_id: int):
    """ "Show more": the column's next cards. For htmx only the cards, with the board's
    version (read before them, as the kanban's) for the page to check it is in step; without
    JavaScript a page of them."""
    column = member_column(column_id)
    offset = max(0, request.args.get("offset", 0, type=int) or 0)
    version = Board.current_version(column.board_id)
    db.session.expire_all()
    column = db.session.get(Column, column_id)
    found = live_board.column_cards(column.id, offset, live_board.MORE)
    if is_htmx():
        html = render_template("boards/columns/_cards.html", cards=found)
        return html, 200, {"X-Board-Version": str(version)}
    count = live_board.counts([column.id])[column.id]
    return render_template(
        "boards/columns/cards.html",
        column=column,
        cards=found,
        offset=offset,
        count=count,
        page=live_board.MORE,
    )
