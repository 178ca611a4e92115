"""Boards: my boards (and archived ones), the kanban page, rename, archive, restore and
delete for good; the answer to a board change, with its actor's Undo."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup

from taskflow import errors, security, timezones
from taskflow.access import member_board, owned_board
from taskflow.boards import board_service, changes
from taskflow.boards import filter as board_filters
from taskflow.boards.forms import BoardForm
from taskflow.boards.live import Change, load_kanban
from taskflow.htmx import form_answer, fragment_or_redirect, is_htmx, page_or_fragment
from taskflow.models import Board, BoardImport

bp = Blueprint("boards", __name__)


@bp.get("/boards")
def index():
    return boards_page(BoardForm())


def boards_page(form: BoardForm, status: int = 200, import_error: str | None = None):
    """The list of the user's boards, each with its member count (one query for all), the
    new board form and the import form (boards/transfer.py), with their errors."""
    boards = Board.for_user(current_user)
    archived = Board.for_user(current_user, archived=True)
    counts = Board.member_counts([board.id for board in boards + archived])
    imports = BoardImport.recent(current_user.id)
    page = render_template(
        "boards/index.html",
        boards=boards,
        archived=archived,
        counts=counts,
        form=form,
        imports=imports,
        import_error=import_error,
    )
    return page, status


@bp.post("/boards")
def create():
    form = BoardForm()
    if not form.validate_on_submit():
        return boards_page(form, 422)
    board = board_service.create_board(form.name.data, form.description.data or "", current_user)
    return redirect(url_for("boards.show", board_id=board.id))


@bp.get("/boards/<int:board_id>")
def show(board_id: int):
    board = member_board(board_id)
    found, error = board_filter(board.id)
    kanban = load_kanban(board.id, found)
    members = Board.member_counts([board.id]).get(board.id, 0)  # counted, not loaded
    return page_or_fragment(
        "boards/show.html",
        "boards/_kanban.html",
        board=board,
        kanban=kanban,
        members=members,
        q=request.args.get("q", "")[: board_filters.QUERY_MAX],
        filter_error=error,
    )


def board_filter(board_id: int) -> tuple[board_filters.Filter | None, str | None]:
    """The page's `?q=` (boards/filter.py) for the current user, today in their zone; a
    filter that cannot be applied is not: the page says why instead. A form posted from the
    board (htmx) filters its answer as its page does (HX-Current-URL)."""
    text = request.args.get("q")
    if request.method == "POST":
        text = parse_qs(urlsplit(request.headers.get("HX-Current-URL", "")).query).get("q", [""])[0]
    today = timezones.today(timezones.viewer_zone())
    try:
        found = board_filters.parse(text, board_id, current_user.id, today)
    except board_filters.BadFilter as bad:
        return None, str(bad)
    return (found or None), None


def limited(view: Callable) -> Callable:
    """A change to a board (tasks, columns, its name) within the user's rate
    (BOARD_EDIT_RATE_LIMIT), counted before anything is read or written: beyond it a 429
    that says why, as a page or, for htmx, a fragment for the page's flash messages."""

    @wraps(view)
    def limited_view(*args, **kwargs):
        if request.method == "POST" and not may_change():
            return errors.refusal(429, security.BOARD_SLOW_DOWN)
        return view(*args, **kwargs)

    return limited_view


def may_change() -> bool:
    """Whether the user may change a board now (counts the change). Nobody signed in is
    counted: the view refuses them on its own."""
    return not current_user.is_authenticated or changes.may_change(current_user.id)


@bp.route("/boards/<int:board_id>/edit", methods=["GET", "POST"])
@limited  # a rename reaches every page that shows the board, as its other changes do
def edit(board_id: int):
    board = owned_board(board_id)
    form = BoardForm(obj=board)
    if form.validate_on_submit():
        board_service.rename_board(board, form.name.data, form.description.data or "")
        flash("Board saved.", "success")
        return redirect(url_for("boards.show", board_id=board.id))
    return render_template("boards/edit.html", board=board, form=form), 422 if form.errors else 200


@bp.route("/boards/<int:board_id>/delete", methods=["GET", "POST"])
def delete(board_id: int):
    """For good, and only an archived board: the page confirms (or offers the archive)."""
    board = owned_board(board_id)
    if request.method == "POST" and board.archived_at is not None:  # CSRF checked already
        name = board.name
        board_service.delete_board(board)
        flash(f"Board “{name}” deleted.", "info")
        return redirect(url_for("boards.index"))
    status = 409 if request.method == "POST" else 200  # a live board: archive it first
    return render_template("boards/delete.html", board=board), status


@bp.post("/boards/<int:board_id>/archive")
@limited
def archive(board_id: int):
    board = owned_board(board_id)
    board_service.archive_board(board, current_user)
    flash(f"Board “{board.name}” archived: it is under Archived boards.", "info")
    return redirect(url_for("boards.index"))


@bp.post("/boards/<int:board_id>/restore")
@limited
def restore(board_id: int):
    board = member_board(board_id)
    board_service.restore_board(board, current_user)
    flash(f"Board “{board.name}” restored.", "success")
    return redirect(url_for("boards.show", board_id=board.id))


def kanban(board: Board, status: int = 200, **context):
    """The answer to a form with errors: the kanban fragment for htmx, the full page
    otherwise (a redirect back to the board when there is none)."""
    found, _error = board_filter(board.id)
    return form_answer(
        "boards/show.html",
        "boards/_kanban.html",
        url_for("boards.show", board_id=board.id),
        status,
        board=board,
        kanban=load_kanban(board.id, found),
        **context,
    )


def changed(change: Change, board_id: int, focus: str | None = None):
    """The answer to a change of the board: for htmx only the change, the same diff its
    viewers get (and its socket brings too: the page applies it once), with the control to
    keep focused; a redirect back to the board for a plain form."""
    target = url_for("boards.show", board_id=board_id)
    undo = offer(change)  # for a plain form, on the page the redirect leads to
    return fragment_or_redirect(target, lambda: (change.frame(focus) + undo, 200, RESWAP))


def offer(change: Change) -> str:
    """The actor's Undo of the change, if it has one: for htmx a toast beside the diff (an
    out-of-band fragment of this answer only), for a plain form on the page it goes back to
    (base.html, `undo_offered`)."""
    event = change.undoable
    if event is None:
        return ""
    if not is_htmx():
        session[UNDO_KEY] = event.id
        return ""
    return Markup(render_template("boards/_undo.html", event=event, oob=True))


UNDO_KEY = "undo_event"
RESWAP = {"HX-Reswap": "none"}
