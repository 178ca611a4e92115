"""Chat messages change here, whichever way they came (the socket, the form, a reaction):
check, save, declare the broadcast, commit. Rendering is chat/render.py (a message is
rendered once, for every reader: its time in UTC, shown in each reader's zone by the page),
catch-up chat/catch_up.py, the intake of a new message chat/intake.py."""

import re

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from taskflow import chips, markup, people
from taskflow.chat import typing, unread
from taskflow.chat.render import upsert_html
from taskflow.converters import bounded_int
from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, User, room_reads
from taskflow.models.message import NOTICE
from taskflow.models.room import DIRECT
from taskflow.models.user import utcnow
from taskflow.notifications import jobs, mentions
from taskflow.notifications import service as notifications
from taskflow.realtime import topics
from taskflow.realtime.after_commit import broadcast

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def clean_client_id(value: object) -> tuple[str | None, str | None]:
    """The page's id for a message (optional) and an error message, if it is malformed."""
    if value in (None, ""):
        return None, None
    if isinstance(value, str) and CLIENT_ID.fullmatch(value):
        return value, None
    return None, "That message carried a malformed id. Reload the page, then send it again."


# ---- Replies: a message may answer another of its room, quoting its first words.

# Said when the reply target is refused; the composer gets the text back, no longer a reply.
GONE = "The message you replied to was deleted or is not in this room: send yours again."


def reply_target(room_id: int, value: object) -> tuple[ChatMessage | None, str | None]:
    """The message a new one replies to (None: not a reply) and an error message, if it
    cannot be replied to: it must be a message of this room, and not deleted."""
    if value in (None, ""):
        return None, None
    try:
        original = db.session.get(ChatMessage, bounded_int(value))
    except ValueError:
        original = None
    if original is None or original.room_id != room_id or original.deleted_at is not None:
        return None, GONE
    return original, None


def _reply_columns(reply_to: ChatMessage | None) -> dict:
    if reply_to is None:
        return {}
    return {"reply_to_id": reply_to.id, "reply_excerpt": markup.excerpt(reply_to.content)}


def _requote_replies_of(message: ChatMessage) -> None:
    """The quotes of a message's replies follow it: an edit rewrites them (a password pasted
    by mistake and edited away must not stay quoted), a deletion blanks them. Each reply
    whose quote changes is a change of the room, sent to every page like an edit."""
    quote = None if message.deleted_at else markup.excerpt(message.content)
    for reply in ChatMessage.replies_to(message.id):
        if reply.reply_excerpt != quote:
            reply.reply_excerpt = quote
            reply.seq = ChatRoom.next_seq(reply.room_id)
            _broadcast(reply)


# ----


def already_sent(
    room_id: int, author_id: int, client_id: str | None
) -> tuple[ChatMessage | None, str | None]:
    """The one look-up of a page's client id, before anything is counted or saved: the
    message saved before under it in this room (a resend after a dropped connection, to be
    acknowledged again and not counted against the sender's limit), and the client id a new
    message may keep (none when another room's message holds it)."""
    if not client_id:
        return None, client_id
    # Two columns, not the message: nearly always nothing is found (a resend is rare).
    table = ChatMessage.__table__
    query = select(table.c.id, table.c.room_id).where(
        table.c.author_id == author_id, table.c.client_id == client_id
    )
    found = db.session.connection().execute(query).first()
    if found is None:
        return None, client_id
    if found.room_id != room_id:
        return None, None
    return db.session.get(ChatMessage, found.id), client_id


def post(
    room: ChatRoom,
    author: User,
    text: str,
    was_typing: bool = True,
    client_id: str | None = None,
    reply_to: ChatMessage | None = None,
) -> tuple[ChatMessage, list[User], bool]:
    """Save first (the database is the truth), then publish to everyone in the room, then
    queue its mention notifications. Returns the message, the board members it mentions who
    are not in the room (not notified: the sender is told), and whether it is new. The
    caller has looked `client_id` up (already_sent); if the same id arrives twice at once,
    the database keeps one and the other gets it back, not new. A reply (`reply_to`,
    checked by reply_target) adds its two columns."""
    if "@" in text:
        return _post_with_mentions(room, author, text, was_typing, client_id, reply_to)
    message = _insert(room, author, text, client_id, reply_to)
    if message is None:  # the same client id, sent twice at once: the other one won
        return ChatMessage.by_client_id(author.id, client_id), [], False
    _broadcast(message, new=True)
    unread.announce(message)  # one more publish: pages listing the room count it
    db.session.commit()
    if was_typing:
        typing.stopped(room.id, author.id)
    return message, [], True


