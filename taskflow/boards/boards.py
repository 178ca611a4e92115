"""Boards: my boards, the kanban page, rename and delete."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from taskflow.access import member_board, owned_board
from taskflow.boards import invitations
from taskflow.boards.forms import BoardForm
from taskflow.boards.live import versioned_board
from taskflow.extensions import db
from taskflow.htmx import is_htmx, page_or_fragment
from taskflow.models import Board
from taskflow.realtime import connection as live
from taskflow.realtime import topics

bp = Blueprint("boards", __name__)


@bp.get("/boards")
def index():
    return render_template(
        "boards/index.html", boards=Board.for_user(current_user), form=BoardForm()
    )


@bp.post("/boards")
def create():
    form = BoardForm()
    if not form.validate_on_submit():
        boards = Board.for_user(current_user)
        return render_template("boards/index.html", boards=boards, form=form), 422
    board = Board.create(form.name.data, form.description.data or "", current_user)
    db.session.commit()
    return redirect(url_for("boards.show", board_id=board.id))


@bp.get("/boards/<int:board_id>")
def show(board_id: int):
    board = member_board(board_id)
    return page_or_fragment("boards/show.html", "boards/_kanban.html", board=board)


@bp.route("/boards/<int:board_id>/edit", methods=["GET", "POST"])
def edit(board_id: int):
    board = owned_board(board_id)
    form = BoardForm(obj=board)
    if form.validate_on_submit():
        board.name, board.description = form.name.data, form.description.data or ""
        db.session.commit()
        flash("Board saved.", "success")
        return redirect(url_for("boards.show", board_id=board.id))
    return render_template("boards/edit.html", board=board, form=form), 422 if form.errors else 200


@bp.route("/boards/<int:board_id>/delete", methods=["GET", "POST"])
def delete(board_id: int):
    board = owned_board(board_id)
    if request.method == "POST":  # CSRFProtect has checked the token before we get here
        name, board_id = board.name, board.id
        withdrawn = invitations.pending_of(board)  # they go with the board (ON DELETE CASCADE)
        db.session.delete(board)
        live.end_scope(topics.board(board_id))  # its pages, rooms and tasks close everywhere
        invitations.push_withdrawn(withdrawn)
        db.session.commit()
        flash(f"Board “{name}” deleted.", "info")
        return redirect(url_for("boards.index"))
    return render_template("boards/delete.html", board=board)


def kanban(board: Board, status: int = 200, **context):
    """The answer to every change on the board: the kanban fragment for htmx,
    a redirect back to the board for a plain form, the full page when a form has errors."""
    if is_htmx():
        version, board = versioned_board(board.id)
        html = render_template("boards/_kanban.html", board=board, version=version, **context)
        return html, status
    if status == 200:
        return redirect(url_for("boards.show", board_id=board.id))
    return render_template("boards/show.html", board=board, **context), status
