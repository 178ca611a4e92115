"""The live board's and the task page's sockets, one class each (realtime/sockets.Socket): the
page gets its state as it is now, then every change (boards/live.py renders both)."""

from flask_login import current_user

from taskflow.access import visible_board, visible_task
from taskflow.boards import comment_thread
from taskflow.boards import live as live_board
from taskflow.chat.listing import ListingSocket, board_rooms
from taskflow.extensions import sock
from taskflow.notifications.page_socket import PageSocket
from taskflow.realtime import topics
from taskflow.realtime.sockets import bp, run


@sock.route("/ws/board/<int:board_id>", bp=bp)
def board(ws, board_id: int) -> None:
    run(ws, BoardSocket, board_id)


@sock.route("/ws/task-comments/<int:task_id>", bp=bp)
def task_comments(ws, task_id: int) -> None:
    run(ws, TaskCommentsSocket, task_id)


class BoardSocket(ListingSocket):
    """The board page: its cards and columns, and (its links to the rooms and to direct
    messages show their unread messages) the counts of the rooms it lists (chat/unread.py)."""

    __slots__ = ("board_id",)
    refused = (4404, "No such board, or not yours")

    @classmethod
    def open(cls, board_id: int) -> "BoardSocket | None":
        if visible_board(board_id, current_user) is None:
            return None
        return cls(board_id)

    def __init__(self, board_id: int) -> None:
        topic = topics.board(board_id)
        super().__init__(board_rooms(board_id, current_user.id), [topic], [topic])
        self.board_id = board_id

    def catch_up(self) -> tuple[list[bytes], int]:
        frames, covered = super().catch_up()
        return [*live_board.board_catch_up(self.board_id), *frames], covered


class TaskCommentsSocket(PageSocket):
    """The task page: its comment thread."""

    __slots__ = ("task_id",)
    refused = (4404, "No such task, or not yours")

    @classmethod
    def open(cls, task_id: int) -> "TaskCommentsSocket | None":
        task = visible_task(task_id, current_user)
        if task is None:
            return None
        return cls(task_id, task.column.board_id)

    def __init__(self, task_id: int, board_id: int) -> None:
        topic = topics.task(task_id)
        # Its texts' chips of this board stay current (taskflow/chips.py).
        super().__init__([topic, topics.chips(board_id)], [topic, topics.board(board_id)])
        self.task_id = task_id

    def catch_up(self) -> tuple[list[bytes], int]:
        frames, covered = super().catch_up()
        return [*comment_thread.catch_up(self.task_id), *frames], covered
