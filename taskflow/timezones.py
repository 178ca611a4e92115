"""Times in the reader's zone, rendered on the server.

Times are stored naive in UTC. Each user may have an IANA zone (User.time_zone, taken from the
browser or the profile page); None reads as UTC. A rendered time is a `<time>` whose
`datetime` is the UTC instant, whose text is short (chat: "14:05") and whose full date and time
in the zone is its title, shown on hover by the browser and on keyboard focus by app.css (the
element is focusable: `content: attr(title)`). Templates call `when(...)`; shared fragments
pass the zone they are rendered for, pages use the current user's."""

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask import Flask, current_app
from flask_login import current_user
from markupsafe import Markup, escape
from redis import RedisError

from taskflow.extensions import db

log = logging.getLogger(__name__)

DEFAULT = "UTC"
MAX_ZONE = 64


# Files zoneinfo finds among the zones that name no place: "localtime" is this server's own
# zone (whatever it is set to), "Factory" a zone of no offset for machines not set up yet,
# "posixrules" the rules POSIX TZ strings borrow; "posix/" and "right/" are copies of the
# whole database (with and without leap seconds).
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def zones() -> tuple[str, ...]:
    """Every IANA zone name, sorted (for the profile's datalist and for validation): the
    names zoneinfo finds, less those that name no place."""
    names = {
        name
        for name in available_timezones()
        if name not in NOT_ZONES and not name.startswith(("posix/", "right/"))
    }
    return tuple(sorted(names | {DEFAULT}))


@cache
def _zone_set() -> frozenset[str]:
    return frozenset(zones())


def clean_zone(value: object) -> str | None:
    """The zone named by `value` if it is a known IANA name, else None."""
    if not isinstance(value, str) or len(value) > MAX_ZONE:
        return None
    value = value.strip()
    return value if value in _zone_set() else None


def zone_of(user) -> str:
    """The zone a user reads times in (UTC until known)."""
    return (getattr(user, "time_zone", None) or DEFAULT) if user is not None else DEFAULT


def viewer_zone() -> str:
    """The current user's zone, for pages (never for shared fragments: they are given one)."""
    return zone_of(current_user) if current_user and current_user.is_authenticated else DEFAULT


@cache
def _info(zone: str) -> ZoneInfo:
    return ZoneInfo(zone)


def local(moment: datetime, zone: str) -> datetime:
    """A stored (naive UTC) time in `zone`."""
    return moment.replace(tzinfo=UTC).astimezone(_info(zone))


def today(zone: str) -> date:
    return datetime.now(UTC).astimezone(_info(zone)).date()


def day_label(day: date, now: date) -> str:
    """A day separator's text: "Today", "Yesterday", "Monday 23 November" (with the year
    when it is not this year's)."""
    if day == now:
        return "Today"
    if day == now - timedelta(days=1):
        return "Yesterday"
    text = f"{day:%A} {day.day} {day:%B}"
    return text if day.year == now.year else f"{text} {day.year}"


def full(moment: datetime, zone: str) -> str:
    """The full date and time, e.g. "Friday 27 November 2026, 14:05" (in the reader's zone)."""
    at = local(moment, zone)
    return f"{at:%A} {at.day} {at:%B %Y}, {at:%H:%M}"


def short(moment: datetime, zone: str, now: date | None = None) -> str:
    """Outside chat: "14:05" today, "23 Nov, 14:05" this year, else with the year."""
    at = local(moment, zone)
    now = now or today(zone)
    if at.date() == now:
        return f"{at:%H:%M}"
    if at.year == now.year:
        return f"{at.day} {at:%b}, {at:%H:%M}"
    return f"{at.day} {at:%b %Y}, {at:%H:%M}"


def when(moment: datetime | None, zone: str | None = None, style: str = "short") -> Markup:
    """`<time>` for a stored time: "clock" shows HH:MM (chat), "short" a short date and time."""
    if moment is None:
        return Markup("")
    zone = zone or viewer_zone()
    text = f"{local(moment, zone):%H:%M}" if style == "clock" else short(moment, zone)
    stamp = moment.replace(microsecond=0).isoformat()
    label = escape(full(moment, zone))
    return Markup(f'<time datetime="{stamp}Z" title="{label}" tabindex="0">{escape(text)}</time>')


def when_text(moment: datetime, zone: str | None = None) -> str:
    """The full date and time as text (a title), in `zone` or the viewer's."""
    return full(moment, zone or viewer_zone())


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        when=when, when_text=when_text, viewer_zone=viewer_zone, time_zones=zones
    )


# -- the zones reading a topic ---------------------------------------------------------------
#
# A live fragment that shows times is rendered once per zone reading its topic, and published
# as one event with a variant per zone (realtime/broadcaster.Event): a socket's `variant` is
# its user's zone. Each socket registers its zone in a per-topic Redis set (SADD + EXPIRE, one
# round trip) on connect and again while idle; a publisher reads the set (one round trip).
# The cost of an event grows with the number of distinct zones, not of readers. UTC is the
# default rendering and is never registered; a zone stays until no socket has refreshed the
# set for READERS_TTL (a stale zone costs one rendering).

READERS_TTL = 120  # seconds; sockets refresh it every SOCKET_PING_SECONDS (25 s) while idle


def _readers_key(topic: str) -> str:
    return f"taskflow:zones:{topic}"


def register_reader(redis, topic: str, zone: str) -> None:
    """A socket of `topic` reads times in `zone` (on connect, and while idle)."""
    if not zone or zone == DEFAULT:
        return
    try:
        pipe = redis.pipeline(transaction=False)
        pipe.sadd(_readers_key(topic), zone).expire(_readers_key(topic), READERS_TTL).execute()
    except RedisError as error:  # the default rendering still reaches this reader
        log.warning("zone not registered: %s", error)


def reader_zones(topic: str) -> frozenset[str]:
    """The zones of the topic's readers, besides UTC, that are valid names (one round trip,
    then kept for the rest of the database session: a socket frame, a request).

    A change calls this before it writes: in SQLite a Redis round trip inside the write
    transaction yields the gevent loop while holding the database's one write lock, and
    another greenlet's write then waits in SQLite's busy handler, which blocks the whole
    process (the benchmarks saw one process stall for seconds)."""
    known = db.session.info.setdefault(_ZONES_READ, {})
    if topic in known:
        return known[topic]
    try:
        names = current_app.redis.smembers(_readers_key(topic))
    except RedisError as error:
        log.warning("zones not read: %s", error)
        return frozenset()
    valid = sorted(zone for name in names if (zone := clean_zone(name.decode())))
    # At most MAX_READER_ZONES renderings per change, whoever registers zones: readers in
    # zones beyond them get the default (UTC) live, and their own zone on any page load.
    zones = frozenset(valid[:MAX_READER_ZONES])
    known[topic] = zones
    return zones


MAX_READER_ZONES = 12
_ZONES_READ = "taskflow.reader_zones"  # db.session.info: zones read in this session, by topic


def per_reader_zone(topic: str, render: Callable[[str], str]) -> Callable[[], dict[str, str]]:
    """For after_commit.broadcast: `render(zone)` for UTC (the default, "") and for each
    zone reading `topic` when the change is rendered (just before its commit).

    A socket of a new zone that registers just after the zones were read gets the UTC
    rendering of that one event (with the right instant in <time datetime>), unless its
    catch-up, read after it followed the topic, already covered the change in its zone."""

    def render_all() -> dict[str, str]:
        renderings = {"": render(DEFAULT)}
        for zone in reader_zones(topic):
            renderings[zone] = render(zone)
        return renderings

    return render_all
