"""Chat's sockets, one class per kind of page (realtime/sockets.Socket); each endpoint runs its
class.

The room's socket: on (re)connect the page is sent every change after the last one it saw
(?seq=) and who is online now (to this socket only), then the room follows; frames from the
page are messages and typing (chat/frames.py). Presence changes reach the others as coalesced
diffs (room_diffs). Everything it sends is the same for every reader: times come in UTC and the
page shows them in its zone (static/js/local_time.js).

The pages with no topic of their own (and the notification center) follow the user's personal
stream (the badge, new notifications, invitations) and the activity of their direct messages
(the navigation's count): chat's, since chat lists the rooms."""

from flask import current_app, request
from flask_login import current_user

from taskflow import viewing
from taskflow.access import previewable_room, readable_room, visible_board
from taskflow.chat import presence, render, room_diffs, typing, unread
from taskflow.chat.catch_up import catch_up as changes_since
from taskflow.chat.frames import ChatRoomFrames
from taskflow.chat.listing import ListingSocket, board_rooms
from taskflow.extensions import sock
from taskflow.models import room_reads
from taskflow.realtime import topics
from taskflow.realtime.broadcaster import text_frame
from taskflow.realtime.connection import Connection, error_html
from taskflow.realtime.sockets import bp, run

# A preview's frames that would write: a message or typing.
WRITING = ("message", "typing")
JOIN_FIRST = "Join this room to write in it."


@sock.route("/ws/chat-room/<int:room_id>", bp=bp)
def chat_room(ws, room_id: int) -> None:
    run(ws, RoomSocket, room_id)


@sock.route("/ws/rooms/<int:board_id>", bp=bp)
def room_list(ws, board_id: int) -> None:
    run(ws, RoomListSocket, board_id)


@sock.route("/ws/notifications", bp=bp)
def personal(ws) -> None:
    run(ws, PersonalSocket)


@sock.route("/ws/notifications/center", bp=bp)
def notification_center(ws) -> None:
    run(ws, CenterSocket)


class RoomSocket(ListingSocket):
    """A room's page: its messages, typing and presence, and the counts of the rooms it lists
    (the board's others, direct messages)."""

    __slots__ = ("room_id", "seq", "redis", "preview")
    refused = (4404, "No such room, or not yours")

    @classmethod
    def open(cls, room_id: int) -> "RoomSocket | None":
        """A member's, or a board member's reading an open room they have not joined (a
        preview: it follows the room, writes nothing and is not shown online)."""
        room = readable_room(room_id, current_user)
        if room is not None:
            return cls(room_id, room.board_id)
        room = previewable_room(room_id, current_user)
        return None if room is None else cls(room_id, room.board_id, preview=True)

    def __init__(self, room_id: int, board_id: int | None, preview: bool = False) -> None:
        user_id, topic = current_user.id, topics.room(room_id)
        # The page lists the user's other rooms of the board and their direct messages, with
        # their unread counts (and the navigation counts the latest active direct messages);
        # a removal from one of the others ends its activity, not this socket.
        listed = [r.id for r in room_reads.names_of_member(board_id, user_id)]
        listed += unread.counted_directs(user_id)
        others = [i for i in dict.fromkeys(listed) if i != room_id]
        scopes = [topic, topics.room_preview(room_id)] if preview else [topic]
        follows = [topic]
        if board_id is not None:  # a direct message depends on no board
            scopes.append(topics.board(board_id))
            # The chips of the board's tasks stay current (taskflow/chips.py): every reader
            # of the room is on its board, and its scope ends this socket with the access.
            follows.append(topics.chips(board_id))
        # A preview's room is not the user's: it has no state to send (its catch-up would
        # take the missing state for an end of access).
        listed = others if preview else [room_id, *others]
        super().__init__(listed, follows, scopes, counted=others)
        self.room_id, self.preview = room_id, preview
        # The last change the page saw (room.js); redis: presence is refreshed between frames.
        self.seq, self.redis = request.args.get("seq", type=int), current_app.redis

    def catch_up(self) -> tuple[list[bytes], int]:
        frames, covered = changes_since(self.room_id, self.seq)
        members = text_frame(_members_html(self.room_id, self.user_id))
        counts_and_badge, _ = super().catch_up()
        return [*frames, members, *counts_and_badge], covered

    def handle(self, connection: Connection, frame: dict) -> None:
        if self.preview and frame.get("type", "message") in WRITING:
            connection.send(error_html(JOIN_FIRST))  # read only until they join (a new page)
            return
        ChatRoomFrames(self.room_id, self.user_id, connection).handle(frame)

    # Each open and close marks the user: the next diff frame carries their state as it is
    # then (a second tab changes nothing visible, and costs one line at most). A preview's
    # reader is not a member: never listed online.
    def opened(self, connection: Connection) -> None:
        if self.preview:
            return
        presence.join(self.redis, topics.room(self.room_id), self.user_id, connection.id)
        room_diffs.changed(self.room_id, room_diffs.PRESENCE, self.user_id)

    def closed(self, connection: Connection) -> None:
        viewing.hidden(self.room_id, self.user_id, connection.key)
        if self.preview:
            return
        presence.leave(topics.room(self.room_id), self.user_id, connection.id)
        typing.stopped(self.room_id, self.user_id)
        room_diffs.changed(self.room_id, room_diffs.PRESENCE, self.user_id)

    def idle(self, connection: Connection) -> None:
        if self.preview:
            return
        presence.join(self.redis, topics.room(self.room_id), self.user_id, connection.id)
        if connection.state.get("visible"):
            viewing.visible(self.room_id, self.user_id, connection.key)


def _members_html(room_id: int, user_id: int) -> str:
    """The member list as it is now (its first members, as the page lists them), for this
    socket only (its page may have missed diffs while it loaded or was away); the user is
    online from now on."""
    online = presence.online(topics.room(room_id)) | {user_id}
    return render.members_html(room_id, online)


class RoomListSocket(ListingSocket):
    """The board's list of rooms: their unread counts, live (chat/unread.py)."""

    __slots__ = ()
    refused = (4404, "No such board, or not yours")

    @classmethod
    def open(cls, board_id: int) -> "RoomListSocket | None":
        if visible_board(board_id, current_user) is None:
            return None
        return cls(board_rooms(board_id, current_user.id), scopes=[topics.board(board_id)])


class PersonalSocket(ListingSocket):
    """Pages with no topic of their own: the badge and the navigation's "Direct messages",
    which counts the latest active ones (unread.directs_unread). Each is followed because of
    its room, so leaving one (membership.leave_direct) ends its activity on every page."""

    __slots__ = ()
    refused = (4401, "Log in first")

    @classmethod
    def open(cls) -> "PersonalSocket | None":
        if not current_user.is_authenticated:
            return None
        return cls(unread.counted_directs(current_user.id))


class CenterSocket(PersonalSocket):
    """The notification center's: it alone receives the rows and invitations to add to its
    lists (notifications.service.push sends them to the center's own topic)."""

    __slots__ = ()

    def __init__(self, directs: list[int]) -> None:
        super().__init__(directs, [topics.notification_center(current_user.id)])
