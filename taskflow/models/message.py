from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.room import ChatRoom
from taskflow.models.user import User, utcnow

MAX_CONTENT = 4000
TEXT, NOTICE = "text", "notice"  # ChatMessage.kind
PAGE_SIZE = 50
REPLY_EXCERPT_MAX = 200


class ChatMessage(db.Model):
    __tablename__ = "chat_messages"
    # (room, id) serves "the latest 50 of a room" and "after id N" with one index range scan.
    # (room, seq) serves a reconnecting page's "every change after n". A client id is saved at
    # most once per author: a message resent after a dropped connection is not doubled.
    __table_args__ = (
        Index("ix_chat_messages_room_id_id", "room_id", "id"),
        Index("ix_chat_messages_room_id_seq", "room_id", "seq"),
        UniqueConstraint("author_id", "client_id", name="uq_chat_messages_author_id_client_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("chat_rooms.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # A deleted message keeps its row (content blanked) so reconnecting pages learn of it.
    deleted_at: Mapped[datetime | None]
    # Outbox marker: set once its mention notifications exist (see notifications.py).
    notified_at: Mapped[datetime | None] = mapped_column(index=True)
    # The room's change number of this message's latest change (see ChatRoom.seq).
    seq: Mapped[int] = mapped_column(default=0, server_default="0")
    # The id the author's page gave the message (an idempotency key), if any.
    client_id: Mapped[str | None] = mapped_column(String(64))
    # A reply: the message it answers (same room) and its quote, the original's first words
    # (markup.excerpt; the original's edits rewrite it, its deletion blanks it).
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("chat_messages.id", ondelete="SET NULL"), index=True
    )
    reply_excerpt: Mapped[str | None] = mapped_column(String(REPLY_EXCERPT_MAX))
    # "Make task" (issue 24): the task this message became (its chip follows the message).
    made_task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    # Set at post time when the previous message of the room is the same author's, within
    # people.GROUP_WITHIN: the page shows it under that message's name and avatar.
    continues: Mapped[bool] = mapped_column(default=False, server_default=false())
    # TEXT, or NOTICE: a command's one-line account ("moved #42 Fix login to Done", after
    # its author's name), posted by the server, never edited, never a mention; `event_id`
    # is the board's history event its author may undo (boards/commands.py).
    kind: Mapped[str] = mapped_column(String(10), default="text", server_default="text")
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_events.id", ondelete="SET NULL"), index=True
    )

    room: Mapped[ChatRoom] = relationship()
    author: Mapped[User | None] = relationship(lazy="joined")
    mentioned_users: Mapped[list[User]] = relationship(secondary="chat_message_mentions")
    # Read with every message, in one query per batch (rendered with it); written only as
    # Reaction rows (chat/reactions.py), which the database deletes with the message.
    reactions: Mapped[list["Reaction"]] = relationship(  # noqa: F821
        lazy="selectin", viewonly=True, order_by="Reaction.id"
    )
    # The quote names the original's author: loaded with the replies, in one query per load.
    reply_to: Mapped["ChatMessage | None"] = relationship(remote_side=[id], lazy="selectin")

    @classmethod
    def latest(cls, room: ChatRoom, before: int | None = None) -> list["ChatMessage"]:
        """A page of messages, oldest first: the newest ones, or the ones before an id."""
        query = (
            select(cls)
            .options(selectinload(cls.mentioned_users))
            .where(cls.room_id == room.id, cls.deleted_at.is_(None))
        )
        if before is not None:
            query = query.where(cls.id < before)
        page = list(db.session.scalars(query.order_by(cls.id.desc()).limit(PAGE_SIZE)))
        return page[::-1]

    @classmethod
    def latest_keys(cls, room_id: int, before: int | None = None) -> list[tuple]:
        """latest() as (id, seq, created_at, the author's profile version) only, oldest
        first: what a cached rendering of each message is found by (chat.service.
        page_of_messages), without loading them. The version changes with the author's
        name or colour: their messages render afresh (people.py)."""
        query = _keys().where(cls.room_id == room_id, cls.deleted_at.is_(None))
        if before is not None:
            query = query.where(cls.id < before)
        rows = db.session.execute(query.order_by(cls.id.desc()).limit(PAGE_SIZE)).all()
        return [tuple(row) for row in reversed(rows)]

    @classmethod
    def keys_around(cls, room_id: int, message_id: int) -> tuple[list[tuple], bool]:
        """A page of keys (as latest_keys) around a message: up to half a page after it, the
        rest before it and itself; and whether newer messages follow the page."""
        visible = (cls.room_id == room_id, cls.deleted_at.is_(None))
        keys = _keys()
        after = keys.where(*visible, cls.id > message_id).order_by(cls.id)
        newer = db.session.execute(after.limit(PAGE_SIZE // 2 + 1)).all()
        more = len(newer) > PAGE_SIZE // 2
        newer = newer[: PAGE_SIZE // 2]
        upto = keys.where(*visible, cls.id <= message_id).order_by(cls.id.desc())
        older = db.session.execute(upto.limit(PAGE_SIZE - len(newer))).all()
        return [tuple(row) for row in [*reversed(older), *newer]], more

    @classmethod
    def previous(cls, room_id: int) -> tuple | None:
        """(author_id, created_at, kind) of the room's latest message still shown, if any: what a
        new one groups under (people.continues). One index range scan on (room_id, id), on
        the session's connection with a statement built once: every message sent runs it."""
        return db.session.connection().execute(_PREVIOUS, {"room_id": room_id}).first()

    @classmethod
    def around(cls, message: "ChatMessage") -> tuple:
        """The message shown before this one, as previous() says, and the one after it."""
        table = cls.__table__.c
        shown = (table.room_id == message.room_id) & table.deleted_at.is_(None)
        before = db.session.execute(
            select(table.author_id, table.created_at, table.kind)
            .where(shown, table.id < message.id)
            .order_by(table.id.desc())
            .limit(1)
        ).first()
        after = db.session.scalar(
            select(cls).where(shown, cls.id > message.id).order_by(cls.id).limit(1)
        )
        return before, after

    @classmethod
    def by_ids(cls, ids: list[int]) -> list["ChatMessage"]:
        query = select(cls).options(selectinload(cls.mentioned_users)).where(cls.id.in_(ids))
        return list(db.session.scalars(query))

    @classmethod
    def changed_after(cls, room_id: int, seq: int, limit: int) -> list["ChatMessage"]:
        """The room's changes after number `seq`, in order: new, edited and deleted
        messages (each once, as it is now)."""
        query = (
            select(cls)
            .options(selectinload(cls.mentioned_users))
            .where(cls.room_id == room_id, cls.seq > seq)
            .order_by(cls.seq)
            .limit(limit)
        )
        return list(db.session.scalars(query))

    @classmethod
    def replies_to(cls, message_id: int) -> list["ChatMessage"]:
        """The messages that quote this one (not deleted)."""
        query = select(cls).where(cls.reply_to_id == message_id, cls.deleted_at.is_(None))
        return list(db.session.scalars(query.order_by(cls.id)))

    @classmethod
    def by_client_id(cls, author_id: int, client_id: str) -> "ChatMessage | None":
        return db.session.scalar(
            select(cls).where(cls.author_id == author_id, cls.client_id == client_id)
        )


def _keys():
    """What a cached rendering of a message is found by: (id, seq, created_at, the author's
    profile version), for latest_keys and keys_around."""
    version = func.coalesce(User.profile_version, 0)
    return select(ChatMessage.id, ChatMessage.seq, ChatMessage.created_at, version).outerjoin(
        User, User.id == ChatMessage.author_id
    )


_table = ChatMessage.__table__.c
_PREVIOUS = (
    select(_table.author_id, _table.created_at, _table.kind)
    .where(_table.room_id == bindparam("room_id"), _table.deleted_at.is_(None))
    .order_by(_table.id.desc())
    .limit(1)
)
