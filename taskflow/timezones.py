"""Times in the reader's zone, rendered on the server.

Times are stored naive in UTC. Each user may have an IANA zone (User.time_zone, taken from the
browser or the profile page); None reads as UTC. A rendered time is a `<time>` whose
`datetime` is the UTC instant, whose text is short (chat: "14:05") and whose full date and time
in the zone is its title, shown on hover by the browser and on keyboard focus by app.css (the
element is focusable: `content: attr(title)`). Templates call `when(...)`: pages in the current
user's zone. A live fragment (published to every reader, or caught up) is rendered once, in
UTC (`when(moment, LIVE)`): every `<time datetime>` carries its instant, and
static/js/local_time.js shows it in the zone the page names (`<body data-zone>`, the user's
profile zone; the browser's when unset), in the same words as here. Zones never reach the
transport."""

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask import Flask
from flask_login import current_user
from markupsafe import Markup, escape

DEFAULT = "UTC"
LIVE = DEFAULT  # the zone of live fragments: one rendering for all, localized by the page
MAX_ZONE = 64


# Files zoneinfo finds among the zones that name no place: "localtime" is this server's own
# zone (whatever it is set to), "Factory" a zone of no offset for machines not set up yet,
# "posixrules" the rules POSIX TZ strings borrow; "posix/" and "right/" are copies of the
# whole database (with and without leap seconds).
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def zones() -> tuple[str, ...]:
    """Every IANA zone name, sorted (a browser's zone is any of them): the names zoneinfo
    finds, less those that name no place. The profile offers fewer (regions())."""
    names = {
        name
        for name in available_timezones()
        if name not in NOT_ZONES and not name.startswith(("posix/", "right/"))
    }
    return tuple(sorted(names | {DEFAULT}))


@cache
def _zone_set() -> frozenset[str]:
    return frozenset(zones())


# The profile offers places, by region: the "Region/City" names of these (and UTC), not the
# others zoneinfo knows ("EST5EDT", "Etc/GMT+5", "US/Pacific", "GB"), which a newcomer
# scrolling a list has no use for. Arctic/Longyearbyen is a place too.
REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@cache
def regions() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The profile's zones, by region: ("Europe", (("Europe/Paris", "Paris"), ...)), each
    option named by its city ("America/Argentina/Buenos_Aires": "Argentina / Buenos Aires")."""
    by_region: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    for name in zones():
        region, _, city = name.partition("/")
        if city and region in by_region:
            by_region[region].append((name, city.replace("_", " ").replace("/", " / ")))
    return tuple((region, tuple(names)) for region, names in by_region.items())


@cache
def _offered_set() -> frozenset[str]:
    return frozenset({DEFAULT} | {name for _, names in regions() for name, _ in names})


def offered_zone(value: object, current: str | None) -> str | None:
    """`value` if the profile offers it: a region's zone, UTC, or the user's `current` zone
    (the browser's, which may be another IANA name: shown first, so saving the profile
    unchanged never fails on it)."""
    zone = clean_zone(value)
    return zone if zone is not None and (zone in _offered_set() or zone == current) else None


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
    """`<time>` for a stored time: "clock" shows HH:MM (chat), "short" a short date and time.
    local_time.js writes the same in the page's zone: `data-local="short"` names that style,
    none is a clock (the chat's: 50 on a room page, no bytes spent on saying so)."""
    if moment is None:
        return Markup("")
    zone = zone or viewer_zone()
    clock = style == "clock"
    text = f"{local(moment, zone):%H:%M}" if clock else short(moment, zone)
    stamp = moment.replace(microsecond=0).isoformat()
    label = escape(full(moment, zone))
    marked = "" if clock else f' data-local="{style}"'
    return Markup(
        f'<time datetime="{stamp}Z"{marked} title="{label}" tabindex="0">{escape(text)}</time>'
    )


def ago_text(moment: datetime, now: datetime | None = None) -> str:
    """How long ago a stored (naive UTC) time was: "just now", "5 min ago", "3 h ago",
    "yesterday", "4 days ago"."""
    seconds = ((now or datetime.now(UTC).replace(tzinfo=None)) - moment).total_seconds()
    minutes, hours, days = int(seconds // 60), int(seconds // 3600), int(seconds // 86400)
    if minutes < 1:
        return "just now"
    if hours < 1:
        return f"{minutes} min ago"
    if days < 1:
        return f"{hours} h ago"
    return "yesterday" if days == 1 else f"{days} days ago"


def ago(moment: datetime | None, zone: str | None = None) -> Markup:
    """`<time>` saying how long ago, with the full date and time (in the reader's zone) as
    its title. Its `datetime` ends in "+00:00", not "Z": local_time.js rewrites every
    `time[datetime$=Z]` as a clock or a date, and this text is not one (a page is rendered
    in its reader's zone already)."""
    if moment is None:
        return Markup("")
    stamp = moment.replace(microsecond=0).isoformat()
    label = escape(full(moment, zone or viewer_zone()))
    return Markup(
        f'<time datetime="{stamp}+00:00" title="{label}" tabindex="0">'
        f"{escape(ago_text(moment))}</time>"
    )


def localize(html: str, moment: datetime, zone: str, style: str = "short") -> Markup:
    """A fragment rendered once for all (times in LIVE) with its time at `moment` in `zone`
    instead: a page's copy of a cached message (its one `<time>` swapped, nothing rendered)."""
    if zone == LIVE:
        return Markup(html)
    return Markup(html.replace(when(moment, LIVE, style), when(moment, zone, style), 1))


def when_text(moment: datetime, zone: str | None = None) -> str:
    """The full date and time as text (a title), in `zone` or the viewer's."""
    return full(moment, zone or viewer_zone())


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        when=when, when_text=when_text, ago=ago, viewer_zone=viewer_zone, zone_regions=regions
    )
