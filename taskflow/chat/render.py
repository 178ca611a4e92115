"""How chat shows: a message, a page of messages, a change as pages receive it, the member
list, the composer's draft. Everything here is the same for every reader (what differs per
viewer, "my" messages, my own typing, is left to viewer.css): a message is rendered once per
process and change, its time in UTC (`<time datetime>`); a live change is that one rendering
for everyone, which the page shows in its reader's zone (static/js/local_time.js), and a
page's copy has its time put in the reader's zone (timezones.localize)."""

from markupsafe import Markup

from taskflow import timezones
from taskflow.models import ChatMessage, ChatRoom, User, room_reads
from taskflow.realtime import fragments


def draft_html(room_id: int, content: object) -> str:
    """The composer refilled with what the user typed, after a message was refused."""
    draft = content[:10000] if isinstance(content, str) else ""
    return fragments.render("chat/_composer_input.html", room_id=room_id, draft=draft, oob=True)


def message_html(message: ChatMessage) -> Markup:
    """A chat message as every viewer sees it (the viewer's own styling is CSS, its time is
    UTC until the page shows it in its zone), rendered once per process, change and
    author's profile (a template global: room pages list many of them)."""
    key = _cache_key(message.id, message.seq, message.created_at, _version(message))
    return fragments.render_once(MESSAGE, key, message=message)


def message_body(message: ChatMessage) -> Markup:
    """A message's text as HTML (its Markdown), rendered once per process and change of the
    message (`seq`: an edit, a reaction), whatever the zone and the author's profile: the
    costly part of a message (up to 4,000 characters of Markdown) is not rendered again
    when its author changes their name or colour (a template global)."""
    key = (message.id, message.seq, message.created_at)
    return fragments.render_once(BODY, key, message=message)


def _version(message: ChatMessage) -> int:
    return message.author.profile_version or 0 if message.author else 0


def page_of_messages(
    room_id: int, before: int | None = None, zone: str | None = timezones.DEFAULT
) -> tuple[list[Markup], int | None]:
    """ChatMessage.latest as HTML in `zone` (None: for every zone, times and day separators
    left to local_time.js), with a day separator above each day's first message, and the
    oldest message's id (None if there is none). Each message is rendered once per process
    and change (its time then put in `zone`), and a page view loads only the messages' keys
    (one light query); only those not rendered yet are loaded."""
    keys = ChatMessage.latest_keys(room_id, before)
    return _html_of(keys, zone), keys[0][0] if keys else None


def _html_of(keys: list[tuple], zone: str | None) -> list[Markup]:
    """The messages of these keys (ChatMessage.latest_keys) as HTML in `zone`, each from the
    cache if rendered before, with a day separator above each day's first message: one item
    per message (pages count them), the separator joined to it."""
    found = {key: fragments.cached(MESSAGE, _cache_key(*key)) for key in keys}
    missing = [key[0] for key, html in found.items() if html is None]
    if missing:
        for message in ChatMessage.by_ids(missing):
            key = (message.id, message.seq, message.created_at, _version(message))
            found[key] = message_html(message)
    items, day, now = [], None, timezones.today(zone or timezones.DEFAULT)
    for key in keys:
        if found.get(key) is None:
            continue
        if zone is None:  # a socket's catch-up, for every zone: each page finds its days
            items.append(day_placeholder(key[0], key[2]) + found[key])
            continue
        html = timezones.localize(found[key], key[2], zone, "clock")
        shown = timezones.local(key[2], zone).date()
        items.append(day_separator(shown, now) + html if shown != day else html)
        day = shown
    return items


def messages_around_html(room_id: int, message_id: int, zone: str = timezones.DEFAULT) -> Markup:
    """The page of messages around one (a quote's link, without JavaScript): older ones
    load as from any page, and a link leads back to the latest when newer ones follow."""
    keys, newer = ChatMessage.keys_around(room_id, message_id)
    messages, oldest = _html_of(keys, zone), keys[0][0] if keys else None
    return Markup(
        fragments.render(MESSAGES, room_id=room_id, messages=messages, oldest=oldest, newer=newer)
    )


