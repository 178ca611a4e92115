from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskflow.extensions import db
from taskflow.models.room import ChatRoom
from taskflow.models.user import User, utcnow

MAX_CONTENT = 4000
PAGE_SIZE = 50


class ChatMessage(db.Model):
    __tablename__ = "chat_messages"
    # (room, id) serves "the latest 50 of a room" and "after id N" with one index range scan.
    __table_args__ = (Index("ix_chat_messages_room_id_id", "room_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("chat_rooms.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    room: Mapped[ChatRoom] = relationship()
    author: Mapped[User | None] = relationship(lazy="joined")

    @classmethod
    def latest(cls, room: ChatRoom, before: int | None = None) -> list["ChatMessage"]:
        """A page of messages, oldest first: the newest ones, or the ones before an id."""
        query = select(cls).where(cls.room_id == room.id)
        if before is not None:
            query = query.where(cls.id < before)
        page = list(db.session.scalars(query.order_by(cls.id.desc()).limit(PAGE_SIZE)))
        return page[::-1]

    @classmethod
    def after(cls, room_id: int, since: int, limit: int = 500) -> list["ChatMessage"]:
        """What a reconnecting page missed: the messages after the newest one it shows."""
        query = select(cls).where(cls.room_id == room_id, cls.id > since)
        return list(db.session.scalars(query.order_by(cls.id).limit(limit)))
