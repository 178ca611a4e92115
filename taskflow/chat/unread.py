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

from collections.abc import Iterable

from markupsafe import Markup
from sqlalchemy import case, func, or_, select, update

from taskflow.extensions import db
from taskflow.models import ChatMessage
from taskflow.models.room import LEVELS, room_members
from taskflow.notifications import service as notifications
from taskflow.realtime import topics
from taskflow.realtime.after_commit import broadcast
from taskflow.unread_states import (  # noqa: F401 (read here by the chat's routes and sockets)
    LIMIT,
    activity_follows,
    board_unread,
    counted_directs,
    directs_unread,
    of_board,
    of_rooms,
    shown_count,
    state_frames,
    state_html,
)

# Set by unread.js on every page: a room page requested with it marks nothing read when it
# loads (it is read once seen), one without it was loaded without JavaScript (read at once).
JS_COOKIE = "js"


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
