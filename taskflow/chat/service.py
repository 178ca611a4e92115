"""Chat behaviour shared by the socket and the plain form: check, save, then publish.

Everything a room shows live is rendered here once per event and published to the room's
topic; what differs per viewer ("my" messages, my own typing) is left to viewer.css. A
message is rendered once, its time in UTC (`<time datetime>`): a live change is
that one rendering for everyone, which the page shows in its reader's zone
(static/js/local_time.js), and a page's copy has its time put in the reader's zone
(timezones.localize)."""

import re

from markupsafe import Markup
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from taskflow import markup, people, security, timezones
from taskflow.chat import typing, unread
from taskflow.converters import bounded_int
from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, User
from taskflow.models.message import MAX_CONTENT, PAGE_SIZE
from taskflow.models.room import DIRECT
from taskflow.models.user import utcnow
from taskflow.notifications import jobs, mentions
from taskflow.notifications import service as notifications
from taskflow.realtime import fragments, topics
from taskflow.realtime.after_commit import broadcast
from taskflow.realtime.broadcaster import text_frame


def clean_content(content: object) -> tuple[str, str | None]:
    """The text to save and an error message, if it cannot be saved."""
    if not isinstance(content, str):
        return "", "A message must be text."
    text = content.strip()
    if not text:
        return text, "Type a message first."
    if len(text) > MAX_CONTENT:
        return text, f"A message can be at most {MAX_CONTENT:,} characters ({len(text):,} now)."
    if "\x00" in text:  # PostgreSQL text cannot hold it; no keyboard types it
        return text.replace("\x00", ""), "A message cannot contain a NUL character."
    return text, None


def text_to_send(content: object, user_id: int) -> tuple[str, str | None]:
    """clean_content, then the sender's rate limit: a new comment or an edit of a message or
    comment goes to everyone who sees it, as a message does."""
    text, error = clean_content(content)
    if not error and not security.may_send_message(user_id):
        error = security.SLOW_DOWN
    return text, error


def draft_html(room_id: int, content: object) -> str:
    """The composer refilled with what the user typed, after a message was refused."""
    draft = content[:10000] if isinstance(content, str) else ""
    return fragments.render("chat/_composer_input.html", room_id=room_id, draft=draft, oob=True)


CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def clean_client_id(value: object) -> tuple[str | None, str | None]:
    """The page's id for a message (optional) and an error message, if it is malformed."""
    if value in (None, ""):
        return None, None
    if isinstance(value, str) and CLIENT_ID.fullmatch(value):
        return value, None
    return None, "That message carried a malformed id. Reload the page, then send it again."


# ---- Replies: a message may answer another of its room, quoting its first words.

# Said when the reply target is refused; the composer gets the text back, no longer a reply.
GONE = "The message you replied to was deleted or is not in this room: send yours again."


def reply_target(room_id: int, value: object) -> tuple[ChatMessage | None, str | None]:
    """The message a new one replies to (None: not a reply) and an error message, if it
    cannot be replied to: it must be a message of this room, and not deleted."""
    if value in (None, ""):
        return None, None
    try:
        original = db.session.get(ChatMessage, bounded_int(value))
    except ValueError:
        original = None
    if original is None or original.room_id != room_id or original.deleted_at is not None:
        return None, GONE
    return original, None


def _reply_columns(reply_to: ChatMessage | None) -> dict:
    if reply_to is None:
        return {}
    return {"reply_to_id": reply_to.id, "reply_excerpt": markup.excerpt(reply_to.content)}


def _requote_replies_of(message: ChatMessage) -> None:
    """The quotes of a message's replies follow it: an edit rewrites them (a password pasted
    by mistake and edited away must not stay quoted), a deletion blanks them. Each reply
    whose quote changes is a change of the room, sent to every page like an edit."""
    quote = None if message.deleted_at else markup.excerpt(message.content)
    for reply in ChatMessage.replies_to(message.id):
        if reply.reply_excerpt != quote:
            reply.reply_excerpt = quote
            reply.seq = ChatRoom.next_seq(reply.room_id)
            _broadcast(reply)


# ----


def already_sent(
    room_id: int, author_id: int, client_id: str | None
) -> tuple[ChatMessage | None, str | None]:
    """The one look-up of a page's client id, before anything is counted or saved: the
    message saved before under it in this room (a resend after a dropped connection, to be
    acknowledged again and not counted against the sender's limit), and the client id a new
    message may keep (none when another room's message holds it)."""
    if not client_id:
        return None, client_id
    # Two columns, not the message: nearly always nothing is found (a resend is rare).
    table = ChatMessage.__table__
    query = select(table.c.id, table.c.room_id).where(
        table.c.author_id == author_id, table.c.client_id == client_id
    )
    found = db.session.connection().execute(query).first()
    if found is None:
        return None, client_id
    if found.room_id != room_id:
        return None, None
    return db.session.get(ChatMessage, found.id), client_id


