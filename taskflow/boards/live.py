"""The live board: after every change, each viewer of the board gets the kanban, and each
viewer of a task gets its details, rendered once for all of them.

Every broadcast kanban carries the board's version, read before the board itself, so its
label is never newer than its content; pages ignore a kanban older than the one they show.
Two concurrent changes therefore end with the same board on every screen."""

from taskflow.extensions import broadcaster, db
from taskflow.models import Board, Task
from taskflow.realtime import fragments, topics
from taskflow.realtime.broadcaster import text_frame


def versioned_board(board_id: int) -> tuple[int, Board]:
    """The board's version, then the board itself loaded afresh: the label is never newer
    than the content it labels."""
    version = Board.current_version(board_id)
    db.session.expire_all()
    return version, db.session.get(Board, board_id)


def kanban_html(board_id: int) -> str:
    version, board = versioned_board(board_id)
    return fragments.render("boards/_kanban.html", board=board, version=version, live=True)


def task_html(task_id: int) -> str:
    task = db.session.get(Task, task_id)
    if task is None:
        return fragments.render("boards/tasks/_deleted.html", task_id=task_id)
    return fragments.render("boards/tasks/_detail.html", task=task, live=True)


def board_changed(board_id: int, *task_ids: int) -> None:
    """Call after the commit of any change to a board's columns or tasks."""
    broadcaster.publish(topics.board(board_id), kanban_html(board_id))
    for task_id in task_ids:
        broadcaster.publish(topics.task(task_id), task_html(task_id))


def board_catch_up(board_id: int) -> list[bytes]:
    """A (re)connecting board page gets the board as it is now."""
    return [text_frame(kanban_html(board_id))]
