"""A task's checklist: add, check, rename, delete, reorder items, and make one a task.

Each works as a plain form (POST, then back to the task page: its buttons are those of the
page's #checklist-form, which carries the token) and with htmx, whose answer is the task's
detail as it is now (_detail.html, swapped whole; a newer live copy is kept, live.js).
Routes parse, check access (a member of the task's board), count the change
(boards.limited) and call checklist_service, which commits."""

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_login import current_user

from taskflow import errors
from taskflow.access import member_task
from taskflow.boards import checklist_service as checklist
from taskflow.boards.boards import limited
from taskflow.boards.changes import Refused
from taskflow.boards.tasks import task_page
from taskflow.extensions import db
from taskflow.htmx import fragment_or_redirect, is_htmx
from taskflow.models import ChecklistItem, Task

bp = Blueprint("checklists", __name__)


@bp.post("/tasks/<int:task_id>/checklist")
@limited
def add(task_id: int):
    task = member_task(task_id)
    try:
        item, _ = checklist.add_item(task, current_user, request.form.get("text"))
    except Refused as refused:
        return _refused(task, refused, request.form.get("text", ""))
    return _back(task, f"checklist-add-{task.id}" if is_htmx() else f"checklist-item-{item.id}")


@bp.post("/checklist/<int:item_id>/toggle")
@limited
def toggle(item_id: int):
    item = _item(item_id)
    wanted = request.form.get("done")  # "1" or "0": the state asked for; absent: flip
    if wanted not in (None, "0", "1"):
        abort(400)
    task = item.task
    try:
        checklist.set_done(item, current_user, None if wanted is None else wanted == "1")
    except Refused as refused:
        return _refused(task, refused)
    return _back(task, f"checklist-item-{item_id}")


@bp.route("/checklist/<int:item_id>/edit", methods=["GET", "POST"])
@limited
def edit(item_id: int):
    """The item's text: a page (with or without JavaScript, see checklist_edit.html)."""
    item = _item(item_id)
    error = None
    if request.method == "POST":
        task = item.task
        try:
            checklist.rename_item(item, current_user, request.form.get("text"))
        except Refused as refused:
            if refused.status != 422:
                return errors.refusal(refused.status, refused.reason)
            error = refused.reason
        else:
            return _back(task, f"checklist-item-{item_id}")
    draft = request.form.get("text", item.text)
    page = render_template("boards/tasks/checklist_edit.html", item=item, draft=draft, error=error)
    return page, 422 if error else 200


@bp.post("/checklist/<int:item_id>/delete")
@limited
def delete(item_id: int):
    item = _item(item_id)
    task = item.task
    try:
        checklist.delete_item(item, current_user)
    except Refused as refused:
        return _refused(task, refused)
    return _back(task, f"checklist-{task.id}")


@bp.post("/checklist/<int:item_id>/move")
@limited
def move(item_id: int):
    item = _item(item_id)
    task = item.task
    try:
        checklist.move_item(item, current_user, request.form.get("direction", ""))
    except Refused as refused:
        return _refused(task, refused)
    return _back(task, f"checklist-item-{item_id}")


@bp.post("/checklist/<int:item_id>/task")
@limited
def make_task(item_id: int):
    """The item becomes a task in its task's column (and leaves the checklist)."""
    item = _item(item_id)
    task = item.task
    try:
        new_task = checklist.make_task(item, current_user)
    except Refused as refused:
        return _refused(task, refused)
    said = f"“{new_task.title}” is now a task in {new_task.column.name}."
    if not is_htmx():
        flash(said, "success")
    return _back(task, f"checklist-{task.id}", said)


def _item(item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id)
    if item is None:
        abort(404)
    member_task(item.task_id)  # 404 for non-members, as for the task itself
    return item


def _back(task: Task, anchor: str, said: str = ""):
    """After a change: the task page (at `anchor`), or for htmx its detail as it is now,
    out of band (found by its id when the answer comes: the socket may have replaced the
    element the request came from; live.js keeps a newer copy), with nothing else swapped
    but what is `said`, added to the page's messages (#flash, a polite live region)."""

    def detail():
        html = render_template("boards/tasks/_detail.html", task=task, oob=True)
        if said:
            html += render_template("boards/tasks/_checklist_said.html", said=said)
        return html, 200, {"HX-Reswap": "none"}

    return fragment_or_redirect(url_for("tasks.show", task_id=task.id, _anchor=anchor), detail)


def _refused(task: Task, refused: Refused, draft: str = ""):
    """A text the rules refuse (empty, too long, a full checklist): the task page or its
    detail again, with what was typed and why (422, which htmx swaps in); any other refusal
    (an item gone meanwhile): the error page, or for htmx the flash message."""
    if refused.status != 422:
        return errors.refusal(refused.status, refused.reason)
    context = {"checklist_error": refused.reason, "checklist_draft": draft}
    if is_htmx():  # into the page's detail, from the add form (never replaced: hx-preserve)
        return render_template("boards/tasks/_detail.html", task=task, **context), 422
    return task_page(task, **context), 422