def post_notice(
    room: ChatRoom, author: User, text: str, event_id: int | None, client_id: str | None = None
) -> tuple[ChatMessage, bool]:
    """A command's notice (boards/commands.py: "moved #42 Fix login to Done" after its
    author's name): saved and sent as a message is (the room's next change, so catch-up,
    unread counts and the cached page follow), but plain text, never a mention nor a
    notification, and not editable. `event_id`: the history event its author may undo.
    Returns the notice and whether it is new (a resend of the command under the same
    client id gets the first one back)."""
    extra = {"kind": NOTICE, "event_id": event_id}
    message = _insert(room, author, text, client_id, None, extra)
    if message is None:
        return ChatMessage.by_client_id(author.id, client_id), False
    _broadcast(message, new=True)
    unread.announce(message)
    db.session.commit()
    typing.stopped(room.id, author.id)
    return message, True


def _insert(
    room: ChatRoom,
    author: User,
    text: str,
    client_id: str | None,
    reply_to: ChatMessage | None,
    extra: dict | None = None,
) -> ChatMessage | None:
    """A message that mentions nobody (no "@": nearly all of them) as one row, without the
    ORM's unit of work: it needs only `room.id` and the author's id and name, so the socket
    passes objects it checked a moment ago (chat/frames.py). None: its client id is taken."""
    now, notice = utcnow(), (extra or {}).get("kind") == NOTICE
    previous = ChatMessage.previous(room.id)
    values = dict(
        room_id=room.id,
        author_id=author.id,
        content=text,
        client_id=client_id,
        created_at=now,
        notified_at=now,  # nobody to notify: no job, and the sweep skips it
        seq=ChatRoom.next_seq(room.id),
        **_reply_columns(reply_to),
        continues=not notice and _continues(previous, author.id, now),  # a notice stands alone
        **(extra or {}),
    )
    try:
        inserted = db.session.connection().execute(insert(ChatMessage.__table__).values(values))
    except IntegrityError:
        db.session.rollback()
        return None
    # Not in the session: only rendered (before the commit) and returned.
    message = ChatMessage(id=inserted.inserted_primary_key[0], **values)
    message.author = author
    message.reply_to = reply_to
    return message


def _post_with_mentions(
    room: ChatRoom,
    author: User,
    text: str,
    was_typing: bool,
    client_id: str | None,
    reply_to: ChatMessage | None,
) -> tuple[ChatMessage, list[User], bool]:
    previous = ChatMessage.previous(room.id)
    message = ChatMessage(
        room=room, author=author, content=text, client_id=client_id, **_reply_columns(reply_to)
    )
    message.reply_to = reply_to
    message.created_at = utcnow()
    message.continues = _continues(previous, author.id, message.created_at)
    _set_mentions(message, text)
    message.seq = ChatRoom.next_seq(room.id)
    db.session.add(message)
    try:
        db.session.flush()  # the id, and the client id's uniqueness checked
    except IntegrityError:  # the same client id, sent twice at once: the other one won
        db.session.rollback()
        return ChatMessage.by_client_id(author.id, client_id), [], False
    _broadcast(message, new=True)
    unread.announce(message, [u.id for u in message.mentioned_users])
    db.session.commit()
    if message.notified_at is None:
        notifications.enqueue(jobs.notify_chat_message, message.id)
    if was_typing:
        typing.stopped(room.id, author.id)
    return message, _outside_room(room, text), True


def edit(message: ChatMessage, text: str) -> list[User]:
    """Change a message; the newly mentioned are notified (the job skips the others)."""
    message.content, message.edited_at = text, utcnow()
    _set_mentions(message, text)
    notifications.message_edited(message.id, text)  # committed with the edit
    _requote_replies_of(message)
    _publish_change(message)
    if message.notified_at is None:
        notifications.enqueue(jobs.notify_chat_message, message.id)
    return _outside_room(message.room, text)


