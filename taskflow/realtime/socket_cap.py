"""At most SOCKETS_PER_USER open sockets per user, across every web process.

Each open socket is an entry in a Redis sorted set per user, scored by when it opened. A
socket that takes the user beyond the cap closes the oldest ones: their entries are removed
here and a "close" event is published for each on the user's personal stream, which reaches
the process holding it (each socket has its own scope, "socket:<key>"). Entries of a crashed
process are the oldest, so they are the first to go; the set expires a day after the last
socket opened."""

import logging
import time

import redis
from flask import current_app

log = logging.getLogger(__name__)
KEY_TTL = 24 * 3600


def _key(user_id: int) -> str:
    return f"taskflow:sockets:{user_id}"


def opened(user_id: int, socket_key: str) -> list[str]:
    """Record an open socket; returns the keys of the user's sockets it pushes beyond the
    cap (oldest first), already forgotten here, which the caller must close."""
    cap = max(1, current_app.config["SOCKETS_PER_USER"])
    key = _key(user_id)
    try:
        pipe = current_app.redis.pipeline(transaction=True)
        pipe.zadd(key, {socket_key: time.time()})
        pipe.expire(key, KEY_TTL)
        pipe.zrange(key, 0, -(cap + 1))  # all but the newest `cap`
        surplus = [k.decode() for k in pipe.execute()[-1]]
        if surplus:
            current_app.redis.zrem(key, *surplus)
        return surplus
    except redis.RedisError as error:  # a cap is a nicety next to a working socket
        log.warning("socket cap not applied: %s", error)
        return []


def closed(user_id: int, socket_key: str) -> None:
    try:
        current_app.redis.zrem(_key(user_id), socket_key)
    except redis.RedisError as error:
        log.warning("socket cap entry not removed: %s", error)