def post(
    room: ChatRoom,
    author: User,
    text: str,
    was_typing: bool = True,
    client_id: str | None = None,
    reply_to: ChatMessage | None = None,
) -> tuple[ChatMessage, list[User], bool]:
    """Save first (the database is the truth), then publish to everyone in the room, then
    queue its mention notifications. Returns the message, the board members it mentions who
    are not in the room (not notified: the sender is told), and whether it is new. The
    caller has looked `client_id` up (already_sent); if the same id arrives twice at once,
    the database keeps one and the other gets it back, not new. A reply (`reply_to`,
    checked by reply_target) adds its two columns."""
    if "@" in text:
        return _post_with_mentions(room, author, text, was_typing, client_id, reply_to)
    message = _insert(room, author, text, client_id, reply_to)
    if message is None:  # the same client id, sent twice at once: the other one won
        return ChatMessage.by_client_id(author.id, client_id), [], False
    _broadcast(message, new=True)
    unread.announce(message)  # one more publish: pages listing the room count it
    db.session.commit()
    if was_typing:
        typing.stopped(room.id, author.id)
    return message, [], True


def _insert(
    room: ChatRoom, author: User, text: str, client_id: str | None, reply_to: ChatMessage | None
) -> ChatMessage | None:
    """A message that mentions nobody (no "@": nearly all of them) as one row, without the
    ORM's unit of work: it needs only `room.id` and the author's id and name, so the socket
    passes objects it checked a moment ago (chat/frames.py). None: its client id is taken."""
    now = utcnow()
    previous = ChatMessage.previous(room.id)
    values = dict(
        room_id=room.id,
        author_id=author.id,
        content=text,
        client_id=client_id,
        created_at=now,
        notified_at=now,  # nobody to notify: no job, and the sweep skips it
        seq=ChatRoom.next_seq(room.id),
        **_reply_columns(reply_to),
        continues=_continues(previous, author.id, now),
    )
    try:
        inserted = db.session.connection().execute(insert(ChatMessage.__table__).values(values))
    except IntegrityError:
        db.session.rollback()
        return None
    # Not in the session: only rendered (before the commit) and returned.
    message = ChatMessage(id=inserted.inserted_primary_key[0], **values)
    message.author = author
    message.reply_to = reply_to
    return message


def _post_with_mentions(
    room: ChatRoom,
    author: User,
    text: str,
    was_typing: bool,
    client_id: str | None,
    reply_to: ChatMessage | None,
) -> tuple[ChatMessage, list[User], bool]:
    previous = ChatMessage.previous(room.id)
    message = ChatMessage(
        room=room, author=author, content=text, client_id=client_id, **_reply_columns(reply_to)
    )
    message.reply_to = reply_to
    message.created_at = utcnow()
    message.continues = _continues(previous, author.id, message.created_at)
    _set_mentions(message, text)
    message.seq = ChatRoom.next_seq(room.id)
    db.session.add(message)
    try:
        db.session.flush()  # the id, and the client id's uniqueness checked
    except IntegrityError:  # the same client id, sent twice at once: the other one won
        db.session.rollback()
        return ChatMessage.by_client_id(author.id, client_id), [], False
    _broadcast(message, new=True)
    unread.announce(message, [u.id for u in message.mentioned_users])
    db.session.commit()
    if message.notified_at is None:
        notifications.enqueue(jobs.notify_chat_message, message.id)
    if was_typing:
        typing.stopped(room.id, author.id)
    return message, _outside_room(room, text), True


def edit(message: ChatMessage, text: str) -> list[User]:
    """Change a message; the newly mentioned are notified (the job skips the others)."""
    message.content, message.edited_at = text, utcnow()
    _set_mentions(message, text)
    notifications.message_edited(message.id, text)  # committed with the edit
    _requote_replies_of(message)
    _publish_change(message)
    if message.notified_at is None:
        notifications.enqueue(jobs.notify_chat_message, message.id)
    return _outside_room(message.room, text)


def delete(message: ChatMessage) -> None:
    """Remove a message for everyone; its row stays (blanked) so reconnecting pages learn
    of the deletion, and its unread notifications go with it. The message after it may have
    been grouped under it: it is grouped anew under the one before (a change of its own)."""
    unread.announce(message, [u.id for u in message.mentioned_users], deleted=True)
    before, after = ChatMessage.around(message) if not message.deleted_at else (None, None)
    message.content, message.deleted_at, message.notified_at = "", utcnow(), utcnow()
    message.mentioned_users = []
    _requote_replies_of(message)
    if after is not None and after.continues:
        regrouped = _continues(before, after.author_id, after.created_at)
        if not regrouped:
            after.continues = False
            after.seq = ChatRoom.next_seq(message.room_id)
            _broadcast(after)
    _publish_change(message)
    notifications.remove_unread_for_message(message.id)


def _continues(previous, author_id: int | None, at) -> bool:
    if previous is None:
        return False
    return people.continues(previous.author_id, previous.created_at, author_id, at)


def _publish_change(message: ChatMessage) -> None:
    message.seq = ChatRoom.next_seq(message.room_id)
    _broadcast(message)
    db.session.commit()


