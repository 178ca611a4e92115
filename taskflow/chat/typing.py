"""Who is typing in a room: all of it here.

A page sends "typing" at most once a second while its user types (an htmx ws-send with a
throttled trigger) and "stop_typing" on Esc, on blur and by sending. The server relays at most
one update per user and room a second, keeps who types in a Redis hash (user → expiry, so
every process agrees and a crashed one's entries run out), and publishes the names with how
long they last: each page drops a name by itself after TTL seconds unless a newer update
repeats it, so no timer or expiry event is needed."""

import time

from flask import current_app

from taskflow.chat.presence import tolerant
from taskflow.extensions import broadcaster, db
from taskflow.models import User
from taskflow.realtime import fragments, topics

TTL = 5.0  # seconds a name shows without a new keystroke
RELAY_MS = 1000  # at most one typing update per user per room per second


def started(room_id: int, user_id: int) -> bool:
    """The user typed: show it, unless they were shown less than a second ago. Whether it
    was relayed."""
    if not _may_relay(room_id, user_id):
        return False
    _record(room_id, user_id)
    publish(room_id)
    return True


def stopped(room_id: int, user_id: int) -> None:
    """The user stopped (sent, left, pressed Esc): the others are told if they saw it."""
    if _forget(room_id, user_id):
        publish(room_id)


def publish(room_id: int) -> None:
    """Who is typing now, with how long each name lasts (data-expires-in)."""
    users = [db.session.get(User, user_id) for user_id in sorted(typists(room_id))]
    html = fragments.render("chat/_typing.html", users=[u for u in users if u], ttl=TTL, oob=True)
    broadcaster.publish(topics.room(room_id), html)


@tolerant(set())
def typists(room_id: int) -> set[int]:
    now = time.time()
    entries = current_app.redis.hgetall(_key(room_id))
    return {int(user) for user, expires in entries.items() if float(expires) > now}


def _key(room_id: int) -> str:
    return f"taskflow:typing:{topics.room(room_id)}"


@tolerant(True)
def _may_relay(room_id: int, user_id: int) -> bool:
    """The first frame in each second is relayed, the others dropped (more would be pushed
    onto every member). One key per user and room, set only if absent, gone after a second:
    every process agrees."""
    key = f"taskflow:typing-relay:{topics.room(room_id)}:{user_id}"
    return bool(current_app.redis.set(key, b"1", nx=True, px=RELAY_MS))


@tolerant(None)
def _record(room_id: int, user_id: int) -> None:
    current_app.redis.hset(_key(room_id), str(user_id), time.time() + TTL)


@tolerant(False)
def _forget(room_id: int, user_id: int) -> bool:
    """Whether the user was shown typing (whether the others need an update)."""
    return bool(current_app.redis.hdel(_key(room_id), str(user_id)))
