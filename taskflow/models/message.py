from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.room import ChatRoom
from taskflow.models.user import User, utcnow

MAX_CONTENT = 4000
PAGE_SIZE = 50


class ChatMessage(db.Model):
    __tablename__ = "chat_messages"
    # (room, id) serves "the latest 50 of a room" and "after id N" with one index range scan.
    __table_args__ = (Index("ix_chat_messages_room_id_id", "room_id", "id"), NEVER_REUSE_IDS)

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

    room: Mapped[ChatRoom] = relationship()
    author: Mapped[User | None] = relationship(lazy="joined")
    mentioned_users: Mapped[list[User]] = relationship(secondary="chat_message_mentions")

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
    def after(cls, room_id: int, since: int, limit: int = 500) -> list["ChatMessage"]:
        """What a reconnecting page missed: the messages after the newest one it shows."""
        query = (
            select(cls)
            .options(selectinload(cls.mentioned_users))
            .where(cls.room_id == room_id, cls.id > since, cls.deleted_at.is_(None))
        )
        return list(db.session.scalars(query.order_by(cls.id).limit(limit)))

    @classmethod
    def changed_since(cls, room_id: int, upto: int, moment: datetime) -> list["ChatMessage"]:
        """Messages up to id `upto` edited or deleted after `moment`."""
        query = select(cls).where(
            cls.room_id == room_id,
            cls.id <= upto,
            or_(cls.edited_at > moment, cls.deleted_at > moment),
        )
        return list(db.session.scalars(query.order_by(cls.id)))
