"""Knowing what is new: each member's read position and notification level per room.

The data: `chat_room_members.last_read_id` (the last message the member has seen; it never
moves backwards) and `level` (models/room.py LEVELS). A room's unread messages are those by
others after the read position, not deleted; counts are capped at LIMIT ("99+"), so a room
never costs more than a LIMITed index range to count, however far behind its reader is.

What makes a room bold (templates/chat/_room_link.html, static/js/unread.js):
- "all": any unread message (the count is of messages);
- "mentions": only an unread message that mentions the member (the count is of those);
- "none": never.

The live path costs nothing per member: a new message publishes one small activity event to
its room's activity topic (`announce`), which the pages that list rooms follow; each page
counts it by itself (unread.js). What changes one member's counts (they read a room in some
tab, they change a level) is sent to their own stream as the room's state (`state_html`), and
every (re)connecting page gets the states of its rooms in its catch-up (`state_frame`), so
counts never drift."""

from collections.abc import Callable, Iterable

from markupsafe import Markup
from sqlalchemy import Row, bindparam, case, func, literal_column, or_, select, update
from sqlalchemy.exc import OperationalError

from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom
from taskflow.models.notification import message_mentions
from taskflow.models.room import DIRECT, LATEST_DIRECTS, LEVELS, room_members
from taskflow.notifications import service as notifications
from taskflow.realtime import fragments, topics
from taskflow.realtime.after_commit import broadcast
from taskflow.realtime.broadcaster import text_frame
from taskflow.realtime.connection import access_ended

LIMIT = 100  # counted at most: shown as "99+"
# Set by unread.js on every page: a room page requested with it marks nothing read when it
# loads (it is read once seen), one without it was loaded without JavaScript (read at once).
JS_COOKIE = "js"


# -- reading the state ------------------------------------------------------------------


def _state_query():
    """Each of the user's rooms with their read position, level, newest message id, unread
    messages by others and unread mentions of the user (both capped at LIMIT)."""
    rooms, members, messages = ChatRoom.__table__, room_members, ChatMessage.__table__
    unread_by_others = (
        messages.c.room_id == members.c.room_id,
        messages.c.id > members.c.last_read_id,
        messages.c.deleted_at.is_(None),
        or_(messages.c.author_id.is_(None), messages.c.author_id != members.c.user_id),
    )
    unread = select(literal_column("1")).where(*unread_by_others).limit(LIMIT).correlate(members)
    mentioned = message_mentions.join(messages, messages.c.id == message_mentions.c.message_id)
    mentions = (
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
# The latest active first, as ChatRoom.directs_of orders them (their latest message's id),
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
    return [room.id for room in ChatRoom.directs_of(user_id, 0, LATEST_DIRECTS)]


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


def first_unread_id(room_id: int, user_id: int, after: int) -> int | None:
    """The first message by others after the read position: where "New" goes."""
    messages = ChatMessage.__table__
    query = select(func.min(messages.c.id)).where(
        messages.c.room_id == room_id,
        messages.c.id > after,
        messages.c.deleted_at.is_(None),
        or_(messages.c.author_id.is_(None), messages.c.author_id != user_id),
    )
    return db.session.execute(query).scalar()


# A list item of its own (no role="separator": an <ol> may only hold list items).
NEW_DIVIDER = Markup(
    '<li id="new-divider" class="new-divider" data-new-divider><span id="new">New</span></li>'
)


def with_divider(messages: Markup, first_unread: int | None) -> Markup:
    """The room's (shared, cached) list with "New" above the first unread message, for one
    viewer: inserted into a copy of the HTML, never into the cached list. When that message
    is older than the page shows, "New" tops the list (more is new above it)."""
    if first_unread is None:
        return messages
    html = str(messages)
    found = html.find(f'id="message-{first_unread}"')
    start = html.rfind("<li", 0, found) if found >= 0 else html.find('<li class="message"')
    if start < 0:
        return messages
    return Markup("".join((html[:start], NEW_DIVIDER, html[start:])))


# -- changing it ------------------------------------------------------------------------


def mark_read(room_id: int, user_id: int, upto: int | None = None) -> bool:
    """Move the user's read position in the room up to message `upto` (the room's newest when
    None; never beyond it, never backwards), mark their mention notifications of the room up
    to there read, and tell their pages. Commits. Whether it moved."""
    messages = ChatMessage.__table__
    newest = func.coalesce(
        select(func.max(messages.c.id)).where(messages.c.room_id == room_id).scalar_subquery(), 0
    )
    target = newest if upto is None else case((newest < upto, newest), else_=upto)
    moved = db.session.execute(
        update(room_members)
        .where(
            room_members.c.room_id == room_id,
            room_members.c.user_id == user_id,
            room_members.c.last_read_id < target,
        )
        .values(last_read_id=target)
    ).rowcount
    if moved:
        position = db.session.execute(
            select(room_members.c.last_read_id).where(
                room_members.c.room_id == room_id, room_members.c.user_id == user_id
            )
        ).scalar_one()
        notifications.read_chat_mentions(user_id, room_id, position)
        _tell_pages(room_id, user_id)
    db.session.commit()
    return bool(moved)


def set_level(room_id: int, user_id: int, level: str) -> None:
    """The member's notification level in the room (one of LEVELS). Commits."""
    if level not in LEVELS:
        raise ValueError(level)
    db.session.execute(
        update(room_members)
        .where(room_members.c.room_id == room_id, room_members.c.user_id == user_id)
        .values(level=level)
    )
    _tell_pages(room_id, user_id)
    db.session.commit()


def _tell_pages(room_id: int, user_id: int) -> None:
    """Once this commits, the user's pages get the room's state as it is then."""
    broadcast(
        topics.user(user_id),
        lambda: state_html(of_rooms([room_id], user_id)),
        key=("unread", room_id, user_id),
    )


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


def announce(message: ChatMessage, mentioned: Iterable[int] = (), deleted: bool = False) -> None:
    """Once the post (or deletion) commits, tell every page that lists the room: one small
    event, the same for everyone (ids only), so the message path does no per-member work."""
    html = _ACTIVITY.format(
        room=int(message.room_id),
        message=int(message.id),
        author=int(message.author_id or 0),
        mentions=" ".join(str(int(i)) for i in mentioned),
        deleted=" data-deleted" if deleted else "",
    )
    broadcast(topics.room_activity(message.room_id), lambda: html)


# Built by hand: it holds integers only, and every message sent renders one.
_ACTIVITY = (
    '<template data-unread-activity data-room="{room}" data-message="{message}"'
    ' data-author="{author}" data-mentions="{mentions}"{deleted}></template>'
)
