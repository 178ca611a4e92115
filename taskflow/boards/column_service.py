"""Changes of a board's columns, each one call (see changes.py, "who commits"): create,
rename, move (reorder), archive, restore and delete. Each is a change of the board
(live.begin_change), and renames, archives and restores are in its history (history.record)."""

from sqlalchemy import update

from taskflow.boards import history
from taskflow.boards import live as live_board
from taskflow.boards.changes import Refused, refuse
from taskflow.boards.live import Change
from taskflow.boards.watching import assignees_changed
from taskflow.extensions import db
from taskflow.models import Board, Column, Task, User
from taskflow.models.column import renumber
from taskflow.models.user import utcnow
from taskflow.realtime import connection as live
from taskflow.realtime import topics

BAD_DIRECTION = "A column moves left or right."
BAD_TARGET = "Choose a column of this board for its tasks."
ARCHIVED = "That column is already archived."
NOT_ARCHIVED = "That column is not archived."


def create_column(board: Board, name: str) -> Change:
    """A new column at the board's right end."""
    change = live_board.begin_change(board)
    column = Column(name=name, position=len(board.columns))
    board.columns.append(column)
    change.columns.append(column)
    change.reordered = True
    db.session.commit()
    return change


def rename_column(column: Column, name: str, actor: User | None = None) -> Change:
    change = live_board.begin_change(column.board)
    if column.name != name:
        names = {"from": column.name, "to": name}
        history.record(column.board_id, actor, "column_renamed", column=column, **names)
    column.name = name
    change.renamed.append(column)
    # their pages show the column; their chips are renamed by one small frame
    live_board.task_changed(*live_board.task_ids(column.id), chips=False)
    live_board.column_renamed(column)
    db.session.commit()
    return change


def move_column(column: Column, direction: str) -> Change:
    """One place to the left or right."""
    if direction not in ("left", "right"):
        raise Refused(BAD_DIRECTION, 400)
    change = live_board.begin_change(column.board)
    column.move(-1 if direction == "left" else 1)
    change.reordered = True
    db.session.commit()
    return change


def archive_column(column: Column, actor: User | None) -> Change:
    """Archive the column: off the board with its tasks (kept in it, in their order), the
    others renumbered; restorable from the board's Archived page."""
    change = live_board.begin_change(column.board)
    board, column = column.board, db.session.get(Column, column.id)  # reloaded under the lock
    if column.archived_at is not None:
        raise refuse(ARCHIVED, 409)
    where = {"name": column.name, "position": column.position}
    renumber([c for c in board.columns if c is not column])
    column.archived_at, column.position = utcnow(), -1
    db.session.flush()
    db.session.expire(board, ["columns"])
    change.gone.add(column.id)
    change.reordered = True
    change.undoable = history.record(board.id, actor, "column_archived", column=column, **where)
    assignees_changed(Task.column_id == column.id)
    db.session.commit()
    return change


def restore_column(column: Column, actor: User | None, position: int | None = None) -> Change:
    """Back on the board with its tasks: at its right end, or at `position` (an undo)."""
    change = live_board.begin_change(column.board)
    board, column = column.board, db.session.get(Column, column.id)
    if column.archived_at is None:
        raise refuse(NOT_ARCHIVED, 409)
    columns = list(board.columns)
    at = len(columns) if position is None else max(0, min(position, len(columns)))
    columns.insert(at, column)
    column.archived_at = None
    renumber(columns)
    db.session.flush()
    db.session.expire(board, ["columns"])
    change.columns.append(column)
    change.reordered = True
    history.record(board.id, actor, "column_restored", column=column, name=column.name)
    assignees_changed(Task.column_id == column.id)
    db.session.commit()
    return change


def delete_column(column: Column, tasks_to: str = "delete") -> Change:
    """Delete the column; its tasks go after the cards of the column whose id is `tasks_to`,
    or ("delete") with it."""
    change = live_board.begin_change(column.board)
    board, column = column.board, db.session.get(Column, column.id)  # reloaded under the lock
    others = [c for c in board.columns if c is not column]
    moved = live_board.task_ids(column.id)
    if moved and tasks_to != "delete":
        target = next((c for c in others if str(c.id) == tasks_to), None)
        if target is None:
            raise refuse(BAD_TARGET, 400)
        # One UPDATE: they go after the target's own cards, in their order.
        db.session.execute(
            update(Task)
            .where(Task.column_id == column.id)
            .values(column_id=target.id, position=Task.position + target.task_count()),
            execution_options={"synchronize_session": False},
        )
        change.columns.append(target)
    else:  # they go with the column (ON DELETE CASCADE)
        for task_id in moved:  # their task pages close; moved tasks' pages follow them
            live.end_scope(topics.task(task_id))
    board.columns.remove(column)
    renumber(board.columns)
    change.gone.add(column.id)
    change.reordered = True
    live_board.task_changed(*moved, board_id=board.id)  # their chips: one query
    db.session.commit()
    return change
