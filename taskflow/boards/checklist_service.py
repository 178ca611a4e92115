"""Changes of a task's checklist (see changes.py, "who commits"): add, check or uncheck,
rename, delete and reorder items, and turn one into a task of its own.

Each is a change of the board (its card shows "done/total" from the task's counters, which
`ChecklistItem.recount` sets afresh) and of the task's page (live.task_changed re-renders
it for every reader). The board's lock orders concurrent changes: each re-reads its item
after taking it, so two people checking, moving or deleting at once apply one after the
other and every screen ends on the same list. Checking says which state is wanted
(`done`), not "flip", so two people ticking the same box at once both leave it ticked."""

from taskflow.boards import history, task_service
from taskflow.boards import live as live_board
from taskflow.boards.changes import Refused, refuse
from taskflow.boards.live import Change
from taskflow.extensions import db
from taskflow.models import ChecklistItem, Task, User
from taskflow.models.checklist import ITEMS_MAX, TEXT_MAX
from taskflow.models.user import utcnow

EMPTY = "Write the item's text."
TOO_LONG = f"An item's text is at most {TEXT_MAX} characters."
FULL = f"A checklist holds at most {ITEMS_MAX} items: delete or make tasks of some first."
GONE = "That checklist item is no longer there."
BAD_MOVE = "That move is not possible."


def checked_text(text: object) -> str:
    """The item's text, stripped and on one line; Refused (422) if empty or too long."""
    text = " ".join(str(text or "").split())
    if not text:
        raise Refused(EMPTY)
    if len(text) > TEXT_MAX:
        raise Refused(TOO_LONG)
    return text


def add_item(task: Task, actor: User, text: object) -> tuple[ChecklistItem, Change]:
    """A new item at the end of the task's checklist."""
    text = checked_text(text)
    change = _begin(task)
    if task.checklist_total >= ITEMS_MAX:  # read after the lock: counts every other add
        raise refuse(FULL)
    item = ChecklistItem(task_id=task.id, text=text, position=task.checklist_total)
    db.session.add(item)
    _commit(task, actor, "checklist_added", text)
    return item, change


def set_done(item: ChecklistItem, actor: User, done: bool | None = None) -> None:
    """Check (`done` True) or uncheck the item; None flips it as it is now."""
    task = _locked(item)
    item.done = (not item.done) if done is None else done
    item.done_by_id = actor.id if item.done else None
    _commit(task, actor, "checklist_checked" if item.done else "checklist_unchecked", item.text)


def rename_item(item: ChecklistItem, actor: User, text: object) -> None:
    text = checked_text(text)
    task = _locked(item)
    before, item.text = item.text, text
    if before != text:
        history.record(task.column.board_id, actor, "checklist_renamed", task,
                       **{"from": before, "to": text})  # fmt: skip
    _commit(task)


def delete_item(item: ChecklistItem, actor: User) -> None:
    task = _locked(item)
    item.remove()
    _commit(task, actor, "checklist_removed", item.text)


def move_item(item: ChecklistItem, actor: User, direction: str) -> None:
    """One place up or down (swapped with its neighbour); at either end nothing moves."""
    if direction not in ("up", "down"):
        raise Refused(BAD_MOVE, 400)
    task = _locked(item)
    other = item.neighbour(-1 if direction == "up" else 1)
    if other is not None:
        item.position, other.position = other.position, item.position
    _commit(task)


def make_task(item: ChecklistItem, actor: User) -> Task:
    """A task of the item's own, at the end of its task's column, titled with its text;
    the item leaves the checklist (what Trello's "Convert to card" does: the work moved,
    and a checked copy would count it twice in the progress).

    One change of the board, one transaction: the item is taken out under the lock (two
    people converting it at once make one task: the second finds it gone) and the task is
    added as any new task (task_service.add_task), so neither happens without the other."""
    task = _locked(item)
    text, column = item.text, task.column
    item.remove()
    change = live_board.change_in_progress(task.column.board_id)  # begun by _locked
    fields = task_service.TaskFields(text)
    new_task, assignee = task_service.add_task(change, column, actor, fields)
    _commit(task, actor, "checklist_made_task", text)
    task_service.after_create(new_task, assignee, actor)
    return new_task


def _begin(task: Task) -> Change:
    """Lock the board (live.begin_change: it also reloads what was read before) and have
    the card sent anew."""
    change = live_board.begin_change(task.board)
    change.card(task)
    return change


def _locked(item: ChecklistItem) -> Task:
    """The item's task, the board locked; Refused (404) if the item went meanwhile."""
    item_id, task = item.id, item.task
    _begin(task)
    if db.session.get(ChecklistItem, item_id) is None:
        raise refuse(GONE, 404)
    return task


def _commit(task: Task, actor: User | None = None, kind: str = "", text: str = "") -> None:
    """Recount, move the task's version on, write the change's event (`kind`, unless a
    reorder: not history) and commit."""
    if kind:
        history.record(task.column.board_id, actor, kind, task, text=text)
    ChecklistItem.recount(task)
    task.bump_version()
    task.updated_at = utcnow()
    live_board.task_changed(task.id, chips=False)  # a chip shows no checklist
    db.session.commit()
