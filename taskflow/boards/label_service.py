"""Changes of a board's labels, each one call (see changes.py, "who commits"): add, rename or
recolour, delete a label, and set which labels a task carries.

Each is a change of the board (live.begin_change: locked, versioned; its diff sent to every
viewer): a task's labels send its card; a rename, a recolour or a deletion sends the cards
that carry the label, and only those (the cost is that label's tasks, not the board's), and
their task pages (live_board.task_changed). Adding a label changes no card: its diff is
empty, but the board's lock keeps two people from passing the bound (PER_BOARD) together."""

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from taskflow.boards import history
from taskflow.boards import live as live_board
from taskflow.boards.changes import refuse
from taskflow.boards.live import Change
from taskflow.extensions import db
from taskflow.models import Board, Label, Task, User
from taskflow.models.label import COLOURS, PER_BOARD

TAKEN = "This board already has a label with that name."
FULL = f"A board has at most {PER_BOARD} labels: delete one first."
BAD_COLOUR = "Pick one of the colours listed."


def create_label(board: Board, name: str, colour: str) -> tuple[Label, Change]:
    change = live_board.begin_change(board)
    _check(board.id, name, colour)
    if Label.count(board.id) >= PER_BOARD:
        raise refuse(FULL)
    label = Label(board_id=board.id, name=name, colour=colour)
    db.session.add(label)
    db.session.commit()
    return label, change


def edit_label(label: Label, name: str, colour: str) -> Change:
    """Rename or recolour: the cards carrying the label are sent anew."""
    change = live_board.begin_change(_board(label))
    _check(label.board_id, name, colour, label.id)
    label.name, label.colour = name, colour
    _carriers_changed(change, label.task_ids())
    db.session.commit()
    return change


def delete_label(label: Label) -> Change:
    """The label goes, and with it from each of its tasks (their rows cascade)."""
    change = live_board.begin_change(_board(label))
    task_ids = label.task_ids()
    db.session.delete(label)
    db.session.flush()
    _carriers_changed(change, task_ids)
    db.session.commit()
    return change


def set_task_labels(task: Task, label_ids: Collection[int], actor: User | None = None) -> Change:
    """The task carries exactly these of its board's labels (ids of other boards' labels, or
    of labels deleted meanwhile, are no choice: they are left out); what was added and what
    was taken off are the task's history."""
    change = live_board.begin_change(task.board)
    query = select(Label).where(Label.board_id == task.column.board_id)
    labels = list(db.session.scalars(query.where(Label.id.in_(list(label_ids)[:PER_BOARD]))))
    change.card(task)
    task.bump_version()
    before = {label.id: label.name for label in task.labels}
    task.labels = sorted(labels, key=lambda label: (label.key, label.id))
    _record_labels(task, actor, before)
    live_board.task_changed(task.id, chips=False)  # a chip shows no label
    db.session.commit()
    return change


def _record_labels(task: Task, actor: User | None, before: dict[int, str]) -> None:
    """One event for the labels added, one for those taken off: their names as they read
    now, and their ids for an undo (boards/undo_service.py)."""
    after = {label.id: label.name for label in task.labels}
    for kind, ids in (("labelled", after.keys() - before), ("unlabelled", before.keys() - after)):
        if ids:
            names = sorted((after | before)[i] for i in ids)
            listed = ", ".join(sorted(names, key=str.casefold))
            history.record(task.column.board_id, actor, kind, task, names=listed, ids=sorted(ids))


def _carriers_changed(change: Change, task_ids: list[int]) -> None:
    """These tasks' labels changed: their versions move on (one UPDATE), and their cards and
    pages are sent again with the labels read afresh."""
    if not task_ids:
        return
    db.session.execute(
        update(Task).where(Task.id.in_(task_ids)).values(version=Task.version + 1),
        execution_options={"synchronize_session": False},
    )
    query = select(Task).where(Task.id.in_(task_ids)).options(selectinload(Task.labels))
    for task in db.session.scalars(query.execution_options(populate_existing=True)):
        change.card(task)
    live_board.task_changed(*task_ids, chips=False)  # a chip shows no label


def _check(board_id: int, name: str, colour: str, other_than: int | None = None) -> None:
    if colour not in COLOURS:
        raise refuse(BAD_COLOUR)
    if Label.named(board_id, name, other_than) is not None:
        raise refuse(TAKEN)


def _board(label: Label) -> Board:
    return db.session.get(Board, label.board_id)
