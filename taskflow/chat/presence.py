"""Who is online in a room, kept in Redis so every web process agrees.

One sorted-set entry per open socket ("user:socket"), scored by when it expires; sockets
refresh theirs while idle, so a crashed process's entries simply run out. A user with two tabs
has two entries and counts once."""

import time

from flask import current_app

from taskflow.tolerant import tolerant

PRESENCE_TTL = 60.0


def _presence_key(topic: str) -> str:
    return f"taskflow:presence:{topic}"


@tolerant(None)
def join(redis, topic: str, user_id: int, socket_id: int) -> None:
    """Mark a socket present; called again while it is idle to keep it so."""
    redis.zadd(_presence_key(topic), {f"{user_id}:{socket_id}": time.time() + PRESENCE_TTL})


@tolerant(None)
def leave(topic: str, user_id: int, socket_id: int) -> None:
    current_app.redis.zrem(_presence_key(topic), f"{user_id}:{socket_id}")


@tolerant(set())
def online(topic: str) -> set[int]:
    key = _presence_key(topic)
    now = time.time()
    pipe = current_app.redis.pipeline(transaction=False)  # one round trip
    pipe.zremrangebyscore(key, "-inf", now).zrangebyscore(key, now, "+inf")
    _, entries = pipe.execute()
    return {int(entry.split(b":")[0]) for entry in entries}
