"""The chat room's socket: the page's messages, typing and presence, live.

On (re)connect the page is sent every change after the last one it saw (?seq=) and who is
online now (to this socket only), then the room follows; frames from the page are messages and
typing (chat/frames.py). Presence changes reach the others as coalesced diffs (room_diffs).
Everything it sends is the same for every reader: times come in UTC and the page shows them
in its zone (static/js/local_time.js)."""

from flask import current_app, request
from flask_login import current_user

from taskflow import viewing
from taskflow.access import readable_room, visible_board
from taskflow.chat import catch_up, presence, render, room_diffs, typing, unread
from taskflow.chat.frames import ChatRoomFrames
from taskflow.extensions import db, sock
from taskflow.models import room_reads
from taskflow.models.room import FOLLOWED
from taskflow.notifications.service import badge_frame
from taskflow.realtime import topics
from taskflow.realtime.broadcaster import text_frame
from taskflow.realtime.connection import Connection, serve
from taskflow.realtime.sockets import bp, serve_view, session_scope


@sock.route("/ws/chat-room/<int:room_id>", bp=bp)
def chat_room(ws, room_id: int) -> None:
    room = readable_room(room_id, current_user)
    if room is None:
        ws.close(4404, "No such room, or not yours")
        return
    user_id, board_id = current_user.id, room.board_id
    scopes = [topics.room(room_id), session_scope()]
    if board_id is not None:  # a direct message depends on no board
        scopes.append(topics.board(board_id))
    del room  # loaded for access only: not kept for the socket's life
    # The page lists the user's other rooms of the board and their direct messages, with
    # their unread counts.
    # ... and the navigation counts the latest active direct messages.
    listed = [r.id for r in room_reads.names_of_member(board_id, user_id)]
    listed += unread.counted_directs(user_id)
    others = [i for i in dict.fromkeys(listed) if i != room_id]
    db.session.remove()
    # The last change the page saw (app.js); redis: presence is refreshed between frames.
    seq = request.args.get("seq", type=int)
    page = RoomSocket(room_id, others, user_id, seq, current_app.redis)
    hooks = page.handle, page.catch_up, page.on_open, page.on_close, page.on_idle
    because = unread.activity_follows(others)  # a removal from one of them ends its activity
    serve(ws, user_id, [page.topic], scopes, *hooks, because=because)


@sock.route("/ws/rooms/<int:board_id>", bp=bp)
def room_list(ws, board_id: int) -> None:
    """The board's list of rooms: their unread counts, live (chat/unread.py)."""
    if visible_board(board_id, current_user) is None:
        ws.close(4404, "No such board, or not yours")
        return
    user_id = current_user.id
    # The board's rooms (FOLLOWED at most) and the direct messages the navigation counts.
    rooms = [r.id for r in room_reads.names_of_member(board_id, user_id, FOLLOWED, 0)]
    rooms += unread.counted_directs(user_id)

    def first_frames() -> list[bytes]:
        return [*unread.state_frames(user_id, rooms), badge_frame(user_id)]

    because = unread.activity_follows(rooms)
    serve_view(ws, [], [topics.board(board_id)], first_frames, because=because)


class RoomSocket:
    """What one room socket keeps between frames: ids only (thousands per process, so no
    per-instance dict and no closures)."""

    __slots__ = ("room_id", "listed", "user_id", "seq", "redis", "topic")

    def __init__(
        self, room_id: int, others: list[int], user_id: int, seq: int | None, redis
    ) -> None:
        # The rooms the page lists (this one, the board's others, direct messages): their
        # counts are part of every catch-up.
        self.room_id, self.listed, self.user_id = room_id, (room_id, *others), user_id
        self.seq, self.redis = seq, redis
        self.topic = topics.room(room_id)

    def handle(self, connection: Connection, frame: dict) -> None:
        try:
            ChatRoomFrames(self.room_id, self.user_id, connection).handle(frame)
        finally:
            db.session.remove()  # never hold a database connection between frames

    def catch_up(self) -> tuple[list[bytes], int]:
        try:
            frames, covered = catch_up.catch_up(self.room_id, self.seq)
            members = text_frame(_members_html(self.room_id, self.user_id))
            counts = unread.state_frames(self.user_id, self.listed)  # the list of rooms
            return [*frames, members, *counts, badge_frame(self.user_id)], covered
        finally:
            db.session.remove()

    # Each open and close marks the user: the next diff frame carries their state as it is
    # then (a second tab changes nothing visible, and costs one line at most).
    def on_open(self, connection: Connection) -> None:
        presence.join(self.redis, self.topic, self.user_id, connection.id)
        room_diffs.changed(self.room_id, room_diffs.PRESENCE, self.user_id)

    def on_close(self, connection: Connection) -> None:
        presence.leave(self.topic, self.user_id, connection.id)
        viewing.hidden(self.room_id, self.user_id, connection.key)
        typing.stopped(self.room_id, self.user_id)
        room_diffs.changed(self.room_id, room_diffs.PRESENCE, self.user_id)

    def on_idle(self, connection: Connection) -> None:
        presence.join(self.redis, self.topic, self.user_id, connection.id)
        if connection.state.get("visible"):
            viewing.visible(self.room_id, self.user_id, connection.key)


def _members_html(room_id: int, user_id: int) -> str:
    """The member list as it is now (its first members, as the page lists them), for this
    socket only (its page may have missed diffs while it loaded or was away); the user is
    online from now on."""
    online = presence.online(topics.room(room_id)) | {user_id}
    return render.members_html(room_id, online)