def delete(message: ChatMessage) -> None:
    """Remove a message for everyone; its row stays (blanked) so reconnecting pages learn
    of the deletion, and its unread notifications go with it. The message after it may have
    been grouped under it: it is grouped anew under the one before (a change of its own)."""
    unread.announce(message, [u.id for u in message.mentioned_users], deleted=True)
    before, after = ChatMessage.around(message) if not message.deleted_at else (None, None)
    message.content, message.deleted_at, message.notified_at = "", utcnow(), utcnow()
    message.mentioned_users = []
    _requote_replies_of(message)
    if after is not None and after.continues:
        regrouped = _continues(before, after.author_id, after.created_at)
        if not regrouped:
            after.continues = False
            after.seq = ChatRoom.next_seq(message.room_id)
            _broadcast(after)
    _publish_change(message)
    notifications.remove_unread_for_message(message.id)


def _continues(previous, author_id: int | None, at) -> bool:
    """Whether a message groups under `previous` (no name nor avatar of its own): never
    under a notice, whose one line is not a message its author's next one belongs to."""
    if previous is None or previous.kind == NOTICE:
        return False
    return people.continues(previous.author_id, previous.created_at, author_id, at)


def _publish_change(message: ChatMessage) -> None:
    message.seq = ChatRoom.next_seq(message.room_id)
    _broadcast(message)
    db.session.commit()


def notice_undone(notice: ChatMessage) -> None:
    """A notice whose command was undone offers no Undo any more: as a change of the
    message (numbered, published as an edit is), every open page of the room drops its
    button. The caller commits, with the notice that says it was undone."""
    notice.event_id = None
    notice.seq = ChatRoom.next_seq(notice.room_id)
    _broadcast(notice)


def became_task(message: ChatMessage, task_id: int) -> None:
    """The message was made a task ("Make task", boards/make_task.py): it names the task, and
    as a change of the message (numbered, published as an edit is) every open page of the
    room shows its chip. The caller commits, with the task."""
    message.made_task_id = task_id
    message.seq = ChatRoom.next_seq(message.room_id)
    _broadcast(message)


def publish_numbered(message: ChatMessage) -> None:
    """Publish and commit a change of the message that its caller numbered first
    (`message.seq = ChatRoom.next_seq(...)`, which locks the room's changes in PostgreSQL)
    and then made: a reaction (chat/reactions.py). Pages receive it as they do an edit."""
    _broadcast(message)
    db.session.commit()


def _broadcast(message: ChatMessage, new: bool = False) -> None:
    """Every page of the room gets this change of the message once it commits: one
    rendering for all (`new`: a post, which may open a day on the page)."""
    topic, seq = topics.room(message.room_id), message.seq
    # its "#42" chips filled once for all: every reader of the room is on its board
    broadcast(topic, lambda: chips.shared(upsert_html(message, new)), kind="message", seq=seq)


def _set_mentions(message: ChatMessage, text: str) -> None:
    # Most messages mention no one: do not load anyone for them.
    named = mentions.named_keys(text) if "@" in text else set()
    room_id = message.room_id or message.room.id  # a new message: its room, not yet its id
    candidates = room_reads.members_named(room_id, named) if named else []
    mentioned = mentions.find(text, candidates)
    if {u.id for u in mentioned} - {u.id for u in message.mentioned_users}:
        message.notified_at = None  # someone new to notify: the job (or the sweep) will
    elif message.notified_at is None and not mentioned:
        message.notified_at = utcnow()  # nobody to notify: no job needed
    message.mentioned_users = mentioned


def _outside_room(room: ChatRoom, text: str) -> list[User]:
    if "@" not in text or room.board_id is None:  # a direct message's people are all there is
        return []
    named = mentions.named_keys(text)
    return mentions.find(text, room_reads.outsiders_named(room.id, room.board_id, named))


READ_ONLY = (
    "This conversation is read-only: you no longer share a board with anyone in it."
    " You can still read it, or leave it."
)


def closed_to(room_id: int, kind: str, user_id: int) -> str | None:
    """Why the user cannot post in this room, if they cannot: a direct message whose other
    people no longer share any board with them is read-only (it stays readable). Rooms of
    a board: None (their access rule already requires the board)."""
    if kind != DIRECT or ChatRoom.shares_a_board_with_another(room_id, user_id):
        return None
    return READ_ONLY
