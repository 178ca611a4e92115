"""A board's history as pages: its activity feed, a task's whole history, and Undo (the
actor's, for a short while: boards/undo_service.py)."""

from flask import Blueprint, flash, render_template, session
from flask_login import current_user
from markupsafe import Markup

from taskflow import errors
from taskflow.access import member_board, member_task
from taskflow.boards import undo_service
from taskflow.boards.boards import UNDO_KEY, changed, limited
from taskflow.boards.changes import Refused
from taskflow.converters import id_arg
from taskflow.extensions import db
from taskflow.htmx import is_htmx
from taskflow.models import TaskEvent

bp = Blueprint("activity", __name__)

PAGE = 50  # events a page lists before "Older"


@bp.get("/boards/<int:board_id>/activity")
def board(board_id: int):
    board = member_board(board_id)
    events = TaskEvent.of_board(board.id, id_arg("before"), PAGE + 1)
    return render_template(
        "boards/activity.html", board=board, events=events[:PAGE], more=len(events) > PAGE
    )


@bp.get("/tasks/<int:task_id>/history")
def task(task_id: int):
    task = member_task(task_id)
    events = TaskEvent.of_task(task.id, id_arg("before"), PAGE + 1)
    return render_template(
        "boards/tasks/history.html", task=task, events=events[:PAGE], more=len(events) > PAGE
    )


@bp.post("/boards/<int:board_id>/undo/<int:event_id>")
@limited
def undo(board_id: int, event_id: int):
    """Only the event's actor, within undo_service.WINDOW, if nothing changed since: else
    a message that says why."""
    board = member_board(board_id)
    event = db.session.get(TaskEvent, event_id)
    if event is None or event.board_id != board.id:
        return errors.refusal(404, "There is no such change to undo.")
    try:
        change = undo_service.undo(event, current_user)
    except Refused as refused:  # the page or, for htmx, the page's flash messages
        return errors.refusal(refused.status, refused.reason)
    if not is_htmx():
        flash("Undone.", "success")
        return changed(change, board.id)
    frame, status, headers = changed(change, board.id)  # and the offer says it is done
    done = Markup(render_template("boards/_undone.html", event=event))
    return frame + done, status, headers


def undo_offered() -> TaskEvent | None:
    """The Undo a plain form's change left for its actor's next page (boards.offer), once,
    while it may still be taken."""
    event_id = session.pop(UNDO_KEY, None) if current_user.is_authenticated else None
    event = db.session.get(TaskEvent, event_id) if isinstance(event_id, int) else None
    try:
        undo_service.check(event, current_user) if event is not None else None
    except Refused:
        return None
    return event
