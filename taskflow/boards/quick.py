"""A card's popups from the board's keys (issue 23, the keyboard map): `a` assigns the focused
card, `d` sets its due date, `l` labels it, `c` adds a checklist item, `e` archives it. One
table, KINDS: a kind is its key, what the keyboard map says of it, who may use it, what its
form does when posted here, and one template,
templates/boards/tasks/quick/<name>.html (a form; `heading` is its heading's tag, `popup`
says it is in the board's dialog, for htmx). Adding a kind is one entry and one template;
the board page gives board.js the keys of the kinds the viewer may use (data-<key> on
#quick) and the keyboard map lists them.

GET /tasks/<id>/quick/<name> is the popup (for htmx; board.js opens it in the board's
<dialog>) or, without JavaScript, a page of its own; its form posts here (or, for a kind
without `apply`, to its own route). The POST is a change of the board like any other: its
diff for htmx (the card, live for everyone), else a redirect back to the board at the card."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from taskflow.access import member_task
from taskflow.boards import checklist_service, label_service, task_service
from taskflow.boards.boards import changed, limited
from taskflow.boards.live import Change
from taskflow.boards.task_service import NOT_ON_BOARD
from taskflow.converters import bounded_int
from taskflow.htmx import is_htmx, page_or_fragment
from taskflow.models import Board, Label, Task, User
from taskflow.models.checklist import TEXT_MAX
from taskflow.models.label import PER_BOARD
from taskflow.names import name_key
from taskflow.refusals import Refused

bp = Blueprint("quick", __name__)

# As the task form: the board's first members by name, anyone else by username.
LISTED = 100
USERNAME_MAX = 40
BAD_DATE = "Enter the date as YYYY-MM-DD."


def anyone(board: Board, user: User) -> bool:
    """Any member of the board (the route has checked that)."""
    return True


@dataclass(frozen=True)
class QuickKind:
    key: str  # the key on a focused card (one lower-case letter)
    says: str  # the keyboard map's words for it
    permitted: Callable[[Board, User], bool] = anyone
    # The form's POST here: the change (Refused: the form again, with why); None when the
    # kind's template posts to a route of its own.
    apply: Callable[[Task, Mapping[str, str]], Change] | None = None
    context: Callable[[Task], dict] = lambda task: {}  # more for its template


def _assign(task: Task, form: Mapping[str, str]) -> Change:
    """The member picked (0: nobody), or the member whose username is typed."""
    typed = form.get("username", "").strip().lstrip("@")[:USERNAME_MAX]
    if typed:
        found = Board.members_among(task.column.board_id, set(), {name_key(typed)})
        if not found:
            raise Refused(NOT_ON_BOARD)
        return task_service.assign_task(task, current_user, found[0].id)
    try:
        picked = bounded_int(form.get("assignee_id", ""))
    except ValueError:
        raise Refused("Choose a member, or nobody.") from None
    return task_service.assign_task(task, current_user, picked or None)


def _members(task: Task) -> dict:
    """The board's first members by name (and the assignee, if not among them)."""
    people = Board.first_members(task.column.board_id, LISTED + 1)
    listed = people[:LISTED]
    if task.assignee_id and task.assignee_id not in {u.id for u in listed}:
        listed.append(task.assignee)
    return {"members": listed, "by_username": len(people) > LISTED}


def _set_due(task: Task, form: Mapping[str, str]) -> Change:
    """The date typed (YYYY-MM-DD, as a date input sends it); empty or Clear: no date."""
    typed = "" if form.get("clear") else form.get("due_date", "").strip()[:10]
    try:
        due = date.fromisoformat(typed) if typed else None
    except ValueError:
        raise Refused(BAD_DATE) from None
    return task_service.set_due_date(task, current_user, due)


def _set_labels(task: Task, form) -> Change:
    """Exactly the labels checked (ids of the task's board; others are ignored)."""
    chosen = form.getlist("label_ids")
    try:
        label_ids = {bounded_int(value) for value in chosen[:PER_BOARD]}
    except ValueError:
        raise Refused("Choose labels of this board.") from None
    return label_service.set_task_labels(task, label_ids, current_user)


def _labels(task: Task) -> dict:
    return {"labels": Label.of_board(task.column.board_id)}


def _add_item(task: Task, form: Mapping[str, str]) -> Change:
    text = form.get("text", "")[: 2 * TEXT_MAX]  # checked_text says when it is too long
    return checklist_service.add_item(task, current_user, text)[1]


def _archive(task: Task, form: Mapping[str, str]) -> Change:
    return task_service.archive_task(task, current_user)  # with its Undo (boards.changed)


KINDS: dict[str, QuickKind] = {
    "assign": QuickKind("a", "Assign the card", apply=_assign, context=_members),
    "due": QuickKind("d", "Set the card's due date", apply=_set_due),
    "labels": QuickKind("l", "Label the card", apply=_set_labels, context=_labels),
    "checklist": QuickKind("c", "Add a checklist item to the card", apply=_add_item),
    "archive": QuickKind("e", "Archive the card (Undo brings it back)", apply=_archive),
}


def permitted_kinds(board: Board, user: User) -> dict[str, QuickKind]:
    """The kinds this user may use on this board (the board page and the keyboard map)."""
    return {name: kind for name, kind in KINDS.items() if kind.permitted(board, user)}


@bp.route("/tasks/<int:task_id>/quick/<name>", methods=["GET", "POST"])
@limited
def popup(task_id: int, name: str):
    task = member_task(task_id)
    kind = KINDS.get(name)
    if kind is None or not kind.permitted(task.board, current_user):
        abort(404)
    if request.method == "GET":
        return _form(task, name, kind)
    if kind.apply is None:
        abort(405)
    try:
        change = kind.apply(task, request.form)
    except Refused as refused:
        return _form(task, name, kind, refused.reason, refused.status)
    board_id = change.board_id
    if is_htmx():  # board.js closes the popup and focuses the card
        return changed(change, board_id, focus=f"task-{task.id}-link")
    flash(f"“{task.title}” saved.", "success")
    return redirect(url_for("boards.show", board_id=board_id, _anchor=f"task-{task.id}"))


def _form(task: Task, name: str, kind: QuickKind, error: str = "", status: int = 200):
    """The kind's form: the popup's content for htmx, else a page of its own."""
    return page_or_fragment(
        "boards/tasks/quick.html",
        "boards/tasks/_quick.html",
        status,
        task=task,
        name=name,
        url=url_for("quick.popup", task_id=task.id, name=name),
        error=error,
        **kind.context(task),
    )
