"""Columns of a board: add, rename, reorder, delete."""

from flask import Blueprint, abort, render_template, request

from taskflow.access import member_board, member_column
from taskflow.boards import live as live_board
from taskflow.boards.boards import kanban
from taskflow.boards.forms import ColumnForm
from taskflow.extensions import db
from taskflow.models import Column
from taskflow.models.column import renumber
from taskflow.realtime import connection as live
from taskflow.realtime import topics

bp = Blueprint("columns", __name__)


@bp.post("/boards/<int:board_id>/columns")
def create(board_id: int):
    board = member_board(board_id)
    form = ColumnForm()
    if not form.validate_on_submit():
        return kanban(board, status=422, column_form=form)
    live_board.begin_change(board)
    board.columns.append(Column(name=form.name.data, position=len(board.columns)))
    db.session.commit()
    return kanban(board)


@bp.post("/columns/<int:column_id>/rename")
def rename(column_id: int):
    column = member_column(column_id)
    form = ColumnForm(prefix=f"column-{column.id}")
    if not form.validate_on_submit():
        return kanban(column.board, status=422, rename_errors={column.id: form.name.errors})
    live_board.begin_change(column.board)
    column.name = form.name.data
    live_board.task_changed(*(t.id for t in column.tasks))  # they show their column
    db.session.commit()
    return kanban(column.board)


@bp.post("/columns/<int:column_id>/move")
def move(column_id: int):
    column = member_column(column_id)
    direction = request.form.get("direction")
    if direction not in ("left", "right"):
        abort(400)
    live_board.begin_change(column.board)
    column.move(-1 if direction == "left" else 1)
    db.session.commit()
    return kanban(column.board, focus=f"column-{column.id}-{direction}")


@bp.route("/columns/<int:column_id>/delete", methods=["GET", "POST"])
def delete(column_id: int):
    """An empty column goes at once; a column with tasks asks where they should go."""
    column = member_column(column_id)
    board = column.board
    others = [c for c in board.columns if c is not column]
    if request.method == "GET" or (column.tasks and "tasks_to" not in request.form):
        return render_template("boards/columns/delete.html", column=column, others=others)
    live_board.begin_change(board)
    moved = [t.id for t in column.tasks]
    target_id = request.form.get("tasks_to", "delete")
    deleted = moved if target_id == "delete" else []
    if column.tasks and target_id != "delete":
        target = next((c for c in others if str(c.id) == target_id), None) or abort(400)
        for task in list(column.tasks):
            task.move_to(target, len(target.tasks))
    board.columns.remove(column)
    renumber(board.columns)
    live_board.task_changed(*moved)
    for task_id in deleted:  # their task pages close; moved tasks' pages follow them
        live.end_scope(topics.task(task_id))
    db.session.commit()
    return kanban(board)
