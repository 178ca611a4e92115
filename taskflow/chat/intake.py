"""One intake for a new message, whichever way it came: the socket's frame (chat/frames.py)
or the form (chat/rooms.py:post_message). Both hand the fields the page sent to `receive`,
which checks them in one order and posts, and both then only render its `Outcome`.

The order: the text, the page's client id, a message saved before under it (a resend after a
dropped connection: acknowledged again, not counted against the sender), the sender's rate
limit, the room and its sender (still a member: the caller's `reader`), a read-only direct
message, the message replied to; then the post.

A text starting with "/" goes to the command runner (boards/commands.py) when the boards
area has set `commands` at start-up: chat never imports boards (the layers), boards hands it
its runner. The runner returns an Outcome as a post does: the notice it posted, a refusal
(said to the sender only, the text kept), or an answer for the sender alone (ANSWERED:
/help); or, when the text is no command there, the text to post as a message."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from taskflow import security, texts
from taskflow.chat import service as chat
from taskflow.models import ChatMessage, ChatRoom, User

POSTED, DUPLICATE, REFUSED, GONE = "posted", "duplicate", "refused", "gone"
ANSWERED = "answered"  # said to the sender only (`reason`), nothing saved: /help

# What finds the room and its sender for a text (None: the sender's access ended). The socket
# reuses a recent check unless the text needs the room's members; the form passes its own.
Reader = Callable[[str], tuple[ChatRoom, User] | None]


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # POSTED, DUPLICATE (a resend, acknowledged again), REFUSED or GONE (no access)
    message: ChatMessage | None = None
    room: ChatRoom | None = None
    author: User | None = None
    outside: list[User] = field(default_factory=list)  # mentioned, not in the room
    reason: str = ""  # why it was refused, said to the sender
    status: int = 200  # the HTTP status of a refusal

    @property
    def saved(self) -> bool:
        return self.kind in (POSTED, DUPLICATE)


def refused(reason: str, status: int = 422) -> Outcome:
    return Outcome(REFUSED, reason=reason, status=status)


# Runs a text starting with "/" typed in a room (the room and sender checked, the text, the
# client id): its Outcome, or the text to post as a message when it is no command there (a
# path in a direct message, "//" unescaped). Set by taskflow.boards at start-up; None leaves
# a text starting with "/" a message.
commands: Callable[[ChatRoom, User, str, str | None], Outcome | str] | None = None


def receive(
    room_id: int, user_id: int, fields: Mapping, reader: Reader, was_typing: bool = True
) -> Outcome:
    """Check and post the message the page sent (`fields`: content, client_id, reply_to)."""
    text, error = texts.clean_content(fields.get("content"))
    client_id, bad_id = chat.clean_client_id(fields.get("client_id"))
    if error or bad_id:
        return refused(error or bad_id)
    earlier, client_id = chat.already_sent(room_id, user_id, client_id)
    if earlier is not None:
        return Outcome(DUPLICATE, earlier)
    if not security.may_send_message(user_id):
        return refused(security.SLOW_DOWN, 429)
    found = reader(text)
    if found is None:
        return Outcome(GONE, status=403)
    room, author = found
    closed = chat.closed_to(room.id, room.kind, author.id)  # a direct message only
    if closed:
        return refused(closed, 403)
    if commands is not None and text.startswith("/"):
        ran = commands(room, author, text, client_id)
        if isinstance(ran, Outcome):
            return ran
        text = ran  # not a command: the text to post ("//x" sends "/x")
    reply_to, gone = chat.reply_target(room_id, fields.get("reply_to"))
    if gone:
        return refused(gone)
    message, outside, new = chat.post(
        room, author, text, was_typing=was_typing, client_id=client_id, reply_to=reply_to
    )
    return Outcome(POSTED if new else DUPLICATE, message, room, author, outside)
