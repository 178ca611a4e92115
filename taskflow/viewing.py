"""Who is looking at a room right now: its page open in a visible tab.

A mention that arrives in the room a user is looking at is created already read (their
badge does not rise for what they see arrive). Kept in Redis, one sorted set per room and
user, one entry per socket, scored by when it expires: a room page says when its tab turns
visible or hidden (a socket frame), refreshes while idle, and its entry goes when its socket
closes; a crashed process's entries run out. Two tabs: seen if either is visible."""

import time

from flask import current_app

from taskflow.tolerant import tolerant

VIEWING_TTL = 60.0  # seconds; room sockets refresh theirs while idle (every ping, 25 s)


def _key(room_id: int, user_id: int) -> str:
    return f"taskflow:viewing:{room_id}:{user_id}"


@tolerant(None)
def visible(room_id: int, user_id: int, socket_key: str) -> None:
    """This socket's page shows the room in a visible tab (again: refreshes it)."""
    key = _key(room_id, user_id)
    pipe = current_app.redis.pipeline()
    pipe.zadd(key, {socket_key: time.time() + VIEWING_TTL})
    pipe.expire(key, int(VIEWING_TTL) + 1)
    pipe.execute()


@tolerant(None)
def hidden(room_id: int, user_id: int, socket_key: str) -> None:
    """This socket's page is hidden, or gone."""
    current_app.redis.zrem(_key(room_id, user_id), socket_key)


@tolerant(set())
def viewers(room_id: int, user_ids: list[int]) -> set[int]:
    """Which of these users look at the room now (one round trip)."""
    if not user_ids:
        return set()
    pipe = current_app.redis.pipeline()
    now = time.time()
    for user_id in user_ids:
        pipe.zcount(_key(room_id, user_id), now, "+inf")
    return {user_id for user_id, n in zip(user_ids, pipe.execute(), strict=True) if n}
