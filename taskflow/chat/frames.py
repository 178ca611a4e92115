"""What a chat socket accepts from its page, frame by frame."""

import logging
import time

from sqlalchemy.exc import OperationalError

from taskflow import security, viewing
from taskflow.chat import intake, render, typing, unread
from taskflow.converters import bounded_int
from taskflow.errors import DATABASE_DOWN
from taskflow.extensions import db
from taskflow.models import ChatRoom, User
from taskflow.realtime.connection import Connection, error_html

log = logging.getLogger(__name__)

# How long a socket reuses its sender's membership check. Access never ends silently: every
# change that ends it (removed from the room or board, the room or board deleted, a logout)
# closes the user's sockets once it commits (end_access, end_scope), and a process that lost
# Redis closes all of its sockets when it is back. The re-check is the second line.
READER_TTL = 2.0


class ChatRoomFrames:
    """{"content": ...} is a message, as htmx-ext-ws sends the composer form; {"type":
    "typing"} and {"type": "stop_typing"} drive the typing indicator; {"type": "read",
    "message": id} says the page has seen the room up to that message, {"type": "viewing",
    "visible": bool} whether its tab is visible (static/js/unread.js). Anything else, or a
    frame naming another room, gets an error frame and changes nothing."""

    def __init__(self, room_id: int, user_id: int, connection: Connection) -> None:
        self.room_id, self.user_id, self.connection = room_id, user_id, connection
        self.state = connection.state  # what this socket's page has said: typing, a notice

    def handle(self, frame: dict) -> None:
        kind = frame.get("type", "message")
        room = frame.get("room", self.room_id)
        if room != self.room_id and str(room) != str(self.room_id):
            self.connection.send(error_html("That frame is for another room."))
            return
        handler = {
            "message": self.message,
            "typing": self.typing,
            "stop_typing": self.stop_typing,
            "read": self.read,
            "viewing": self.viewing,
        }.get(kind)
        if handler is None:
            self.connection.send(error_html(f"Unknown event type {str(kind)[:40]!r}."))
            return
        handler(frame)

    def message(self, frame: dict) -> None:
        """A new message: checked and posted by chat/intake.py; here only its answer."""
        try:
            typed = bool(self.state.get("typing"))
            outcome = intake.receive(self.room_id, self.user_id, frame, self._reader, typed)
        except OperationalError as error:  # the database is away (or locked): nothing saved
            db.session.rollback()
            log.warning("message not saved, database unavailable: %s", error)
            return self._refuse(DATABASE_DOWN, frame)
        if outcome.room is not None:
            self.state["typing"] = False
        if outcome.kind == intake.REFUSED:
            return self._refuse(outcome.reason, frame)
        if outcome.kind == intake.ANSWERED:  # /help: to this page only, the composer emptied
            self.state["notice"] = True
            return self.connection.send(
                error_html(outcome.reason) + render.draft_html(self.room_id, "")
            )
        if outcome.kind == intake.DUPLICATE:  # sent again after a dropped connection
            return self.connection.send(render.upsert_html(outcome.message))  # to this page only
        if outcome.kind == intake.POSTED:
            self._notice(outcome.room, outcome.author, outcome.outside)
        return None  # GONE: the socket is closed

    def _notice(self, room: ChatRoom, user: User, outside: list[User]) -> None:
        """Clear what an earlier message left under the composer, say who was not notified."""
        notice = render.mention_warning_html(room, user, outside) if outside else ""
        if notice or self.state.get("notice"):
            self.connection.send(
                error_html("") + (notice or render.mention_warning_html(room, user, []))
            )
        self.state["notice"] = bool(notice)

    def _reader(self, text: str) -> tuple[ChatRoom, User] | None:
        """The room and its sender for intake: mentions and the notice read the room's
        members, and a command changes the board, which need them in the session; otherwise
        a recent check will do."""
        fresh = "@" in text or text.startswith("/") or bool(self.state.get("notice"))
        room, user = self._room_and_author() if fresh else self._recent_room_and_author()
        return None if room is None else (room, user)

    def typing(self, frame: dict) -> None:
        if self._room_and_author()[0] is not None and typing.started(self.room_id, self.user_id):
            self.state["typing"] = True

    def stop_typing(self, frame: dict) -> None:
        typing.stopped(self.room_id, self.user_id)

    def read(self, frame: dict) -> None:
        """Seen up to a message: the read position moves (never back, never past the room's
        newest message; only the user's own row of a room they are in), rate-limited."""
        try:
            upto = bounded_int(frame.get("message"))
        except ValueError:
            return self.connection.send(error_html("That read position is not a message id."))
        if not security.count("READ_RATE_LIMIT", "read", str(self.user_id)):
            return None  # the page says it again with its next message seen
        unread.mark_read(self.room_id, self.user_id, upto)
        return None

    def viewing(self, frame: dict) -> None:
        """The page's tab turned visible or hidden (taskflow/viewing.py)."""
        if frame.get("visible") is True:
            viewing.visible(self.room_id, self.user_id, self.connection.key)
            self.state["visible"] = True
        else:
            viewing.hidden(self.room_id, self.user_id, self.connection.key)
            self.state["visible"] = False

    def _refuse(self, error: str, frame: dict) -> None:
        """Say why, and hand the text back to the composer: a refused message is not lost."""
        draft = render.draft_html(self.room_id, frame.get("content"))
        self.connection.send(error_html(error) + draft)
        self.state["notice"] = True

    def _room_and_author(self) -> tuple[ChatRoom | None, User | None]:
        """The sender must still be a member, checked on every message (one query)."""
        self.state.pop("reader", None)
        found = ChatRoom.with_reader(self.room_id, self.user_id)
        if found is None:
            self.connection.close(4403, "Access ended")
            return None, None
        return found

    def _recent_room_and_author(self) -> tuple[ChatRoom | None, User | None]:
        """As _room_and_author, reusing a check made less than READER_TTL ago. The objects
        are out of the session (the commit does not expire them): their loaded columns only."""
        checked = self.state.get("reader")
        if checked is not None and checked[0] > time.monotonic():
            return checked[1], checked[2]
        room, user = self._room_and_author()
        if room is not None:
            db.session.expunge(room)
            db.session.expunge(user)
            self.state["reader"] = (time.monotonic() + READER_TTL, room, user)
        return room, user