def day_placeholder(message_id: int, created_at) -> Markup:
    """A day separator the page labels, or removes, in its own zone (local_time.js): its
    `data-day` only keeps people.js from taking it for another separator of its day."""
    stamp = created_at.replace(microsecond=0).isoformat()
    return Markup(
        '<li class="day-separator" data-day="@{}" data-at="{}Z" hidden><span></span></li>'
    ).format(message_id, stamp)


def day_separator(day, now) -> Markup:
    """The line above a day's first message: "Today", "Yesterday", or the date."""
    label = timezones.day_label(day, now)
    return Markup('<li class="day-separator" data-day="{}"><span>{}</span></li>').format(
        day.isoformat(), label
    )


MESSAGE = "chat/_message.html"


BODY = "chat/_message_body.html"


MESSAGES = "chat/_messages.html"


def messages_html(room_id: int, before: int | None = None, zone: str = timezones.DEFAULT) -> Markup:
    """A page of messages as the room page lists them (the same for every viewer in `zone`)."""
    messages, oldest = page_of_messages(room_id, before, zone)
    return Markup(fragments.render(MESSAGES, room_id=room_id, messages=messages, oldest=oldest))


def latest_messages_html(
    room_id: int, created_at, seq: int, zone: str = timezones.DEFAULT, people_version: int = 0
) -> Markup:
    """The room's latest page of messages, rendered once per process, change of the room and
        zone (and day: "Today" becomes "Yesterday" at the zone's midnight; and `people_version`:
    a member's new name or colour):
        every post, edit and deletion numbers a change (`seq`), so a room page whose room row
        says `seq` finds the list it needs, or renders it (and the next viewer finds it), with
        no query at all. The list is read after the room row, so it holds every change up to
        `seq` (and perhaps a newer one, which the page's catch-up sends again, harmlessly).
        `created_at` tells a room from another database's room of the same id (tests)."""

    def context() -> dict:
        messages, oldest = page_of_messages(room_id, zone=zone)
        return {"room_id": room_id, "messages": messages, "oldest": oldest}

    version = (seq, people_version, timezones.today(zone))
    return fragments.render_latest(MESSAGES, (room_id, created_at, zone), version, context)


def _cache_key(message_id: int, seq: int, created_at, version: int) -> tuple:
    # seq: the message's latest change; version: its author's profile (name, colour)
    return (message_id, seq, created_at, version)


def upsert_html(message: ChatMessage, new: bool = False) -> str:
    """A change of a message as every page receives it, live or on catch-up, the same for
    all: the page appends a new message, replaces one it shows, removes a deleted one, and
    ignores one older than those it shows (room.js, "htmx:oobBeforeSwap"). A new message
    (`new`) comes after a day separator's placeholder, which carries its instant and no
    words: which day a message falls on depends on the reader's zone, so the page decides
    (local_time.js shows it, labelled, only when its day in the page's zone is not the
    previous message's, and removes it otherwise)."""
    separator = ""
    if new and not message.deleted_at:
        separator = day_placeholder(message.id, message.created_at)
    return fragments.render("chat/_message_oob.html", message=message, separator=separator)


def mention_warning_html(room: ChatRoom, sender: User, users: list[User]) -> str:
    """Told to the sender only: who their message mentions but was not notified."""
    return fragments.render(
        "chat/_mention_warning.html", room=room, users=users, can_add=room.can_manage(sender)
    )


# How many members a room's pages list by name (then "and N more"): the page, the socket's
# list on connect and the list sent when someone joins or leaves. A room of thousands costs
# each of these the same as a room of thirty.
MEMBERS_SHOWN = 30


def members_html(room_id: int, online: set[int]) -> str:
    """The room's member list as pages show it: the first MEMBERS_SHOWN by name, and how
    many more there are (one query, counted in SQL)."""
    members, total = room_reads.member_names(room_id, limit=MEMBERS_SHOWN)
    return fragments.render(
        "chat/_members.html",
        members=members,
        more_members=total - len(members),
        online=online,
        oob=True,
    )
