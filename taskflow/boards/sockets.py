"""The live board's and the task page's sockets: the page gets its state as it is now, then
every change (boards/live.py renders both)."""

from collections.abc import Callable

from flask_login import current_user

from taskflow.access import visible_board, visible_task
from taskflow.boards import comment_thread
from taskflow.boards import live as live_board
from taskflow.chat import unread
from taskflow.extensions import sock
from taskflow.models import room_reads
from taskflow.models.room import FOLLOWED
from taskflow.notifications.service import badge_frame
from taskflow.realtime import topics
from taskflow.realtime.sockets import bp, serve_view


@sock.route("/ws/board/<int:board_id>", bp=bp)
def board(ws, board_id: int) -> None:
    if visible_board(board_id, current_user) is None:
        ws.close(4404, "No such board, or not yours")
        return
    # The page's links to the rooms and to direct messages show their unread messages: it
    # follows their activity and starts from their counts (chat/unread.py).
    user_id = current_user.id
    # The board's rooms (FOLLOWED at most) and the direct messages the navigation counts.
    rooms = [r.id for r in room_reads.names_of_member(board_id, user_id, FOLLOWED, 0)]
    rooms += unread.counted_directs(user_id)

    def state() -> list[bytes]:
        counts = unread.state_frames(user_id, rooms)
        return [*live_board.board_catch_up(board_id), *counts]

    _serve(ws, topics.board(board_id), [], state, unread.activity_follows(rooms))


@sock.route("/ws/task-comments/<int:task_id>", bp=bp)
def task_comments(ws, task_id: int) -> None:
    task = visible_task(task_id, current_user)
    if task is None:
        ws.close(4404, "No such task, or not yours")
        return
    board_scope, topic = topics.board(task.column.board_id), topics.task(task_id)
    user_id = current_user.id
    serve_view(
        ws,
        [topic],
        [topic, board_scope],
        lambda: [*comment_thread.catch_up(task_id), badge_frame(user_id)],
    )


def _serve(
    ws,
    topic: str,
    scopes: list[str],
    state: Callable[[], list[bytes]],
    because: dict[str, tuple[str]] | None = None,
) -> None:
    """Follow the page's topic (and `because`'s, see connection.serve); on each (re)connect
    send its state as it is now, then the user's badge."""
    user_id = current_user.id

    def first_frames() -> list[bytes]:
        return [*state(), badge_frame(user_id)]

    serve_view(ws, [topic], [topic, *scopes], first_frames, because=because)
