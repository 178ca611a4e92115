from datetime import datetime

from sqlalchemy import Column as SAColumn
from sqlalchemy import ForeignKey, String, Table, Text, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.board import Board, Membership
from taskflow.models.user import User, utcnow
from taskflow.names import name_key

NAME_KEY_LENGTH = 80  # the column's size; case folding can lengthen a name ("ß" → "ss")

room_members = Table(
    "chat_room_members",
    db.metadata,
    SAColumn("room_id", ForeignKey("chat_rooms.id", ondelete="CASCADE"), primary_key=True),
    SAColumn("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ChatRoom(db.Model):
    __tablename__ = "chat_rooms"
    __table_args__ = (UniqueConstraint("board_id", "name_key"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(80))
    # names.name_key of the name: "General" and "ＧＥＮＥＲＡＬ" are one room on a board.
    name_key: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The number of the room's latest change (a message posted, edited or deleted): pages
    # catch up by asking for every change after the last number they saw.
    seq: Mapped[int] = mapped_column(default=0, server_default="0")

    board: Mapped[Board] = relationship()
    created_by: Mapped[User | None] = relationship()
    members: Mapped[list[User]] = relationship(secondary=room_members, order_by=User.username_key)

    def __init__(self, board: Board, name: str, description: str, created_by: User) -> None:
        self.board, self.created_by = board, created_by
        self.rename(name)
        self.description = description
        self.members = [created_by]

    @classmethod
    def next_seq(cls, room_id: int) -> int:
        """Number a change of the room. In PostgreSQL this locks the room's row until commit,
        so a room's changes commit in the order of their numbers: a reader who sees n has
        seen every change before it."""
        table = cls.__table__
        query = (
            update(table)
            .where(table.c.id == room_id)
            .values(seq=table.c.seq + 1)
            .returning(table.c.seq)
        )
        # On the session's connection, without the ORM: every message sent runs this.
        return db.session.connection().execute(query).scalar_one()

    @classmethod
    def current_seq(cls, room_id: int) -> int:
        return db.session.scalar(select(cls.seq).where(cls.id == room_id)) or 0

    def rename(self, name: str) -> None:
        self.name, self.name_key = name, room_key(name)

    @classmethod
    def name_taken(cls, board: Board, name: str) -> bool:
        query = select(cls.id).where(cls.board_id == board.id, cls.name_key == room_key(name))
        return db.session.scalar(query) is not None

    @classmethod
    def for_board(cls, board: Board) -> list["ChatRoom"]:
        return list(
            db.session.scalars(select(cls).where(cls.board_id == board.id).order_by(cls.name_key))
        )

    @classmethod
    def of_member(cls, board: Board, user: User) -> list["ChatRoom"]:
        """The rooms of the board this user is in: the only ones they may see at all."""
        query = (
            select(cls)
            .join(room_members, room_members.c.room_id == cls.id)
            .where(cls.board_id == board.id, room_members.c.user_id == user.id)
            .order_by(cls.name_key)
        )
        return list(db.session.scalars(query))

    def is_member(self, user: User) -> bool:
        query = select(room_members.c.user_id).where(
            room_members.c.room_id == self.id, room_members.c.user_id == user.id
        )
        return db.session.scalar(query) is not None

    @classmethod
    def with_reader(cls, room_id: int, user_id: int) -> tuple["ChatRoom", User] | None:
        """The room and the user, if the user may read it (readable_by), in one query: the
        hot path of every message sent."""
        query = (
            select(cls, User)
            .select_from(room_members)
            .join(cls, cls.id == room_members.c.room_id)
            .join(User, User.id == room_members.c.user_id)
            .join(
                Membership,
                (Membership.board_id == cls.board_id)
                & (Membership.user_id == room_members.c.user_id),
            )
            .where(room_members.c.room_id == room_id, room_members.c.user_id == user_id)
        )
        row = db.session.execute(query).first()
        return (row[0], row[1]) if row else None

    @classmethod
    def readable(cls, room_id: int, user_id: int) -> "ChatRoom | None":
        """The room, with its board, if the user may read it (readable_by): one query, the
        hot path of every room page."""
        query = (
            select(cls)
            .options(joinedload(cls.board))
            .join(room_members, room_members.c.room_id == cls.id)
            .join(
                Membership,
                (Membership.board_id == cls.board_id)
                & (Membership.user_id == room_members.c.user_id),
            )
            .where(cls.id == room_id, room_members.c.user_id == user_id)
        )
        return db.session.scalar(query)

    def readable_by(self, user: User) -> bool:
        """Only members of the room who are still on the board read or post in it."""
        return self.is_member(user) and self.board.is_member(user)

    def can_manage(self, user: User) -> bool:
        """The room's creator and the board's owner manage its members."""
        return user.id in (self.created_by_id, self.board.owner_id)

    def member_count(self) -> int:
        query = (
            select(func.count()).select_from(room_members).where(room_members.c.room_id == self.id)
        )
        return db.session.scalar(query)

    def last_message_at(self) -> datetime | None:
        from taskflow.models.message import ChatMessage

        query = select(func.max(ChatMessage.created_at)).where(ChatMessage.room_id == self.id)
        return db.session.scalar(query)


def room_key(name: str) -> str:
    return name_key(name)[:NAME_KEY_LENGTH]
