"""Who is online in a room and who is typing, kept in Redis so every web process agrees.

Presence: one sorted-set entry per open socket ("user:socket"), scored by when it expires;
sockets refresh theirs while idle, so a crashed process's entries simply run out. A user with
two tabs has two entries and counts once. Typing: a hash of user id → expiry time."""

import time

from flask import current_app

PRESENCE_TTL = 60.0
TYPING_TTL = 5.0


def _presence_key(topic: str) -> str:
    return f"taskflow:presence:{topic}"


def _typing_key(topic: str) -> str:
    return f"taskflow:typing:{topic}"


def join(redis, topic: str, user_id: int, socket_id: int) -> None:
    """Mark a socket present; called again while it is idle to keep it so."""
    redis.zadd(_presence_key(topic), {f"{user_id}:{socket_id}": time.time() + PRESENCE_TTL})


def leave(topic: str, user_id: int, socket_id: int) -> None:
    current_app.redis.zrem(_presence_key(topic), f"{user_id}:{socket_id}")


def online(topic: str) -> set[int]:
    key = _presence_key(topic)
    now = time.time()
    redis = current_app.redis
    redis.zremrangebyscore(key, "-inf", now)
    return {int(entry.split(b":")[0]) for entry in redis.zrangebyscore(key, now, "+inf")}


def start_typing(topic: str, user_id: int) -> None:
    current_app.redis.hset(_typing_key(topic), str(user_id), time.time() + TYPING_TTL)


def stop_typing(topic: str, user_id: int) -> bool:
    """Returns whether the user was typing (whether the others need an update)."""
    return bool(current_app.redis.hdel(_typing_key(topic), str(user_id)))


def typing(topic: str) -> set[int]:
    now = time.time()
    entries = current_app.redis.hgetall(_typing_key(topic))
    return {int(user) for user, expires in entries.items() if float(expires) > now}
