from collections.abc import Collection
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    column,
    func,
    or_,
    select,
    table,
    update,
)
from sqlalchemy import Column as SAColumn
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.board import Board, Membership
from taskflow.models.user import User, utcnow
from taskflow.names import name_key

NAME_KEY_LENGTH = 80  # the column's size; case folding can lengthen a name ("ß" → "ss")

# A room's kind. An open room is listed to every member of its board, who may join and leave
# it; a private one exists only for its members; a direct message belongs to no board and to
# its members only, who chose each other among the people they share a board with.
OPEN, PRIVATE, DIRECT = "open", "private", "direct"
KINDS = (OPEN, PRIVATE, DIRECT)
MAX_DIRECT_PEOPLE = 8  # in one direct message, its creator included
# The room page's own list of rooms: the first rooms of the board the viewer is in and the
# first direct messages, by name (with links to all of them).
SIDEBAR_ROOMS, SIDEBAR_DIRECTS = 30, 15
# The pages whose counts cover all of the user's rooms of a board and direct messages (the
# board page's links, the board's list of rooms) follow this many of each, at most.
FOLLOWED = 500
# Every page's navigation counts the unread messages of the user's latest active direct
# messages (those the first page of /direct lists), and its socket follows them: others start
# conversations with you, so there may be many, and every page must not count them all.
LATEST_DIRECTS = 50

