"""Chat behaviour shared by the socket and the plain form: check, save, then publish.

Everything a room shows live is rendered here once per event and published to the room's
topic; what differs per viewer ("my" messages, my own typing) is left to viewer.css."""

import threading
from datetime import datetime

from flask import current_app

from taskflow import fragments, mentions, notifications, presence
from taskflow.broadcast import text_frame
from taskflow.extensions import broadcaster, db
from taskflow.models import ChatMessage, ChatRoom, User
from taskflow.models.message import MAX_CONTENT, PAGE_SIZE
from taskflow.models.user import utcnow


def topic(room_id: int) -> str:
    return f"room:{room_id}"


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


def draft_html(room_id: int, content: object) -> str:
    """The composer refilled with what the user typed, after a message was refused."""
    draft = content[:10000] if isinstance(content, str) else ""
    return fragments.render("rooms/_composer_input.html", room_id=room_id, draft=draft, oob=True)


def post(
    room: ChatRoom, author: User, text: str, was_typing: bool = True
) -> tuple[ChatMessage, list[User]]:
    """Save first (the database is the truth), then publish to everyone in the room, then
    queue its mention notifications. Returns the message and the board members it mentions
    who are not in the room (not notified: the sender is told)."""
    message = ChatMessage(room=room, author=author, content=text)
    _set_mentions(message, text)
    db.session.add(message)
    db.session.flush()  # the id; rendering now spares reloading what commit would expire
    html = fragments.render("rooms/_message_oob.html", message=message)
    db.session.commit()
    broadcaster.publish(topic(room.id), html, kind="message", id=message.id)
    if message.notified_at is None:
        notifications.enqueue("notify_chat_message", message.id)
    if was_typing and presence.stop_typing(topic(room.id), author.id):
        publish_typing(room.id)
    return message, _outside_room(room, text)


def edit(message: ChatMessage, text: str) -> list[User]:
    """Change a message; the newly mentioned are notified (the job skips the others)."""
    message.content, message.edited_at = text, utcnow()
    _set_mentions(message, text)
    db.session.commit()
    html = fragments.render("rooms/_message.html", message=message, oob=True)
    broadcaster.publish(topic(message.room_id), html)
    if message.notified_at is None:
        notifications.enqueue("notify_chat_message", message.id)
    return _outside_room(message.room, text)


def delete(message: ChatMessage) -> None:
    """Remove a message for everyone; its row stays (blanked) so reconnecting pages learn
    of the deletion, and its unread notifications go with it."""
    message.content, message.deleted_at, message.notified_at = "", utcnow(), utcnow()
    message.mentioned_users = []
    db.session.commit()
    broadcaster.publish(topic(message.room_id), deleted_html(message.id))
    notifications.remove_unread_for_message(message.id)


def deleted_html(message_id: int) -> str:
    return f'<li id="message-{message_id}" hx-swap-oob="delete"></li>'


def _set_mentions(message: ChatMessage, text: str) -> None:
    # Most messages mention no one: do not load the room's members for them.
    mentioned = mentions.find(text, message.room.members) if "@" in text else []
    if {u.id for u in mentioned} - {u.id for u in message.mentioned_users}:
        message.notified_at = None  # someone new to notify: the job (or the sweep) will
    elif message.notified_at is None and not mentioned:
        message.notified_at = utcnow()  # nobody to notify: no job needed
    message.mentioned_users = mentioned


def _outside_room(room: ChatRoom, text: str) -> list[User]:
    if "@" not in text:
        return []
    inside = {u.id for u in room.members}
    outside = [u for u in room.board.members if u.id not in inside]
    return mentions.find(text, outside)


def mention_warning_html(room: ChatRoom, sender: User, users: list[User]) -> str:
    """Told to the sender only: who their message mentions but was not notified."""
    return fragments.render(
        "rooms/_mention_warning.html", room=room, users=users, can_add=room.can_manage(sender)
    )


def missed(room_id: int, since: int) -> tuple[str, int]:
    """HTML for what a page missed after message `since`, and the newest id it covers.
    After a long absence it replaces the whole list with the latest page instead."""
    messages = ChatMessage.after(room_id, since, limit=2 * PAGE_SIZE + 1)
    if not messages:
        return "", since
    if len(messages) > 2 * PAGE_SIZE:
        room = db.session.get(ChatRoom, room_id)
        messages = ChatMessage.latest(room)
        html = fragments.render("rooms/_messages.html", room=room, messages=messages, oob=True)
        return html, messages[-1].id
    html = "".join(fragments.render("rooms/_message_oob.html", message=m) for m in messages)
    return html, messages[-1].id


def catch_up(room_id: int, since: int | None, at: datetime | None) -> tuple[list[bytes], int]:
    """The first frames of a (re)connecting socket, and the newest message id they cover:
    the messages after `since`, and those up to it edited or deleted after the page's last
    sync `at`. A sync marker tells the page the moment of this catch-up for next time."""
    if since is None:
        return [], 0
    now = utcnow()
    html, last_id = missed(room_id, since)
    if at is not None:
        for message in ChatMessage.changed_since(room_id, since, at):
            html += (
                deleted_html(message.id)
                if message.deleted_at
                else fragments.render("rooms/_message.html", message=message, oob=True)
            )
    html += fragments.render("rooms/_sync.html", at=now, oob=True)
    return [text_frame(html)], last_id


def publish_members(room: ChatRoom) -> None:
    online = presence.online(topic(room.id))
    html = fragments.render("rooms/_members.html", room=room, online=online, oob=True)
    broadcaster.publish(topic(room.id), html)


def publish_typing(room_id: int) -> None:
    typing = presence.typing(topic(room_id))
    users = [db.session.get(User, user_id) for user_id in sorted(typing)]
    html = fragments.render("rooms/_typing.html", users=[u for u in users if u], oob=True)
    broadcaster.publish(topic(room_id), html)


def typing_started(room_id: int, user_id: int) -> None:
    """Show the user as typing; the indicator clears itself after TYPING_TTL seconds unless a
    new keystroke arrives (every process re-checks after its own frames)."""
    presence.start_typing(topic(room_id), user_id)
    publish_typing(room_id)
    app = current_app._get_current_object()

    def expire() -> None:
        with app.app_context():
            if user_id not in presence.typing(topic(room_id)):
                publish_typing(room_id)

    timer = threading.Timer(presence.TYPING_TTL + 0.1, expire)
    timer.daemon = True
    timer.start()
