"""Tasks: create in a column, show, edit, archive (its old Delete), restore, and move (by
keyboard or drag and drop)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from taskflow import chips, due_dates, errors, security
from taskflow.access import member_column, member_task
from taskflow.boards import task_service
from taskflow.boards.boards import changed, kanban, limited, may_change, offer
from taskflow.boards.changes import Refused
from taskflow.boards.forms import TaskForm
from taskflow.boards.task_service import NOT_ON_BOARD
from taskflow.converters import bounded_int, id_arg
from taskflow.htmx import is_htmx, page_or_fragment
from taskflow.models import Board, Task, TaskThreadComment, TaskWatch
from taskflow.names import name_key
from taskflow.timezones import viewer_zone

bp = Blueprint("tasks", __name__)


@bp.route("/columns/<int:column_id>/tasks/new", methods=["GET", "POST"])
def create(column_id: int):
    column = member_column(column_id)
    form = _task_form(column.board)
    if form.validate_on_submit() and _assignee_checked(column.board, form):
        if not may_change():
            return _refused("boards/tasks/new.html", column=column, form=form)
        _task, change = task_service.create_task(column, current_user, form.fields(viewer_zone()))
        return changed(change, change.board_id)
    if form.errors and is_htmx():  # the quick-add form on the board
        return kanban(column.board, status=422, add_errors={column.id: form.title.errors})
    status = 422 if form.errors else 200
    return render_template("boards/tasks/new.html", column=column, form=form), status


@bp.get("/tasks/<int:task_id>")
def show(task_id: int):
    task = member_task(task_id)
    before = id_arg("before")
    if is_htmx() and before is not None:  # "load older" comments: only the older page
        comments = TaskThreadComment.latest(task, before)
        page = render_template("boards/tasks/_comments_page.html", task=task, comments=comments)
        return chips.fill(page, current_user, viewer_zone())
    return task_page(task, before=before)


def task_page(task: Task, before: int | None = None, **context) -> str:
    comments = TaskThreadComment.latest(task, before)
    watching = TaskWatch.watching(task.id, current_user.id)
    page = render_template(
        "boards/tasks/show.html", task=task, comments=comments, watching_task=watching, **context
    )
    return chips.fill(page, current_user, viewer_zone())  # the chips in its texts


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit(task_id: int):
    task = member_task(task_id)
    form = _task_form(task.board, obj=task)
    if form.validate_on_submit() and _assignee_checked(task.board, form):
        if not may_change():
            return _refused("boards/tasks/edit.html", task=task, form=form)
        task_service.edit_task(task, current_user, form.fields(viewer_zone()))
        flash("Task saved.", "success")
        return redirect(url_for("tasks.show", task_id=task.id))
    status = 422 if form.errors else 200
    return render_template("boards/tasks/edit.html", task=task, form=form), status


@bp.route("/tasks/<int:task_id>/archive", methods=["GET", "POST"])
@bp.route("/tasks/<int:task_id>/delete", methods=["GET", "POST"])  # its old name
@limited
def archive(task_id: int):
    """GET: the confirmation (a page without JavaScript). POST: archived, with an Undo."""
    task = member_task(task_id)
    if request.method == "GET":
        return render_template("boards/tasks/delete.html", task=task)
    title = task.title
    try:
        change = task_service.archive_task(task, current_user)
    except Refused as refused:
        abort(refused.status)
    flash(f"Task “{title}” archived.", "info")
    return changed(change, change.board_id)


@bp.post("/tasks/<int:task_id>/restore")
@limited
def restore(task_id: int):
    task = member_task(task_id)
    try:
        change = task_service.restore_task(task, current_user)
    except Refused as refused:
        return errors.refusal(refused.status, refused.reason)
    flash(f"Task “{task.title}” restored to {task.column.name}.", "success")
    return changed(change, change.board_id)


@bp.route("/tasks/<int:task_id>/move", methods=["GET", "POST"])
@limited
def move(task_id: int):
    """GET: the Move to… menu. POST: either a keyboard step (direction) or a drop or a choice
    (column_id and position). One rule for both methods: two rules on one path answered a
    huge id's POST with 405 (werkzeug tried the GET rule's method before the id's bounds)."""
    task = member_task(task_id)
    if request.method == "GET":
        return _move_menu(task)
    direction, target, position = request.form.get("direction"), None, None
    try:
        if not direction:
            target = member_column(bounded_int(request.form["column_id"]))
            position = request.form.get("position")
            position = None if position is None else bounded_int(position)
        before = (task.column_id, task.position)
        change = task_service.move_task(task, direction, target, position, current_user)
    except (KeyError, ValueError):
        abort(400)
    except Refused as refused:
        abort(refused.status)
    back = request.form.get("back")  # the task page's move buttons, or Move to…
    if back in ("task", "board") and not is_htmx():
        flash(f"“{task.title}” is now in {task.column.name}, {_place(task)}.", "success")
        offer(change)
        if back == "task":
            return redirect(url_for("tasks.show", task_id=task.id))
        board_id = task.column.board_id
        return redirect(url_for("boards.show", board_id=board_id, _anchor=f"task-{task.id}"))
    if back == "board":  # the card's Move to… (htmx): the focus goes to the card, moved
        return changed(change, change.board_id, focus=f"task-{task.id}-link")
    # A keyboard move keeps the focus on the card's link and says where it went (board.js).
    if not direction or not is_htmx():
        return changed(change, change.board_id)
    frame, status, headers = changed(change, change.board_id, focus=f"task-{task.id}-link")
    moved = before != (task.column_id, task.position)
    said = render_template("boards/_card_moved.html", task=task, moved=moved, direction=direction)
    return f"{frame}{said}", status, headers


