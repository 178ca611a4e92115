from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    Row,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    case,
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
    # latest page of messages (chat.service.latest_messages_html) is keyed by it too.
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

    @classmethod
    def listed(cls, board: Board, user: User, offset: int = 0, limit: int = 50) -> list[Row]:
        """A page of the board's rooms this user may see (theirs, and the open ones), by
        name, each with whether they are in it, its member count and its last message's
        time: the board's list of rooms, in one query whatever the number of rooms (counted
        in SQL, never a query per room). Rows: room, joined, members, last_message_at."""
        joined = (
            select(room_members.c.user_id)
            .where(room_members.c.room_id == cls.id, room_members.c.user_id == user.id)
            .exists()
        )
        members = (
            select(func.count())
            .select_from(room_members)
            .where(room_members.c.room_id == cls.id)
            .scalar_subquery()
        )
        last = select(func.max(_messages.c.created_at)).where(_messages.c.room_id == cls.id)
        query = (
            select(
                cls.__table__,
                joined.label("joined"),
                members.label("members"),
                last.scalar_subquery().label("last_message_at"),
            )
            .where(cls.board_id == board.id, or_(cls.kind == OPEN, joined))
            .order_by(cls.name_key, cls.id)
            .offset(offset)
            .limit(limit)
        )
        return db.session.execute(query).all()

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
    def members_page(room_id: int, offset: int, limit: int) -> list[User]:
        """`limit` of the room's members by name, from `offset` (the members page)."""
        query = (
            select(User)
            .join(room_members, room_members.c.user_id == User.id)
            .where(room_members.c.room_id == room_id)
            .order_by(User.username_key)
            .offset(offset)
            .limit(limit)
        )
        return list(db.session.scalars(query))

    @staticmethod
    def addable(room_id: int, board_id: int, limit: int) -> list[User]:
        """The first `limit` of the board's members not in the room, by name."""
        inside = select(room_members.c.user_id).where(room_members.c.room_id == room_id)
        query = (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.board_id == board_id, User.id.not_in(inside))
            .order_by(User.username_key)
            .limit(limit)
        )
        return list(db.session.scalars(query))

    @staticmethod
    def members_named(room_id: int, keys: Collection[str]) -> list[User]:
        """The room's members whose username keys are among `keys` (the people a text's
        @words may name): a mention loads them, not the room's whole membership."""
        if not keys:
            return []
        query = (
            select(User)
            .join(room_members, room_members.c.user_id == User.id)
            .where(room_members.c.room_id == room_id, User.username_key.in_(keys))
        )
        return list(db.session.scalars(query))

    @staticmethod
    def members_starting(room_id: int, prefix: str, limit: int) -> list[User]:
        """The first `limit` of the room's members, by name, whose username key starts with
        `prefix` (@mention autocomplete): filtered and cut in SQL, so a big room loads no
        more people than a small one."""
        query = (
            select(User)
            .join(room_members, room_members.c.user_id == User.id)
            .where(
                room_members.c.room_id == room_id,
                User.username_key.startswith(prefix, autoescape=True),
            )
            .order_by(User.username_key)
            .limit(limit)
        )
        return list(db.session.scalars(query))

    @staticmethod
    def outsiders_named(room_id: int, board_id: int, keys: Collection[str]) -> list[User]:
        """The board's members not in the room whose username keys are among `keys` (the
        sender is told they were not notified)."""
        if not keys:
            return []
        inside = select(room_members.c.user_id).where(room_members.c.room_id == room_id)
        query = (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.board_id == board_id,
                User.username_key.in_(keys),
                User.id.not_in(inside),
            )
        )
        return list(db.session.scalars(query))

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
    def directs_of(user_id: int, offset: int = 0, limit: int | None = None) -> list["RoomLink"]:
        """The user's direct messages, the latest active first, as (id, name, kind, title)
        rows: `title` is the other people's names (one query); `limit` of them from
        `offset` (a page of /direct), or all."""
        query = _DIRECTS_OF if limit is None else _DIRECTS_OF.offset(offset).limit(limit)
        return _titled(db.session.execute(query, {"user_id": user_id}).all())

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

    @staticmethod
    def first_of_boards(user_id: int, limit: int = SIDEBAR_ROOMS) -> dict[int, list["RoomLink"]]:
        """The first `limit` rooms by name that the user is in on each of their boards, by
        board id (the notification center), in one query: a window numbers each board's
        rows, so neither many boards nor many rooms add a query."""
        place = func.row_number().over(partition_by=_rooms.c.board_id, order_by=_rooms.c.name_key)
        mine = select(Membership.board_id).where(Membership.user_id == user_id)
        links = (
            _room_links(_rooms.c.board_id.in_(mine))
            .add_columns(_rooms.c.board_id, _rooms.c.name_key, place.label("place"))
            .subquery()
        )
        query = (
            select(links.c.id, links.c.name, links.c.kind, links.c.others, links.c.board_id)
            .where(links.c.place <= limit)
            .order_by(links.c.board_id, links.c.name_key)
        )
        found: dict[int, list[RoomLink]] = {}
        for row in db.session.execute(query, {"user_id": user_id}):
            found.setdefault(row.board_id, []).extend(_titled([row]))
        return found

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
    def page_view(cls, room_id: int, user_id: int) -> Row | None:
        """What the room page shows of the room and its board, if the user may read it (the
        rule of `readable`): one row of plain columns, the hot path of every room page."""
        return db.session.execute(_PAGE_VIEW, {"room_id": room_id, "user_id": user_id}).first()

    @staticmethod
    def names_of_member(
        board_id: int | None,
        user_id: int,
        rooms: int = SIDEBAR_ROOMS,
        directs: int = SIDEBAR_DIRECTS,
    ) -> list["RoomLink"]:
        """The room page's list of rooms, in one query: the first `rooms` by name of the
        board's rooms the user is in (none for a direct message's page), then the first
        `directs` of the user's direct messages, as (id, name, kind, title) rows: `title`
        is a direct message's other people's names. Bounded: being put in many rooms
        does not lengthen every room page (it links to all of them)."""
        params = {"board_id": board_id, "user_id": user_id, "rooms": rooms, "directs": directs}
        return _titled(db.session.execute(_NAMES_OF_MEMBER, params).all())

    @staticmethod
    def direct_titles(room_ids: Collection[int], user_id: int) -> dict[int, str]:
        """These direct messages as the user sees them (direct_title of the others' shown
        names), in one query."""
        if not room_ids:
            return {}
        query = select(_rooms.c.id, _others().label("others")).where(_rooms.c.id.in_(room_ids))
        rows = db.session.execute(query, {"user_id": user_id})
        return {row.id: direct_title((row.others or "").split(NAMES_APART)) for row in rows}

    @staticmethod
    def member_names(room_id: int, limit: int | None = None) -> tuple[list[Row], int]:
        """The room's members as (id, username, display_name) rows by name, at most `limit`
        of them, and how many there are in all (one query)."""
        query, params = _MEMBERS, {"room_id": room_id}
        if limit is not None:
            query, params["limit"] = _FIRST_MEMBERS, limit
        rows = db.session.execute(query, params).all()
        return rows, rows[0].total if rows else 0

    @staticmethod
    def member_settings(room_id: int, user_ids: list[int]) -> dict[int, tuple[str, int]]:
        """Each of these members' (level, last_read_id) in the room (one query)."""
        if not user_ids:
            return {}
        query = select(
            room_members.c.user_id, room_members.c.level, room_members.c.last_read_id
        ).where(room_members.c.room_id == room_id, room_members.c.user_id.in_(user_ids))
        return {row.user_id: (row.level, row.last_read_id) for row in db.session.execute(query)}

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


