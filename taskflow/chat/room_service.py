"""Changes of rooms and their members: each is one call that checks the rule (raising
`Refused` with the reason and the HTTP status the route answers with), writes, declares what
it broadcasts through realtime.after_commit (the room's member list, the sockets whose access
ends) and commits. Routes (rooms.py, membership.py, direct.py) parse, call one of these and
render; the demo and chat commands call the same."""

from collections.abc import Callable

from flask import current_app
from sqlalchemy import delete, exists, or_, select
from sqlalchemy.exc import IntegrityError

from taskflow import security
from taskflow.chat import presence
from taskflow.chat.render import members_html
from taskflow.extensions import db
from taskflow.models import Board, ChatRoom, User
from taskflow.models.board import Membership
from taskflow.models.room import MAX_DIRECT_PEOPLE, OPEN, PRIVATE, room_members
from taskflow.names import name_key
from taskflow.realtime import connection as live
from taskflow.realtime import topics
from taskflow.realtime.after_commit import broadcast


class Refused(Exception):
    """Why a change is refused, said to the user as it is, and the status to say it with."""

    def __init__(self, reason: str, status: int = 422) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


TOO_FAST = "You created many rooms in a short time. Wait a little, then try again."
LAST_MEMBER = "You are the last member of this private room: delete it instead."


def _members_change(room_id: int):
    """Read who is online now, before the change writes (in SQLite a Redis round trip inside
    the write transaction would hold the database's one write lock across a gevent switch);
    the returned call declares the room's member list for every page of it, rendered as it
    is at commit (bounded: chat.render.members_html), published after it."""
    topic = topics.room(room_id)
    online = presence.online(topic)
    return lambda: broadcast(topic, lambda: members_html(room_id, online), key=("members", room_id))


def create_room(
    board: Board, name: str, description: str, creator: User, kind: str, members: list[int]
) -> ChatRoom:
    """A new room of the board with these members (each once) and its creator. The board's
    first room is open whatever `kind` says: everyone finds it."""
    if ChatRoom.name_taken(board, name):
        raise Refused("This board already has a room with that name.")
    cap = current_app.config["ROOMS_PER_BOARD"]
    if ChatRoom.count_of_board(board.id) >= cap:
        raise Refused(f"This board already has {cap} rooms, as many as it may: delete one first.")
    if not security.count("ROOM_LIMIT_PER_USER", "room", str(creator.id)):
        raise Refused(TOO_FAST, 429)  # counted only for a room that is made
    first = not ChatRoom.has_rooms(board)
    room = ChatRoom(board, name, description, creator, kind=OPEN if first else kind)
    db.session.add(room)
    db.session.flush()
    ChatRoom.add_members(room.id, members)
    db.session.commit()
    return room


def add_member(room: ChatRoom, user: User) -> None:
    """Add a board member to the room (someone already in: nothing changes): one row,
    whatever the room's size, and the room's pages get the member list."""
    declare = _members_change(room.id)
    if ChatRoom.add_members(room.id, [user.id]):
        declare()
    db.session.commit()


def join(room: ChatRoom, user: User) -> None:
    """Join an open room (ChatRoom.joinable found it); limited like a message, since every
    page of the room gets the new member list. Two tabs joining at once add the user once."""
    if room.is_member(user):
        return
    if not security.may_send_message(user.id):
        raise Refused(security.SLOW_DOWN, 429)
    add_member(room, user)


# A new member of a board is put in its open rooms, up to this many (the oldest first: the
# board's first room is open, its "#general"); the others are a Join away.
OPEN_ROOMS_JOINED = 20


def joining_open_rooms(board_id: int) -> Callable[[int], None]:
    """For a user joining the board (boards/invitation_service.join_board): the board's open
    rooms and who is online in each are read now, before the caller writes; the call returned
    puts the user in them and declares each one's member list. The caller commits."""
    declares = {
        room_id: _members_change(room_id)
        for room_id in ChatRoom.first_open(board_id, OPEN_ROOMS_JOINED)
    }

    def join(user_id: int) -> None:
        for room_id, declare in declares.items():
            if ChatRoom.add_members(room_id, [user_id]):
                declare()

    return join


def remove_member(room: ChatRoom, user: User) -> None:
    """A manager removes a member: their open pages of the room close on every process."""
    declare = _members_change(room.id)
    ChatRoom.remove_members(room.id, [user.id])
    live.end_access(user.id, topics.room(room.id))
    declare()
    db.session.commit()


def leave(room: ChatRoom, user: User) -> None:
    """Leave a room of a board; the last member of a private room deletes it instead
    (nobody could find it again: it would be lost with its messages)."""
    if is_last_member(room):
        raise Refused(LAST_MEMBER)
    remove_member(room, user)


