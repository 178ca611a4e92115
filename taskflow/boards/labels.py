"""Labels: a board's labels page (list, add, rename or recolour, delete) and a task's labels
(a form of checkboxes: a page, or for htmx the task page's popup). Any member may change
them; each change is a board change (label_service), counted by the board's rate."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from taskflow.access import member_board, member_label, member_task
from taskflow.boards import label_service
from taskflow.boards.boards import limited
from taskflow.boards.changes import Refused
from taskflow.boards.forms import LabelForm
from taskflow.converters import bounded_int
from taskflow.extensions import db
from taskflow.htmx import form_answer, fragment_or_redirect, page_or_fragment
from taskflow.models import Board, Label, Task
from taskflow.models.label import PER_BOARD

bp = Blueprint("labels", __name__)
PAGE, LIST = "boards/labels/index.html", "boards/labels/_list.html"


@bp.get("/boards/<int:board_id>/labels")
def index(board_id: int):
    return _labels_page(member_board(board_id), LabelForm())


@bp.post("/boards/<int:board_id>/labels")
@limited
def create(board_id: int):
    board = member_board(board_id)
    form = LabelForm()
    if form.validate_on_submit():
        try:
            label_service.create_label(board, form.name.data, form.colour.data)
            return _labels_page(board, LabelForm(formdata=None), done=True)
        except Refused as refused:
            form.name.errors = [refused.reason]
    return _labels_page(board, form, 422)


@bp.post("/labels/<int:label_id>/edit")
@limited
def edit(label_id: int):
    """Rename or recolour (a form per label: its fields are prefixed with its id)."""
    label = member_label(label_id)
    board = label.board_id
    form = LabelForm(prefix=f"label-{label.id}")
    if form.validate_on_submit():
        try:
            label_service.edit_label(label, form.name.data, form.colour.data)
            return _labels_page(_board(board), LabelForm(formdata=None), done=True)
        except Refused as refused:
            form.name.errors = [refused.reason]
    errors = {label_id: [*form.name.errors, *form.colour.errors]}
    return _labels_page(_board(board), LabelForm(formdata=None), 422, edit_errors=errors)


@bp.post("/labels/<int:label_id>/delete")
@limited
def delete(label_id: int):
    """The label goes from the board and from every task that carries it."""
    label = member_label(label_id)
    board = label.board_id
    label_service.delete_label(label)
    return _labels_page(_board(board), LabelForm(formdata=None), done=True)


@bp.route("/tasks/<int:task_id>/labels", methods=["GET", "POST"])
@limited
def task(task_id: int):
    """GET: the board's labels as checkboxes (a page; for htmx the task page's popup).
    POST `label_ids` (each checked one): the task carries exactly those."""
    task = member_task(task_id)
    if request.method == "GET":
        labels = Label.of_board(task.column.board_id)
        return page_or_fragment(
            "boards/labels/task.html", "boards/labels/_task_form.html", task=task, labels=labels
        )
    chosen = request.form.getlist("label_ids")
    if len(chosen) > PER_BOARD:
        abort(400)
    try:
        label_ids = {bounded_int(value) for value in chosen}
    except ValueError:
        abort(400)
    label_service.set_task_labels(task, label_ids, current_user)
    target = url_for("tasks.show", task_id=task_id)
    return fragment_or_redirect(target, lambda: _detail(task_id))


def _detail(task_id: int) -> str:
    """The task page's details, read afresh (their labels as saved)."""
    return render_template("boards/tasks/_detail.html", task=db.session.get(Task, task_id))


def _labels_page(board: Board, form: LabelForm, status: int = 200, done: bool = False, **context):
    """The labels page; after a change (`done`), for htmx its list again, else a redirect
    to it (post/redirect/get)."""
    context.update(board=board, labels=Label.of_board(board.id), form=form, per_board=PER_BOARD)
    if done:
        target = url_for("labels.index", board_id=board.id)
        return form_answer(PAGE, LIST, target, 200, **context)
    return page_or_fragment(PAGE, LIST, status, **context)


def _board(board_id: int) -> Board:
    return db.session.get(Board, board_id)