def publish_numbered(message: ChatMessage) -> None:
    """Publish and commit a change of the message that its caller numbered first
    (`message.seq = ChatRoom.next_seq(...)`, which locks the room's changes in PostgreSQL)
    and then made: a reaction (chat/reactions.py). Pages receive it as they do an edit."""
    _broadcast(message)
    db.session.commit()


def _broadcast(message: ChatMessage, new: bool = False) -> None:
    """Every page of the room gets this change of the message once it commits: one
    rendering for all (`new`: a post, which may open a day on the page)."""
    topic, seq = topics.room(message.room_id), message.seq
    broadcast(topic, lambda: upsert_html(message, new), kind="message", seq=seq)


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
    ignores one older than those it shows (app.js, "htmx:oobBeforeSwap"). A new message
    (`new`) comes after a day separator's placeholder, which carries its instant and no
    words: which day a message falls on depends on the reader's zone, so the page decides
    (local_time.js shows it, labelled, only when its day in the page's zone is not the
    previous message's, and removes it otherwise)."""
    separator = ""
    if new and not message.deleted_at:
        separator = day_placeholder(message.id, message.created_at)
    return fragments.render("chat/_message_oob.html", message=message, separator=separator)


def _set_mentions(message: ChatMessage, text: str) -> None:
    # Most messages mention no one: do not load anyone for them.
    named = mentions.named_keys(text) if "@" in text else set()
    room_id = message.room_id or message.room.id  # a new message: its room, not yet its id
    candidates = ChatRoom.members_named(room_id, named) if named else []
    mentioned = mentions.find(text, candidates)
    if {u.id for u in mentioned} - {u.id for u in message.mentioned_users}:
        message.notified_at = None  # someone new to notify: the job (or the sweep) will
    elif message.notified_at is None and not mentioned:
        message.notified_at = utcnow()  # nobody to notify: no job needed
    message.mentioned_users = mentioned


def _outside_room(room: ChatRoom, text: str) -> list[User]:
    if "@" not in text or room.board_id is None:  # a direct message's people are all there is
        return []
    named = mentions.named_keys(text)
    return mentions.find(text, ChatRoom.outsiders_named(room.id, room.board_id, named))


def mention_warning_html(room: ChatRoom, sender: User, users: list[User]) -> str:
    """Told to the sender only: who their message mentions but was not notified."""
    return fragments.render(
        "chat/_mention_warning.html", room=room, users=users, can_add=room.can_manage(sender)
    )


def changes(room_id: int, seq: int) -> tuple[str, int]:
    """What a page that saw the room's changes up to number `seq` is missing: every later
    change, and the number it brings the page to, the same for every reader (times in UTC,
    shown in the page's zone by local_time.js). Beyond a page of changes the whole list is
    replaced by the latest page instead, so any `seq` costs at most one page of work."""
    found = ChatMessage.changed_after(room_id, seq, limit=PAGE_SIZE + 1)
    if len(found) <= PAGE_SIZE:
        html = "".join(upsert_html(m) for m in found)
        return html, found[-1].seq if found else seq
    room_seq = ChatRoom.current_seq(room_id)  # read before the list: never newer than it
    messages, oldest = page_of_messages(room_id, zone=None)
    html = fragments.render(
        MESSAGES, room_id=room_id, messages=messages, oldest=oldest, oob=True
    ) + fragments.render("chat/_sync.html", seq=room_seq, oob=True)
    return html, room_seq


def catch_up(room_id: int, seq: int | None) -> tuple[list[bytes], int]:
    """The first frame of a (re)connecting socket, and the change number it covers: live
    changes up to that number are not sent again."""
    if seq is None:
        return [], 0
    html, covered = changes(room_id, max(seq, 0))
    return ([text_frame(html)] if html else []), covered


READ_ONLY = (
    "This conversation is read-only: you no longer share a board with anyone in it."
    " You can still read it, or leave it."
)


def closed_to(room_id: int, kind: str, user_id: int) -> str | None:
    """Why the user cannot post in this room, if they cannot: a direct message whose other
    people no longer share any board with them is read-only (it stays readable). Rooms of
    a board: None (their access rule already requires the board)."""
    if kind != DIRECT or ChatRoom.shares_a_board_with_another(room_id, user_id):
        return None
    return READ_ONLY


# How many members a room's pages list by name (then "and N more"): the page, the socket's
# list on connect and the list sent when someone joins or leaves. A room of thousands costs
# each of these the same as a room of thirty.
MEMBERS_SHOWN = 30


def members_html(room_id: int, online: set[int]) -> str:
    """The room's member list as pages show it: the first MEMBERS_SHOWN by name, and how
    many more there are (one query, counted in SQL)."""
    members, total = ChatRoom.member_names(room_id, limit=MEMBERS_SHOWN)
    return fragments.render(
        "chat/_members.html",
        members=members,
        more_members=total - len(members),
        online=online,
        oob=True,
    )

