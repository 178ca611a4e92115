"""Each member's unread state per room, read below the areas: the rooms' links (the board's
rooms, the room page's sidebar, the navigation's direct messages) and every page's socket
show it, whichever area the page belongs to. The rules are chat/unread.py's, where the state
changes (read positions, levels, a new message's activity)."""

from collections.abc import Callable, Iterable

from sqlalchemy import Row, bindparam, func, literal_column, or_, select
from sqlalchemy.exc import OperationalError

from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, room_reads
from taskflow.models.notification import message_mentions
from taskflow.models.room import DIRECT, LATEST_DIRECTS, room_members
from taskflow.realtime import fragments, topics
from taskflow.realtime.broadcaster import text_frame
from taskflow.realtime.connection import access_ended

LIMIT = 100  # counted at most: shown as "99+"

# -- reading the state ------------------------------------------------------------------


def _unread_by_others(members, messages) -> tuple:
    """A member's unread messages of the room: after their read position, not deleted, not
    their own."""
    return (
        messages.c.room_id == members.c.room_id,
        messages.c.id > members.c.last_read_id,
        messages.c.deleted_at.is_(None),
        or_(messages.c.author_id.is_(None), messages.c.author_id != members.c.user_id),
    )


def _unread_mentions(members, messages, unread_by_others: tuple):
    """The member's unread mentions of the room (capped at LIMIT), correlated to the row."""
    mentioned = message_mentions.join(messages, messages.c.id == message_mentions.c.message_id)
    return (
        select(literal_column("1"))
        .select_from(mentioned)
        .where(
            message_mentions.c.user_id == members.c.user_id,
            message_mentions.c.message_id > members.c.last_read_id,
            *unread_by_others,
        )
        .limit(LIMIT)
        .correlate(members)
    )


def _state_query():
    """Each of the user's rooms with their read position, level, newest message id, unread
    messages by others and unread mentions of the user (both capped at LIMIT)."""
    rooms, members, messages = ChatRoom.__table__, room_members, ChatMessage.__table__
    by_others = _unread_by_others(members, messages)
    unread = select(literal_column("1")).where(*by_others).limit(LIMIT).correlate(members)
    mentions = _unread_mentions(members, messages, by_others)
    latest = (
        select(func.max(messages.c.id))
        .where(messages.c.room_id == members.c.room_id)
        .correlate(members)
        .scalar_subquery()
    )

    def count(capped):
        return select(func.count()).select_from(capped.subquery()).scalar_subquery()

    return (
        select(
            rooms.c.id,
            rooms.c.name,
            members.c.last_read_id,
            members.c.level,
            func.coalesce(latest, 0).label("latest_id"),
            count(unread).label("unread"),
            count(mentions).label("mentions"),
        )
        .join(members, members.c.room_id == rooms.c.id)
        .where(members.c.user_id == bindparam("user_id"))
        .order_by(rooms.c.name_key)
    )


_STATES = _state_query()
_OF_BOARD = _STATES.where(ChatRoom.__table__.c.board_id == bindparam("board_id"))
# The latest active first, as room_reads.directs_of orders them (their latest message's id),
# the first LATEST_DIRECTS of them.
_OF_LATEST_DIRECTS = (
    _STATES.where(ChatRoom.__table__.c.kind == DIRECT)
    .order_by(None)
    .order_by(literal_column("latest_id").desc(), ChatRoom.__table__.c.id.desc())
    .limit(LATEST_DIRECTS)
)
_OF_ROOMS = _STATES.where(ChatRoom.__table__.c.id.in_(bindparam("room_ids", expanding=True)))


def of_board(board_id: int, user_id: int) -> list[Row]:
    """The user's rooms of a board, by name, each with its unread state (one query):
    id, name, last_read_id, level, latest_id, unread, mentions."""
    return db.session.execute(_OF_BOARD, {"board_id": board_id, "user_id": user_id}).all()


def of_rooms(room_ids: Iterable[int], user_id: int) -> list[Row]:
    """As of_board, for the rooms given that the user is in (direct messages, say)."""
    room_ids = list(room_ids)
    if not room_ids:
        return []
    return db.session.execute(_OF_ROOMS, {"room_ids": room_ids, "user_id": user_id}).all()


def directs_unread(user_id: int) -> tuple[list[Row], int]:
    """The navigation's link to direct messages: the user's latest active direct messages
    (LATEST_DIRECTS of them) with their states (one query), and the sum of what they show.
    A message in an older one makes it the latest active: the next page counts it."""
    read = lambda: db.session.execute(_OF_LATEST_DIRECTS, {"user_id": user_id})  # noqa: E731
    return _with_total(_or_none(read))


def counted_directs(user_id: int) -> list[int]:
    """The direct messages the navigation counts (directs_unread), the latest active first:
    every page's socket follows these and starts from their counts, so the count stays live
    whatever the number of conversations (one query, LATEST_DIRECTS rows at most)."""
    return [room.id for room in room_reads.directs_of(user_id, 0, LATEST_DIRECTS)]


def shown_count(level: str, unread: int, mentions: int) -> int:
    """The count a room's link shows (0: not bold), by the member's level."""
    return {"all": unread, "mentions": mentions}.get(level, 0)


def board_unread(board_id: int, user_id: int) -> tuple[list[Row], int]:
    """The board page's link to its rooms: the states, and the sum of what they show."""
    return _with_total(_or_none(lambda: of_board(board_id, user_id)))


def _with_total(states: list[Row]) -> tuple[list[Row], int]:
    return states, sum(shown_count(s.level, s.unread, s.mentions) for s in states)


def _or_none(read: Callable[[], Iterable[Row]]) -> list[Row]:
    """A link's count, or none when the messages are briefly unavailable (a lock held past
    DB_LOCK_TIMEOUT_MS): every page's navigation shows one, and a count must not take the
    page (or the 503 page that says the database is away) down with it. In PostgreSQL the
    failed read is undone to a savepoint, so the page's transaction goes on; SQLite's
    readers are never locked out (WAL)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return list(read())
    try:
        with db.session.begin_nested():
            return list(read())
    except OperationalError:
        return []


# -- what pages receive -----------------------------------------------------------------


def state_html(states: Iterable[Row]) -> str:
    """Rooms' states for unread.js, which applies them to the links it shows (a catch-up,
    or one room changed by the user's own action): one user's, sent to that user only."""
    return fragments.render("chat/_unread_states.html", states=list(states))


def state_frames(user_id: int, room_ids: Iterable[int]) -> list[bytes]:
    """A (re)connecting page's counts of the rooms it lists, as they are now (its catch-up).

    The page listed them at its handshake and follows them since: a room the user is no
    longer in was left in between, and the end of access, published then, did not reach the
    socket. It is published again now, when it does (the socket follows the user's stream)."""
    room_ids = list(room_ids)
    states = of_rooms(room_ids, user_id)
    for room_id in set(room_ids) - {state.id for state in states}:
        access_ended(user_id, topics.room(room_id))
    return [text_frame(state_html(states))] if states else []


def activity_follows(room_ids: Iterable[int]) -> dict[str, tuple[str]]:
    """What a page that lists these rooms follows to count their new messages, each because
    of its room (connection.serve's `because`): when the user's access to a room ends (a
    removal, leaving a direct message), every page of theirs stops following its activity."""
    return {topics.room(room_id): (topics.room_activity(room_id),) for room_id in room_ids}
