"""Presence, typing and who views a room are niceties kept in Redis: when Redis is away,
pages and messages go on without them."""

import logging
from functools import wraps

import redis

log = logging.getLogger(__name__)


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
