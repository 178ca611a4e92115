"""The live board's and the task page's sockets: the page gets its state as it is now, then
every change (boards/live.py renders both)."""

from collections.abc import Callable

from flask_login import current_user

from taskflow.access import visible_board, visible_task
from taskflow.boards import comment_thread
from taskflow.boards import live as live_board
from taskflow.extensions import sock
from taskflow.notifications.service import badge_frame
from taskflow.realtime import topics
from taskflow.realtime.sockets import bp, serve_view


@sock.route("/ws/board/<int:board_id>", bp=bp)
def board(ws, board_id: int) -> None:
    if visible_board(board_id, current_user) is None:
        ws.close(4404, "No such board, or not yours")
        return
    _serve(ws, topics.board(board_id), [], lambda: live_board.board_catch_up(board_id))


@sock.route("/ws/task-comments/<int:task_id>", bp=bp)
def task_comments(ws, task_id: int) -> None:
    task = visible_task(task_id, current_user)
    if task is None:
        ws.close(4404, "No such task, or not yours")
        return
    board_scope = topics.board(task.column.board_id)
    _serve(ws, topics.task(task_id), [board_scope], lambda: comment_thread.catch_up(task_id))


def _serve(ws, topic: str, scopes: list[str], state: Callable[[], list[bytes]]) -> None:
    """Follow the page's topic; on each (re)connect send its state as it is now, then the
    user's badge."""
    user_id = current_user.id
    serve_view(ws, [topic], [topic, *scopes], lambda: [*state(), badge_frame(user_id)])
