"""Tasks: create in a column, show, edit, delete, and move (by keyboard or drag and drop)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from taskflow import errors, security
from taskflow.access import member_column, member_task
from taskflow.boards import live as live_board
from taskflow.boards.boards import changed, kanban, limited, may_change
from taskflow.boards.forms import TaskForm
from taskflow.converters import bounded_int, id_arg
from taskflow.extensions import db
from taskflow.htmx import is_htmx
from taskflow.models import Board, Task, TaskThreadComment
from taskflow.names import name_key
from taskflow.notifications import jobs
from taskflow.notifications import service as notifications
from taskflow.realtime import connection as live
from taskflow.realtime import topics

bp = Blueprint("tasks", __name__)


@bp.route("/columns/<int:column_id>/tasks/new", methods=["GET", "POST"])
def create(column_id: int):
    column = member_column(column_id)
    form = _task_form(column.board)
    if form.validate_on_submit() and _assignee_checked(column.board, form):
        if not may_change():
            return _refused("boards/tasks/new.html", column=column, form=form)
        change = live_board.begin_change(column.board)
        task = Task(column=column, position=column.task_count(), created_by=current_user)
        db.session.add(task)
        assignee = _fill(task, form)
        change.card(task)
        db.session.commit()
        _notify_assignee(task, assignee)
        return changed(change, column.board_id)
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
        return render_template("boards/tasks/_comments_page.html", task=task, comments=comments)
    return task_page(task, before=before)


def task_page(task: Task, before: int | None = None, **context) -> str:
    comments = TaskThreadComment.latest(task, before)
    return render_template("boards/tasks/show.html", task=task, comments=comments, **context)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit(task_id: int):
    task = member_task(task_id)
    form = _task_form(task.board, obj=task)
    if form.validate_on_submit() and _assignee_checked(task.board, form):
        if not may_change():
            return _refused("boards/tasks/edit.html", task=task, form=form)
        live_board.begin_change(task.board).card(task)
        task.bump_version()
        described = task.description
        assignee = _fill(task, form)
        if task.description != described:  # its assignments quote it
            notifications.description_edited(task.id, task.description)
        live_board.task_changed(task.id)
        db.session.commit()
        _notify_assignee(task, assignee)
        flash("Task saved.", "success")
        return redirect(url_for("tasks.show", task_id=task.id))
    status = 422 if form.errors else 200
    return render_template("boards/tasks/edit.html", task=task, form=form), status


@bp.route("/tasks/<int:task_id>/delete", methods=["GET", "POST"])
@limited
def delete(task_id: int):
    task = member_task(task_id)
    if request.method == "GET":
        return render_template("boards/tasks/delete.html", task=task)
    change = live_board.begin_change(task.board)
    board_id, title = task.column.board_id, task.title
    change.remove(task)
    task.remove()
    live_board.task_changed(task_id)
    live.end_scope(topics.task(task_id))
    db.session.commit()
    flash(f"Task “{title}” deleted.", "info")
    return changed(change, board_id)


@bp.post("/tasks/<int:task_id>/move")
@limited
def move(task_id: int):
    """Either a keyboard step (direction) or a drop (column_id and position)."""
    task = member_task(task_id)
    # Two people moving one card: one after the other.
    change = live_board.begin_change(task.board)
    change.card(task)
    task.bump_version()
    direction = request.form.get("direction")
    try:
        if direction:
            task.step(direction)
        else:
            target = member_column(bounded_int(request.form["column_id"]))
            position = request.form.get("position")
            task.move_to(target, target.task_count() if position is None else bounded_int(position))
    except (KeyError, ValueError):
        abort(400)
    live_board.task_changed(task.id)
    board_id = task.column.board_id
    db.session.commit()
    if request.form.get("back") == "task" and not is_htmx():  # the task page's move buttons
        flash(f"“{task.title}” is now in {task.column.name}, {_place(task)}.", "success")
        return redirect(url_for("tasks.show", task_id=task.id))
    # A keyboard move keeps the focus on the card's link (card_keys.js).
    return changed(change, board_id, focus=f"task-{task.id}-link" if direction else None)


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
NOT_ON_BOARD = "Not a valid choice: the assignee must be a member of this board."


def _task_form(board, obj=None) -> TaskForm:
    form = TaskForm(obj=obj)
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


def _fill(task: Task, form: TaskForm) -> int | None:
    """Copy the form into the task. Returns a newly assigned user other than oneself, who
    is to be notified once the task is saved."""
    previous = task.assignee_id
    task.title = form.title.data
    task.description = form.description.data or ""
    task.assignee_id = form.assignee_id.data or None
    task.due_date = form.due_date.data
    task.priority = form.priority.data
    new = task.assignee_id
    return new if new not in (previous, None, current_user.id) else None


def _notify_assignee(task: Task, assignee_id: int | None) -> None:
    if assignee_id is not None:
        notifications.enqueue(
            jobs.notify_assignment,
            task.id,
            assignee_id,
            current_user.id,
            Task.current_version(task.id),
        )
