"""The live board: after every change, each viewer of the board gets the kanban, and each
viewer of a task gets its details, rendered once for all of them. A change declares itself
(`begin_change`, `task_changed`); realtime/after_commit.py renders and publishes it with the
commit.

Every broadcast kanban carries the board's version, read before the board itself, so its
label is never newer than its content; pages ignore a kanban older than the one they show.
Two concurrent changes therefore end with the same board on every screen."""

from taskflow.extensions import db
from taskflow.models import Board, Task
from taskflow.realtime import fragments, topics
from taskflow.realtime.after_commit import broadcast
from taskflow.realtime.broadcaster import text_frame


def versioned_board(board_id: int) -> tuple[int, Board]:
    """The board's version, then the board itself loaded afresh: the label is never newer
    than the content it labels."""
    version = Board.current_version(board_id)
    db.session.expire_all()
    return version, db.session.get(Board, board_id)


def kanban_html(board_id: int) -> str:
    version, board = versioned_board(board_id)
    return fragments.render("boards/_kanban.html", board=board, version=version, oob=True)


def task_html(task_id: int) -> str:
    task = db.session.get(Task, task_id)
    if task is None:
        return fragments.render("boards/tasks/_deleted.html", task_id=task_id)
    return fragments.render("boards/tasks/_detail.html", task=task, oob=True)


def begin_change(board: Board) -> None:
    """Start a change of the board's columns or tasks: lock it (one change after the other,
    see Board.lock_for_change) and have its viewers sent the kanban once it commits."""
    board.lock_for_change()
    board_id = board.id
    broadcast(topics.board(board_id), lambda: kanban_html(board_id), key=("kanban", board_id))


def task_changed(*task_ids: int) -> None:
    """These tasks' details changed (or they were deleted): their pages get them on commit."""
    for task_id in task_ids:
        broadcast(topics.task(task_id), lambda t=task_id: task_html(t), key=("task", task_id))


def board_catch_up(board_id: int) -> list[bytes]:
    """A (re)connecting board page gets the board as it is now."""
    return [text_frame(kanban_html(board_id))]
