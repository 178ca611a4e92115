"""What pages read about rooms: the room page's row, the lists of rooms (the board's, the
sidebar's, /direct's, the notification center's), member lists and settings. Apart from the
entity (models/room.py: the room, its members' rows, the rules of reading and managing): these
are read models, plain rows built by statements compiled once."""

from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import Row, bindparam, case, false, func, literal, or_, select, true

from taskflow.extensions import db
from taskflow.models.board import Board, Membership
from taskflow.models.room import (
    ALL,
    DIRECT,
    NAMES_APART,
    OPEN,
    SIDEBAR_DIRECTS,
    SIDEBAR_ROOMS,
    ChatRoom,
    _messages,
    _readers,
    direct_title,
    room_members,
)
from taskflow.models.user import User


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


# The room page's statements, built once: plain columns (no ORM entities to build) and bound
# parameters, so a page view neither constructs nor compiles a query.
_rooms, _boards, _users = ChatRoom.__table__, Board.__table__, User.__table__
# The room's newest message (an index lookup): the "New" divider and marking read start here.
_LATEST = select(func.max(_messages.c.id)).where(_messages.c.room_id == _rooms.c.id)
_ROOM_PAGE = (
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
    _LATEST.scalar_subquery().label("latest_id"),
)
_PAGE_VIEW = _readers(
    # The viewer's read position and level (chat/unread.py).
    select(
        *_ROOM_PAGE, room_members.c.last_read_id, room_members.c.level, true().label("joined")
    ).outerjoin_from(_rooms, _boards, _boards.c.id == _rooms.c.board_id),
    bindparam("room_id"),
    bindparam("user_id"),
)
# An open room of the viewer's boards, read before joining: nothing in it is unread for them.
_PREVIEW_VIEW = (
    select(
        *_ROOM_PAGE,
        func.coalesce(_LATEST.scalar_subquery(), 0).label("last_read_id"),
        literal(ALL).label("level"),
        false().label("joined"),
    )
    .join_from(_rooms, _boards, _boards.c.id == _rooms.c.board_id)
    .join(Membership, Membership.board_id == _rooms.c.board_id)
    .where(_rooms.c.id == bindparam("room_id"), _rooms.c.kind == OPEN)
    .where(Membership.user_id == bindparam("user_id"))
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


def listed(board: Board, user: User, offset: int = 0, limit: int = 50) -> list[Row]:
    """A page of the board's rooms this user may see (theirs, and the open ones), by
    name, each with whether they are in it, its member count and its last message's
    time: the board's list of rooms, in one query whatever the number of rooms (counted
    in SQL, never a query per room). Rows: room, joined, members, last_message_at."""
    joined = (
        select(room_members.c.user_id)
        .where(room_members.c.room_id == ChatRoom.id, room_members.c.user_id == user.id)
        .exists()
    )
    members = (
        select(func.count())
        .select_from(room_members)
        .where(room_members.c.room_id == ChatRoom.id)
        .scalar_subquery()
    )
    last = select(func.max(_messages.c.created_at)).where(_messages.c.room_id == ChatRoom.id)
    query = (
        select(
            ChatRoom.__table__,
            joined.label("joined"),
            members.label("members"),
            last.scalar_subquery().label("last_message_at"),
        )
        .where(ChatRoom.board_id == board.id, or_(ChatRoom.kind == OPEN, joined))
        .order_by(ChatRoom.name_key, ChatRoom.id)
        .offset(offset)
        .limit(limit)
    )
    return db.session.execute(query).all()


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


def directs_of(user_id: int, offset: int = 0, limit: int | None = None) -> list[RoomLink]:
    """The user's direct messages, the latest active first, as (id, name, kind, title)
    rows: `title` is the other people's names (one query); `limit` of them from
    `offset` (a page of /direct), or all."""
    query = _DIRECTS_OF if limit is None else _DIRECTS_OF.offset(offset).limit(limit)
    return _titled(db.session.execute(query, {"user_id": user_id}).all())


def for_board(board: Board) -> list[ChatRoom]:
    return list(
        db.session.scalars(
            select(ChatRoom).where(ChatRoom.board_id == board.id).order_by(ChatRoom.name_key)
        )
    )


def of_member(board: Board, user: User) -> list[ChatRoom]:
    """The rooms of the board this user is in: the only ones they may see at all."""
    query = (
        select(ChatRoom)
        .join(room_members, room_members.c.room_id == ChatRoom.id)
        .where(ChatRoom.board_id == board.id, room_members.c.user_id == user.id)
        .order_by(ChatRoom.name_key)
    )
    return list(db.session.scalars(query))


def first_of_boards(user_id: int, limit: int = SIDEBAR_ROOMS) -> dict[int, list[RoomLink]]:
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


def page_view(room_id: int, user_id: int) -> Row | None:
    """What the room page shows of the room and its board, if the user may read it (the
    rule of `readable`): one row of plain columns, the hot path of every room page."""
    return db.session.execute(_PAGE_VIEW, {"room_id": room_id, "user_id": user_id}).first()


def preview_view(room_id: int, user_id: int) -> Row | None:
    """page_view's row of an open room of the user's boards, not joined (ChatRoom.joinable)."""
    return db.session.execute(_PREVIEW_VIEW, {"room_id": room_id, "user_id": user_id}).first()


def names_of_member(
    board_id: int | None,
    user_id: int,
    rooms: int = SIDEBAR_ROOMS,
    directs: int = SIDEBAR_DIRECTS,
) -> list[RoomLink]:
    """The room page's list of rooms, in one query: the first `rooms` by name of the
    board's rooms the user is in (none for a direct message's page), then the first
    `directs` of the user's direct messages, as (id, name, kind, title) rows: `title`
    is a direct message's other people's names. Bounded: being put in many rooms
    does not lengthen every room page (it links to all of them)."""
    params = {"board_id": board_id, "user_id": user_id, "rooms": rooms, "directs": directs}
    return _titled(db.session.execute(_NAMES_OF_MEMBER, params).all())


def direct_titles(room_ids: Collection[int], user_id: int) -> dict[int, str]:
    """These direct messages as the user sees them (direct_title of the others' shown
    names), in one query."""
    if not room_ids:
        return {}
    query = select(_rooms.c.id, _others().label("others")).where(_rooms.c.id.in_(room_ids))
    rows = db.session.execute(query, {"user_id": user_id})
    return {row.id: direct_title((row.others or "").split(NAMES_APART)) for row in rows}


def member_names(room_id: int, limit: int | None = None) -> tuple[list[Row], int]:
    """The room's members as (id, username, display_name) rows by name, at most `limit`
    of them, and how many there are in all (one query)."""
    query, params = _MEMBERS, {"room_id": room_id}
    if limit is not None:
        query, params["limit"] = _FIRST_MEMBERS, limit
    rows = db.session.execute(query, params).all()
    return rows, rows[0].total if rows else 0


def member_settings(room_id: int, user_ids: list[int]) -> dict[int, tuple[str, int]]:
    """Each of these members' (level, last_read_id) in the room (one query)."""
    if not user_ids:
        return {}
    query = select(room_members.c.user_id, room_members.c.level, room_members.c.last_read_id).where(
        room_members.c.room_id == room_id, room_members.c.user_id.in_(user_ids)
    )
    return {row.user_id: (row.level, row.last_read_id) for row in db.session.execute(query)}
