"""Who is typing in a room, as kept in Redis: a hash per room (user → expiry), so every
process agrees and a crashed one's entries run out. Written by chat/typing.py (which decides
when), read by chat/room_diffs.py (which sends it): both depend on this, neither on the other."""

import time

from flask import current_app

from taskflow.realtime import topics
from taskflow.tolerant import tolerant

TTL = 5.0  # seconds a name shows without a new keystroke


def _key(room_id: int) -> str:
    return f"taskflow:typing:{topics.room(room_id)}"


@tolerant({})
def typing_until(room_id: int) -> dict[int, float]:
    """Who is typing now, and until when (a Unix time)."""
    now = time.time()
    entries = current_app.redis.hgetall(_key(room_id))
    return {int(u): float(expires) for u, expires in entries.items() if float(expires) > now}


@tolerant(None)
def record(room_id: int, user_id: int) -> None:
    current_app.redis.hset(_key(room_id), str(user_id), time.time() + TTL)


@tolerant(False)
def forget(room_id: int, user_id: int) -> bool:
    """Whether the user was shown typing (whether the others need an update)."""
    return bool(current_app.redis.hdel(_key(room_id), str(user_id)))