def is_last_member(room: ChatRoom) -> bool:
    return room.kind == PRIVATE and room.member_count() == 1


def leave_direct(room: ChatRoom, user: User) -> None:
    """Leave a direct message. The others keep it, without the leaver: it loses its key, so
    writing to the same people again starts a new conversation, and the last one out
    deletes it with its messages. The leaver's open pages of it close on every process."""
    room_id = room.id
    declare = _members_change(room_id)
    ChatRoom.remove_members(room_id, [user.id])
    live.end_access(user.id, topics.room(room_id))
    room.direct_key = None  # no longer these people's conversation
    db.session.commit()
    # Only once the removal is committed: the last two leaving at once would each count the
    # other (not committed yet) and neither would delete it. Whichever commits last finds
    # no member here, in one statement.
    if _delete_if_empty(room_id):
        live.end_scope(topics.room(room_id))
    elif db.session.get(ChatRoom, room_id) is not None:
        declare()  # the others see the leaver gone
    db.session.commit()


def _delete_if_empty(room_id: int) -> bool:
    """Delete the room (its messages go with it) if nobody is in it; whether it was."""
    nobody = ~exists().where(room_members.c.room_id == room_id)
    gone = delete(ChatRoom).where(ChatRoom.id == room_id, nobody)
    return db.session.execute(gone.execution_options(synchronize_session=False)).rowcount > 0


def delete_room(room: ChatRoom) -> None:
    """Delete a room with its messages; its open pages close on every process."""
    room_id = room.id
    db.session.delete(room)
    live.end_scope(topics.room(room_id))
    db.session.commit()


def set_visibility(room: ChatRoom, kind: str) -> None:
    """Open or private; made private, the pages of it read by board members who had not
    joined it (a preview) close on every process."""
    room.kind = kind
    if kind == PRIVATE:
        live.end_scope(topics.room_preview(room.id))
    db.session.commit()


# ---- Direct messages: one conversation per set of people who share a board.

STRANGERS = "You can write only to people who share a board with you"
TOO_MANY = f"A direct message holds at most {MAX_DIRECT_PEOPLE} people, you included."
NOBODY = "Pick at least one person to write to."
SLOW_DOWN = "You started many conversations in a short time. Wait a little, then try again."


def open_direct(user: User, ids: list[int], usernames: list[str]) -> ChatRoom:
    """The direct message of `user` and the people picked (ids ticked, usernames typed):
    theirs if they have one, else a new one. Refused says why not."""
    people = pick(user, ids, usernames)
    everyone = [user.id, *(p.id for p in people)]
    room = ChatRoom.direct_between(everyone)
    if room is not None:
        return room
    if not security.count("DIRECT_LIMIT_PER_USER", "direct", str(user.id)):
        raise Refused(SLOW_DOWN, 429)
    room = ChatRoom.direct(people, user)
    db.session.add(room)
    try:
        db.session.commit()
    except IntegrityError:  # the same people, opened at the same moment by one of them
        db.session.rollback()
        room = ChatRoom.direct_between(everyone)
        if room is None:
            raise
    return room


def pick(user: User, ids: list[int], names: list[str]) -> list[User]:
    """The people picked besides the user, each once, all of them sharing a board with the
    user. Anyone else, existing or not, gets the same answer: nothing is learnt about
    usernames beyond the boards one is on."""
    names = [n for n in names if name_key(n) != user.username_key]  # oneself: always in
    wanted_ids, wanted_keys = set(ids) - {user.id}, {name_key(n) for n in names}
    if len(wanted_ids) + len(wanted_keys) > 2 * MAX_DIRECT_PEOPLE:
        raise Refused(TOO_MANY)  # before any query: a long list is refused unread
    picked = or_(User.id.in_(wanted_ids), User.username_key.in_(wanted_keys))
    query = select(User).where(User.id.in_(sharing_a_board(user.id)), picked)
    found = list(db.session.scalars(query)) if wanted_ids or wanted_keys else []
    missing_ids = wanted_ids - {u.id for u in found}
    missing_names = [n for n in names if name_key(n) not in {u.username_key for u in found}]
    if missing_ids or missing_names:
        who = ", ".join(missing_names)
        raise Refused(f"{STRANGERS}: {who}." if who else f"{STRANGERS}.")
    if not found:  # one row per user: each is picked once however often it was named
        raise Refused(NOBODY)
    if len(found) + 1 > MAX_DIRECT_PEOPLE:
        raise Refused(TOO_MANY)
    return found


def sharing_a_board(user_id: int):
    """The ids of the members of the user's boards (the user among them), as a subquery."""
    mine = select(Membership.board_id).where(Membership.user_id == user_id)
    return select(Membership.user_id).where(Membership.board_id.in_(mine))
