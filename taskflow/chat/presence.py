"""Who is online in a room and who is typing, kept in Redis so every web process agrees.

Presence: one sorted-set entry per open socket ("user:socket"), scored by when it expires;
sockets refresh theirs while idle, so a crashed process's entries simply run out. A user with
two tabs has two entries and counts once. Typing: a hash of user id → expiry time."""

import logging
import time
from functools import wraps

import redis
from flask import current_app

log = logging.getLogger(__name__)

PRESENCE_TTL = 60.0
TYPING_TTL = 5.0
TYPING_RELAY_MS = 1000  # at most one typing update per user per room per second


def tolerant(default):
    """Presence and typing are niceties: when Redis is away, pages and messages go on."""

    def decorate(function):
        @wraps(function)
        def run(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except redis.RedisError as error:
                log.warning("%s skipped: %s", function.__name__, error)
                return default

        return run

    return decorate


def _presence_key(topic: str) -> str:
    return f"taskflow:presence:{topic}"


def _typing_key(topic: str) -> str:
    return f"taskflow:typing:{topic}"


@tolerant(True)
def may_relay_typing(topic: str, user_id: int) -> bool:
    """Whether this "typing" frame is relayed to the room: the first in each second is, the
    others are dropped (pages send one a second; more would be pushed onto every member).
    One key per user and room, set only if absent, gone after a second: every process agrees."""
    key = f"taskflow:typing-relay:{topic}:{user_id}"
    return bool(current_app.redis.set(key, b"1", nx=True, px=TYPING_RELAY_MS))


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
    redis = current_app.redis
    redis.zremrangebyscore(key, "-inf", now)
    return {int(entry.split(b":")[0]) for entry in redis.zrangebyscore(key, now, "+inf")}


@tolerant(None)
def start_typing(topic: str, user_id: int) -> None:
    current_app.redis.hset(_typing_key(topic), str(user_id), time.time() + TYPING_TTL)


@tolerant(False)
def stop_typing(topic: str, user_id: int) -> bool:
    """Returns whether the user was typing (whether the others need an update)."""
    return bool(current_app.redis.hdel(_typing_key(topic), str(user_id)))


@tolerant(set())
def typing(topic: str) -> set[int]:
    now = time.time()
    entries = current_app.redis.hgetall(_typing_key(topic))
    return {int(user) for user, expires in entries.items() if float(expires) > now}