def _move_menu(task: Task):
    """Move to…: the board's other columns, each a button for `move` (a page without
    JavaScript; for htmx the card's menu)."""
    return page_or_fragment(
        "boards/tasks/move.html",
        "boards/tasks/_move.html",
        task=task,
        columns=task.board.columns,
        count=task.column.task_count(),
    )


def _refused(template: str, **context):
    """Over the rate of changes: the form again, with what was typed and why it was not
    saved (a 10,000-character description is not lost); for htmx (the board's quick add),
    the reason for the page's flash messages."""
    if is_htmx():
        return errors.refusal(429, security.BOARD_SLOW_DOWN)
    return render_template(template, error=security.BOARD_SLOW_DOWN, **context), 429


def _place(task: Task) -> str:
    return f"position {task.position + 1} of {task.column.task_count()}"


# The task form lists the board's first members as assignees (and the task's own); on a
# bigger board the others' usernames are typed.
ASSIGNEES_SHOWN = 100


def _task_form(board, obj=None) -> TaskForm:
    form = TaskForm(obj=obj)
    if obj is not None and request.method == "GET":  # its due time in the reader's zone
        form.due_time.data = due_dates.local_time_of(obj, viewer_zone())
    people = Board.first_members(board.id, ASSIGNEES_SHOWN + 1)
    listed = people[:ASSIGNEES_SHOWN]
    if obj is not None and obj.assignee_id and obj.assignee_id not in {u.id for u in listed}:
        listed.append(obj.assignee)
    form.set_members(listed)
    form.by_username = len(people) > ASSIGNEES_SHOWN or bool(form.assignee_username.data)
    return form


def _assignee_checked(board, form: TaskForm) -> bool:
    """Whether the assignee picked or typed is on the board (one query); if so the form's
    assignee_id is theirs, else the form says why."""
    typed = (form.assignee_username.data or "").lstrip("@")
    keys = {name_key(typed)} if typed else set()
    ids = {form.assignee_id.data} if form.assignee_id.data and not typed else set()
    if not keys and not ids:
        return True
    found = Board.members_among(board.id, ids, keys)
    if not found:
        (form.assignee_username if typed else form.assignee_id).errors.append(NOT_ON_BOARD)
        return False
    form.assignee_id.data = found[0].id
    return True