class RoomLink(NamedTuple):
    """A room as a list of rooms links to it."""

    id: int
    name: str
    kind: str
    title: str  # "#general", or a direct message's other people's names


def _titled(rows: list[Row]) -> list[RoomLink]:
    """Rows of (id, name, kind, others) as RoomLinks: `others` is a direct message's other
    people's names as the query aggregated them, in no particular order."""
    return [
        RoomLink(
            row.id,
            row.name,
            row.kind,
            direct_title((row.others or "").split(NAMES_APART))
            if row.kind == DIRECT
            else f"#{row.name}",
        )
        for row in rows
    ]


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


# The room page's statements, built once: plain columns (no ORM entities to build) and bound
# parameters, so a page view neither constructs nor compiles a query.
_rooms, _boards, _users = ChatRoom.__table__, Board.__table__, User.__table__
# models/message.py imports this module: its table, as far as the room lists need it.
_messages = table("chat_messages", column("id"), column("room_id"), column("created_at", DateTime))
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
        _rooms.c.kind,
        _boards.c.name.label("board_name"),
        _boards.c.owner_id.label("board_owner_id"),
        # The viewer's read position and level (chat/unread.py), and the room's newest
        # message (an index lookup): the "New" divider and marking read start from these.
        room_members.c.last_read_id,
        room_members.c.level,
        select(func.max(_messages.c.id))
        .where(_messages.c.room_id == _rooms.c.id)
        .scalar_subquery()
        .label("latest_id"),
    ).outerjoin_from(_rooms, _boards, _boards.c.id == _rooms.c.board_id),
    bindparam("room_id"),
    bindparam("user_id"),
)


