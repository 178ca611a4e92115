from datetime import datetime

from sqlalchemy import Column as SAColumn
from sqlalchemy import (
    ForeignKey,
    Row,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    select,
    update,
)
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
    # Moved on when a member changes their name or colour (people_changed): the cached
    # latest page of messages (chat.service.latest_messages_html) is keyed by it too.
    people_version: Mapped[int] = mapped_column(default=0, server_default="0")

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

    @staticmethod
    def people_changed(user_id: int) -> None:
        """A member's profile changed: each of their rooms' cached latest page is stale (one
        UPDATE; a profile is rarely saved)."""
        table = ChatRoom.__table__
        mine = select(room_members.c.room_id).where(room_members.c.user_id == user_id)
        query = update(table).where(table.c.id.in_(mine))
        db.session.execute(query.values(people_version=table.c.people_version + 1))

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
        """The room, with its board, if the user may read it (readable_by): one query."""
        query = _readers(select(cls).options(joinedload(cls.board)), room_id, user_id)
        return db.session.scalar(query)

    @classmethod
    def page_view(cls, room_id: int, user_id: int) -> Row | None:
        """What the room page shows of the room and its board, if the user may read it (the
        rule of `readable`): one row of plain columns, the hot path of every room page."""
        return db.session.execute(_PAGE_VIEW, {"room_id": room_id, "user_id": user_id}).first()

    @staticmethod
    def names_of_member(board_id: int, user_id: int) -> list[Row]:
        """of_member as (id, name) rows: the room page's list of rooms."""
        params = {"board_id": board_id, "user_id": user_id}
        return db.session.execute(_NAMES_OF_MEMBER, params).all()

    @staticmethod
    def member_names(room_id: int, limit: int | None = None) -> tuple[list[Row], int]:
        """The room's members as (id, username, display_name) rows by name, at most `limit`
        of them, and how many there are in all (one query)."""
        query, params = _MEMBERS, {"room_id": room_id}
        if limit is not None:
            query, params["limit"] = _FIRST_MEMBERS, limit
        rows = db.session.execute(query, params).all()
        return rows, rows[0].total if rows else 0

    def readable_by(self, user: User) -> bool:
        """Only members of the room who are still on the board read or post in it."""
        return self.is_member(user) and self.board.is_member(user)

    def can_manage(self, user: User) -> bool:
        return may_manage(user.id, self.created_by_id, self.board.owner_id)

    def member_count(self) -> int:
        query = (
            select(func.count()).select_from(room_members).where(room_members.c.room_id == self.id)
        )
        return db.session.scalar(query)

    def last_message_at(self) -> datetime | None:
        from taskflow.models.message import ChatMessage

        query = select(func.max(ChatMessage.created_at)).where(ChatMessage.room_id == self.id)
        return db.session.scalar(query)


def may_manage(user_id: int, created_by_id: int | None, board_owner_id: int) -> bool:
    """The room's creator and the board's owner manage its members."""
    return user_id in (created_by_id, board_owner_id)


def room_key(name: str) -> str:
    return name_key(name)[:NAME_KEY_LENGTH]


def _readers(query, room_id, user_id):
    """`query` (of chat_rooms) narrowed to the room if the user may read it: a member of the
    room who is still on its board (ChatRoom.readable_by)."""
    rooms, memberships = ChatRoom.__table__, Membership.__table__
    return (
        query.join(room_members, room_members.c.room_id == rooms.c.id)
        .join(
            memberships,
            (memberships.c.board_id == rooms.c.board_id)
            & (memberships.c.user_id == room_members.c.user_id),
        )
        .where(rooms.c.id == room_id, room_members.c.user_id == user_id)
    )


# The room page's statements, built once: plain columns (no ORM entities to build) and bound
# parameters, so a page view neither constructs nor compiles a query.
_rooms, _boards, _users = ChatRoom.__table__, Board.__table__, User.__table__
_PAGE_VIEW = _readers(
    select(
        _rooms.c.id,
        _rooms.c.name,
        _rooms.c.description,
        _rooms.c.seq,
        _rooms.c.people_version,
        _rooms.c.created_at,
        _rooms.c.board_id,
        _rooms.c.created_by_id,
        _boards.c.name.label("board_name"),
        _boards.c.owner_id.label("board_owner_id"),
    ).join_from(_rooms, _boards, _boards.c.id == _rooms.c.board_id),
    bindparam("room_id"),
    bindparam("user_id"),
)
_NAMES_OF_MEMBER = (
    select(_rooms.c.id, _rooms.c.name)
    .join(room_members, room_members.c.room_id == _rooms.c.id)
    .where(
        _rooms.c.board_id == bindparam("board_id"), room_members.c.user_id == bindparam("user_id")
    )
    .order_by(_rooms.c.name_key)
)
_MEMBERS = (
    select(
        _users.c.id,
        _users.c.username,
        _users.c.display_name,
        func.count().over().label("total"),
    )
    .join(room_members, room_members.c.user_id == _users.c.id)
    .where(room_members.c.room_id == bindparam("room_id"))
    .order_by(_users.c.username_key)
)
_FIRST_MEMBERS = _MEMBERS.limit(bindparam("limit"))