room_members = Table(
    "chat_room_members",
    db.metadata,
    SAColumn("room_id", ForeignKey("chat_rooms.id", ondelete="CASCADE"), primary_key=True),
    SAColumn("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    # The id of the last message of the room this member has seen (chat/unread.py): what
    # comes after it by others is unread. It never moves backwards. A new member starts at
    # the room's newest message: joining a room is not a flood of old news.
    SAColumn(
        "last_read_id",
        Integer,
        nullable=False,
        default=lambda context: _newest_message_id(context),
        server_default="0",
    ),
    # What makes the room bold and what notifies: ALL, MENTIONS or NONE (LEVELS).
    SAColumn("level", String(8), nullable=False, default="all", server_default="all"),
)


def _newest_message_id(context) -> int:
    """The room's newest message id, as a new member row is inserted (its column default)."""
    room_id = context.get_current_parameters()["room_id"]
    query = select(func.max(_messages.c.id)).where(_messages.c.room_id == room_id)
    return context.connection.execute(query).scalar() or 0


# A member's notification level in a room (Campfire's "involvement").
ALL, MENTIONS, NONE = "all", "mentions", "none"
LEVELS = (ALL, MENTIONS, NONE)


class ChatRoom(db.Model):
    __tablename__ = "chat_rooms"
    __table_args__ = (
        UniqueConstraint("board_id", "name_key"),
        UniqueConstraint("direct_key", name="uq_chat_rooms_direct_key"),
        # A direct message has no board, and a board's room is not a direct message.
        CheckConstraint(
            "(kind = 'direct') = (board_id IS NULL)", name="ck_chat_rooms_direct_has_no_board"
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int | None] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default=PRIVATE, server_default=PRIVATE)
    # A direct message's people, as their sorted ids ("3.7.12"): one conversation per set of
    # people (unique), found again when the same people are picked.
    direct_key: Mapped[str | None] = mapped_column(String(100))
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
    # latest page of messages (chat.render.latest_messages_html) is keyed by it too.
    people_version: Mapped[int] = mapped_column(default=0, server_default="0")

    board: Mapped[Board | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    members: Mapped[list[User]] = relationship(secondary=room_members, order_by=User.username_key)

    def __init__(
        self,
        board: Board | None,
        name: str,
        description: str,
        created_by: User,
        kind: str = PRIVATE,
    ) -> None:
        self.board, self.created_by, self.kind = board, created_by, kind
        self.rename(name)
        self.description = description
        self.members = [created_by]

    @classmethod
    def direct(cls, people: list[User], created_by: User) -> "ChatRoom":
        """A new direct message between `people` (its creator among them). Its stored name
        is everyone's; each member sees the others' names (direct_title)."""
        people = sorted({u.id: u for u in [created_by, *people]}.values(), key=_by_name)
        name = ", ".join(u.username for u in people)[:80]
        room = cls(None, name, "", created_by, kind=DIRECT)
        room.members, room.direct_key = people, direct_key(u.id for u in people)
        return room

    @classmethod
    def direct_between(cls, user_ids) -> "ChatRoom | None":
        """The direct message of exactly these people, if they have one."""
        return db.session.scalar(select(cls).where(cls.direct_key == direct_key(user_ids)))

    @property
    def is_direct(self) -> bool:
        return self.kind == DIRECT

    @property
    def is_open(self) -> bool:
        return self.kind == OPEN

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
    def has_rooms(cls, board: Board) -> bool:
        query = select(cls.id).where(cls.board_id == board.id).limit(1)
        return db.session.scalar(query) is not None

    @classmethod
    def count_of_board(cls, board_id: int) -> int:
        query = select(func.count()).select_from(cls).where(cls.board_id == board_id)
        return db.session.scalar(query) or 0

    @staticmethod
    def add_members(room_id: int, user_ids: Collection[int]) -> list[int]:
        """Put these people in the room, each once: those already in are left as they are
        (a form sent twice, a person ticked twice, two tabs joining at once). Returns the
        ids added. Two statements whatever the room's size: the room's members are never
        loaded (a big room's join would load them all)."""
        wanted = set(user_ids)
        if not wanted:
            return []
        inside = select(room_members.c.user_id).where(
            room_members.c.room_id == room_id, room_members.c.user_id.in_(wanted)
        )
        added = sorted(wanted - set(db.session.scalars(inside)))
        if added:
            rows = [{"room_id": room_id, "user_id": user_id} for user_id in added]
            db.session.execute(_insert_missing(room_members), rows)
        return added

    @staticmethod
    def shares_a_board_with_another(room_id: int, user_id: int) -> bool:
        """Whether the user shares a board with at least one other member of the room: a
        direct message accepts their messages only then (chat.service.closed_to). One
        query: the room's members (eight at most in a direct message) against the user's
        boards."""
        theirs, mine = Membership.__table__.alias("theirs"), Membership.__table__.alias("mine")
        query = (
            select(room_members.c.user_id)
            .join(theirs, theirs.c.user_id == room_members.c.user_id)
            .join(mine, (mine.c.board_id == theirs.c.board_id) & (mine.c.user_id == user_id))
            .where(room_members.c.room_id == room_id, room_members.c.user_id != user_id)
            .limit(1)
        )
        return db.session.scalar(query) is not None

    @staticmethod
    def leave_board(board_id: int, user_id: int) -> None:
        """Take the user out of every room of the board (one DELETE)."""
        rooms = select(ChatRoom.id).where(ChatRoom.board_id == board_id)
        db.session.execute(
            room_members.delete().where(
                room_members.c.user_id == user_id, room_members.c.room_id.in_(rooms)
            )
        )

    @staticmethod
    def remove_members(room_id: int, user_ids: Collection[int]) -> None:
        """Take these people out of the room (one DELETE; its members are not loaded)."""
        if user_ids:
            db.session.execute(
                room_members.delete().where(
                    room_members.c.room_id == room_id, room_members.c.user_id.in_(user_ids)
                )
            )

    @classmethod
    def joinable(cls, room_id: int, user: User) -> "ChatRoom | None":
        """The room, if it is open and the user is on its board (a member of it or not)."""
        query = (
            select(cls)
            .join(Membership, Membership.board_id == cls.board_id)
            .where(cls.id == room_id, cls.kind == OPEN, Membership.user_id == user.id)
        )
        return db.session.scalar(query)

    @staticmethod
    def first_open(board_id: int, limit: int) -> list[int]:
        """The ids of the board's first `limit` open rooms, the oldest first (its first room
        is open: its "#general")."""
        query = select(ChatRoom.id).where(ChatRoom.board_id == board_id, ChatRoom.kind == OPEN)
        return list(db.session.scalars(query.order_by(ChatRoom.id).limit(limit)))

    def is_member(self, user: User) -> bool:
        query = select(room_members.c.user_id).where(
            room_members.c.room_id == self.id, room_members.c.user_id == user.id
        )
        return db.session.scalar(query) is not None

    @classmethod
    def with_reader(cls, room_id: int, user_id: int) -> tuple["ChatRoom", User] | None:
        """The room and the user, if the user may read it (readable_by), in one query: the
        hot path of every message sent."""
        query = _readers(select(cls, User), room_id, user_id).join(
            User, User.id == room_members.c.user_id
        )
        row = db.session.execute(query).first()
        return (row[0], row[1]) if row else None

    @classmethod
    def readable(cls, room_id: int, user_id: int) -> "ChatRoom | None":
        """The room, with its board, if the user may read it (readable_by): one query."""
        query = _readers(select(cls).options(joinedload(cls.board)), room_id, user_id)
        return db.session.scalar(query)

    @classmethod
    def readable_ids(cls, room_ids: Collection[int], user_id: int) -> set[int]:
        """Which of these rooms the user may read (readable_by), in one query."""
        if not room_ids:
            return set()
        query = _readable(select(cls.id), user_id).where(cls.id.in_(room_ids))
        return set(db.session.scalars(query))

    @classmethod
    def searchable_ids(cls, user_id: int):
        """A SELECT (a subquery: nothing loaded) of the rooms search looks in: those the user
        may read (readable_by) and the open rooms of their boards (joinable, read first)."""
        joined = _readable(select(cls.id), user_id)
        previewed = (
            select(cls.id)
            .join(Membership, Membership.board_id == cls.board_id)
            .where(cls.kind == OPEN, Membership.user_id == user_id)
        )
        return joined.union(previewed)

    def readable_by(self, user: User) -> bool:
        """Only members of the room who are still on the board read or post in it; a direct
        message's members read it."""
        return self.is_member(user) and (self.board is None or self.board.is_member(user))

    def can_manage(self, user: User) -> bool:
        """A direct message has no managers: its people are the conversation."""
        return self.board is not None and may_manage(
            user.id, self.created_by_id, self.board.owner_id
        )

    def title_for(self, user: User) -> str:
        """The room's name as this user sees it: "#general", or a direct message's other
        people."""
        if not self.is_direct:
            return f"#{self.name}"
        return direct_title([u.display_name or u.username for u in self.members if u.id != user.id])

    def member_count(self) -> int:
        query = (
            select(func.count()).select_from(room_members).where(room_members.c.room_id == self.id)
        )
        return db.session.scalar(query)


def _insert_missing(table: Table):
    """An INSERT of rows that skips those already there (the primary key's conflict): two
    requests adding the same person at once add them once, without an error."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def may_manage(user_id: int, created_by_id: int | None, board_owner_id: int | None) -> bool:
    """The room's creator and the board's owner manage its members and whether it is open.
    A direct message (no board) has no managers."""
    return board_owner_id is not None and user_id in (created_by_id, board_owner_id)


def room_key(name: str) -> str:
    return name_key(name)[:NAME_KEY_LENGTH]


def _by_name(user: User) -> str:
    return user.username_key


def direct_key(user_ids) -> str:
    """The key of a set of people's direct message: their distinct ids, sorted."""
    return ".".join(str(i) for i in sorted(set(user_ids)))


# Between the names _others aggregates: a unit separator, which display names cannot hold
# (people.clean_display_name splits on whitespace, which includes it) nor usernames.
NAMES_APART = "\x1f"


def direct_title(names: list[str]) -> str:
    """A direct message as one of its people sees it: the others' names, sorted."""
    return ", ".join(sorted(names, key=str.casefold)) or "Just you"


def _readers(query, room_id, user_id):
    """`query` (of chat_rooms) narrowed to the room if the user may read it: a member of the
    room who is still on its board, or a member of a direct message, which has no board
    (ChatRoom.readable_by)."""
    return _readable(query, user_id).where(ChatRoom.__table__.c.id == room_id)


def _readable(query, user_id):
    """`query` (of chat_rooms) narrowed to the rooms the user may read (see _readers)."""
    rooms, memberships = ChatRoom.__table__, Membership.__table__
    return (
        query.join_from(rooms, room_members, room_members.c.room_id == rooms.c.id)
        .outerjoin(
            memberships,
            (memberships.c.board_id == rooms.c.board_id)
            & (memberships.c.user_id == room_members.c.user_id),
        )
        .where(
            room_members.c.user_id == user_id,
            or_(rooms.c.board_id.is_(None), memberships.c.user_id.is_not(None)),
        )
    )


# models/message.py imports this module: its table, as far as rooms need it.
_messages = table("chat_messages", column("id"), column("room_id"), column("created_at", DateTime))
