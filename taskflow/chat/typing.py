"""Who is typing in a room: all of it here.

A page sends "typing" at most once a second while its user types (an htmx ws-send with a
throttled trigger) and "stop_typing" on Esc, on blur and by sending. The server records at
most one update per user and room a second, keeps who types in a Redis hash (user → expiry,
so every process agrees and a crashed one's entries run out), and marks the typist changed:
the room's next diff frame (chat/room_diffs.py, at most one a second per room) carries that
typist's line with how long it lasts, or its end. Each page drops a name by itself after
that many seconds unless a newer update repeats it, so no timer or expiry event is needed."""

from flask import current_app

from taskflow.chat import room_diffs, typists
from taskflow.realtime import topics
from taskflow.tolerant import tolerant

TTL = typists.TTL
RELAY_MS = 1000  # at most one typing update per user per room per second


def started(room_id: int, user_id: int) -> bool:
    """The user typed: show it, unless they were shown less than a second ago. Whether it
    was relayed."""
    if not _may_relay(room_id, user_id):
        return False
    typists.record(room_id, user_id)
    room_diffs.changed(room_id, room_diffs.TYPING, user_id)
    return True


def stopped(room_id: int, user_id: int) -> None:
    """The user stopped (sent, left, pressed Esc): the others are told if they saw it."""
    if typists.forget(room_id, user_id):
        room_diffs.changed(room_id, room_diffs.TYPING, user_id)


@tolerant(True)
def _may_relay(room_id: int, user_id: int) -> bool:
    """The first frame in each second is recorded, the others dropped (each costs Redis
    work, and a page sends one a second anyway). One key per user and room, set only if
    absent, gone after a second: every process agrees."""
    key = f"taskflow:typing-relay:{topics.room(room_id)}:{user_id}"
    return bool(current_app.redis.set(key, b"1", nx=True, px=RELAY_MS))