def _others(room_id=_rooms.c.id):
    """A direct message's other people's names as shown (people.shown_name), separated by
    NAMES_APART (which no name holds): a correlated subquery of the room lists, to be run
    for the rows a list keeps only (it reads every member of the room)."""
    others = room_members.alias("others")
    shown = func.coalesce(_users.c.display_name, _users.c.username)
    return (
        select(func.aggregate_strings(shown, NAMES_APART))
        .join(others, others.c.user_id == _users.c.id)
        .where(others.c.room_id == room_id, others.c.user_id != bindparam("user_id"))
        .scalar_subquery()
    )


def _activity():
    """A room's latest message id, 0 without one (an index lookup): direct messages are
    listed the latest active first. A direct message's seq moves with every message, but
    seqs of different rooms do not compare; its latest message's id does."""
    return (
        select(func.coalesce(func.max(_messages.c.id), 0))
        .where(_messages.c.room_id == _rooms.c.id)
        .scalar_subquery()
    )


def _room_links(where):
    """(id, name, kind, others) of the rooms `where` picks that the user is in."""
    others = case((_rooms.c.kind == DIRECT, _others()), else_=None).label("others")
    return (
        select(_rooms.c.id, _rooms.c.name, _rooms.c.kind, others)
        .join(room_members, room_members.c.room_id == _rooms.c.id)
        .where(room_members.c.user_id == bindparam("user_id"), where)
    )


def _first_of_each_kind():
    """The board's rooms the user is in, the first `rooms` by name, then their direct
    messages, the latest active `directs` (as /direct lists them): a window numbers each
    kind's rows. The other people's names are aggregated in the outer select, for the rows
    kept only: inside the window they were aggregated for every direct message of the user."""
    is_direct = _rooms.c.kind == DIRECT
    activity = case((is_direct, _activity()), else_=0)
    order = (activity.desc(), _rooms.c.name_key, _rooms.c.id.desc())
    place = func.row_number().over(partition_by=is_direct, order_by=order)
    links = (
        select(
            _rooms.c.id,
            _rooms.c.name,
            _rooms.c.kind,
            _rooms.c.name_key,
            activity.label("activity"),
            place.label("place"),
        )
        .join(room_members, room_members.c.room_id == _rooms.c.id)
        .where(
            room_members.c.user_id == bindparam("user_id"),
            or_(_rooms.c.board_id == bindparam("board_id"), is_direct),
        )
        .subquery()
    )
    shown = case(
        (links.c.kind == DIRECT, links.c.place <= bindparam("directs")),
        else_=links.c.place <= bindparam("rooms"),
    )
    others = case((links.c.kind == DIRECT, _others(links.c.id)), else_=None).label("others")
    return (
        select(links.c.id, links.c.name, links.c.kind, others)
        .where(shown)
        .order_by(
            links.c.kind == DIRECT, links.c.activity.desc(), links.c.name_key, links.c.id.desc()
        )
    )


_NAMES_OF_MEMBER = _first_of_each_kind()
_DIRECTS_OF = _room_links(_rooms.c.kind == DIRECT).order_by(_activity().desc(), _rooms.c.id.desc())
_MEMBERS = (
    select(
        _users.c.id,
        _users.c.username,
        _users.c.display_name,
        # Counted apart (once per statement, on the primary key's index): a window count
        # over the join would read and sort every member to show the first few.
        select(func.count())
        .select_from(room_members)
        .where(room_members.c.room_id == bindparam("room_id"))
        .scalar_subquery()
        .label("total"),
    )
    .join(room_members, room_members.c.user_id == _users.c.id)
    .where(room_members.c.room_id == bindparam("room_id"))
    .order_by(_users.c.username_key)
)
_FIRST_MEMBERS = _MEMBERS.limit(bindparam("limit"))
