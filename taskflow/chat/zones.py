"""Which time zones are reading a room now: each chat socket registers its user's zone in a
per-room Redis set (SADD + EXPIRE, one round trip, on connect and again while idle), and a
live change of a message is rendered once per zone found there (chat/service.py _broadcast),
published as one event with a variant per zone (realtime/broadcaster.Event). The cost of a
message grows with the number of distinct zones in the room, not with its readers.

UTC is the default rendering and is never registered. A zone stays in the set until no
socket of the room has refreshed the set for ZONES_TTL: a stale zone costs one rendering."""

from flask import current_app

from taskflow.chat.presence import tolerant
from taskflow.timezones import DEFAULT

ZONES_TTL = 120  # seconds; sockets refresh every SOCKET_PING_SECONDS (25 s) while idle


def _key(room_id: int) -> str:
    return f"taskflow:zones:room:{room_id}"


@tolerant(None)
def register(redis, room_id: int, zone: str) -> None:
    """This room has a reader in `zone` (called on connect and while idle)."""
    if zone and zone != DEFAULT:
        redis.pipeline(transaction=False).sadd(_key(room_id), zone).expire(
            _key(room_id), ZONES_TTL
        ).execute()


@tolerant(frozenset())
def of_room(room_id: int) -> frozenset[str]:
    """The zones of the room's readers, besides UTC (one round trip)."""
    return frozenset(name.decode() for name in current_app.redis.smembers(_key(room_id)))
