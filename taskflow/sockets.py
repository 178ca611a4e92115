"""WebSocket endpoints. Each page holds one socket, which follows the page's own topic and
the user's personal stream ("user:<id>").

A handshake from a foreign Origin is refused before the upgrade (403): without that check
any site the user visits could open a socket as them. A socket the user may not open is
accepted and closed at once with a 44xx code, which htmx-ext-ws does not retry."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, request
from flask_login import current_user

from taskflow.boards import comment_thread as thread
from taskflow.boards import live as live_board
from taskflow.chat import presence
from taskflow.chat import service as chat
from taskflow.chat.frames import ChatRoomFrames
from taskflow.converters import id_arg
from taskflow.extensions import db, sock
from taskflow.models import Board, ChatRoom, Task
from taskflow.notifications import service as notifications
from taskflow.realtime.broadcaster import text_frame
from taskflow.realtime.connection import Connection, error_html, serve

bp = Blueprint("ws", __name__)


@bp.before_request
def check_origin() -> None:
    if request.headers.get("Origin") != allowed_origin():
        abort(403)


@bp.before_request
def check_ids() -> None:
    """A number in the query (?seq=) that is not one is refused before the upgrade (400)."""
    for name in ("seq", "before"):
        id_arg(name)


def allowed_origin() -> str:
    configured = current_app.config["PUBLIC_ORIGIN"]
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(request.host_url)
    scheme = "https" if parts.scheme in ("https", "wss") else "http"
    return f"{scheme}://{parts.netloc}"


def _readable_room(room_id: int) -> ChatRoom | None:
    if not current_user.is_authenticated:
        return None
    room = db.session.get(ChatRoom, room_id)
    return room if room is not None and room.readable_by(current_user) else None


@sock.route("/ws/chat-room/<int:room_id>", bp=bp)
def chat_room(ws, room_id: int) -> None:
    room = _readable_room(room_id)
    if room is None:
        ws.close(4404, "No such room, or not yours")
        return
    user_id, topic = current_user.id, chat.topic(room_id)
    seq = request.args.get("seq", type=int)  # the last change the page saw (app.js)
    redis = current_app.redis  # the writer thread refreshes presence without an app context

    def handle(connection: Connection, frame: dict) -> None:
        try:
            ChatRoomFrames(room_id, user_id, connection).handle(frame)
        finally:
            db.session.remove()  # never hold a database connection between frames

    def catch_up():
        try:
            frames, covered = chat.catch_up(room_id, seq)
            return [*frames, _badge_frame(user_id)], covered
        finally:
            db.session.remove()

    # The sidebar changes only when a user's first tab opens or last tab closes.
    def on_open(connection: Connection) -> None:
        was_online = user_id in presence.online(topic)
        presence.join(redis, topic, user_id, connection.id)
        if not was_online:
            _publish_members(room_id)

    def on_close(connection: Connection) -> None:
        presence.leave(topic, user_id, connection.id)
        if presence.stop_typing(topic, user_id):
            chat.publish_typing(room_id)
        if user_id not in presence.online(topic):
            _publish_members(room_id)

    def on_idle(connection: Connection) -> None:
        presence.join(redis, topic, user_id, connection.id)

    scopes = [topic, f"board:{room.board_id}", _session_scope()]
    db.session.remove()
    serve(ws, user_id, [topic], scopes, handle, catch_up, on_open, on_close, on_idle)


@sock.route("/ws/board/<int:board_id>", bp=bp)
def board(ws, board_id: int) -> None:
    """The live kanban: the page gets the board as it is now, then every change."""
    board = db.session.get(Board, board_id)
    if board is None or not current_user.is_authenticated or not board.is_member(current_user):
        ws.close(4404, "No such board, or not yours")
        return
    _serve_view(
        ws,
        [live_board.board_topic(board_id)],
        [f"board:{board_id}", _session_scope()],
        lambda: live_board.board_catch_up(board_id),
    )


@sock.route("/ws/task-comments/<int:task_id>", bp=bp)
def task_comments(ws, task_id: int) -> None:
    """A task page: its details and comment thread as they are now, then every change."""
    task = db.session.get(Task, task_id)
    if task is None or not current_user.is_authenticated or not task.board.is_member(current_user):
        ws.close(4404, "No such task, or not yours")
        return
    _serve_view(
        ws,
        [live_board.task_topic(task_id)],
        [f"task:{task_id}", f"board:{task.column.board_id}", _session_scope()],
        lambda: thread.catch_up(task_id),
    )


@sock.route("/ws/notifications", bp=bp)
def personal(ws) -> None:
    """Pages with no topic of their own: only the user's personal stream (the badge)."""
    if not current_user.is_authenticated:
        ws.close(4401, "Log in first")
        return
    _serve_view(ws, [], [_session_scope()], lambda: ([], 0))


def _serve_view(ws, topics: list[str], scopes: list[str], catch_up) -> None:
    """A socket that only listens: the page sends nothing over it. It starts with the page's
    state as it is now and the user's badge, then follows every change."""

    def handle(connection: Connection, frame: dict) -> None:
        connection.send(error_html("This page sends nothing over its socket."))

    def first_frames():
        try:
            frames, last_id = catch_up()
            return [*frames, _badge_frame(user_id)], last_id
        finally:
            db.session.remove()

    user_id = current_user.id
    db.session.remove()
    serve(ws, user_id, topics, scopes, handle, first_frames)


def _session_scope() -> str:
    """Every socket depends on the session that opened it: logging out closes it."""
    return f"session:{current_user.session_id}"


def _badge_frame(user_id: int) -> bytes:
    return text_frame(notifications.badge_html(user_id, oob=True))


def _publish_members(room_id: int) -> None:
    try:
        room = db.session.get(ChatRoom, room_id)
        if room is not None:
            chat.publish_members(room)
    finally:
        db.session.remove()
