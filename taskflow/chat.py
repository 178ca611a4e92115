"""Chat behaviour shared by the socket and the plain form: check, save, then publish.

Everything a room shows live is rendered here once per event and published to the room's
topic; what differs per viewer ("my" messages, my own typing) is left to viewer.css."""

import threading

from flask import current_app, render_template

from taskflow import presence
from taskflow.broadcast import text_frame
from taskflow.extensions import broadcaster, db
from taskflow.models import ChatMessage, ChatRoom, User
from taskflow.models.message import MAX_CONTENT, PAGE_SIZE


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
    return text, None


def draft_html(content: object) -> str:
    """The composer refilled with what the user typed, after a message was refused."""
    draft = content[:10000] if isinstance(content, str) else ""
    return render_template("rooms/_composer_input.html", draft=draft, oob=True)


def post(room: ChatRoom, author: User, text: str) -> ChatMessage:
    """Save first (the database is the truth), then publish to everyone in the room."""
    message = ChatMessage(room=room, author=author, content=text)
    db.session.add(message)
    db.session.commit()
    html = render_template("rooms/_message_oob.html", message=message)
    broadcaster.publish(topic(room.id), html, kind="message", id=message.id)
    if presence.stop_typing(topic(room.id), author.id):
        publish_typing(room.id)
    return message


def missed(room_id: int, since: int) -> tuple[str, int]:
    """HTML for what a page missed after message `since`, and the newest id it covers.
    After a long absence it replaces the whole list with the latest page instead."""
    messages = ChatMessage.after(room_id, since, limit=2 * PAGE_SIZE + 1)
    if not messages:
        return "", since
    if len(messages) > 2 * PAGE_SIZE:
        room = db.session.get(ChatRoom, room_id)
        messages = ChatMessage.latest(room)
        html = render_template("rooms/_messages.html", room=room, messages=messages, oob=True)
        return html, messages[-1].id
    html = "".join(render_template("rooms/_message_oob.html", message=m) for m in messages)
    return html, messages[-1].id


def catch_up(room_id: int, since: int | None) -> tuple[list[bytes], int]:
    """The first frames of a (re)connecting socket, and the newest message id they cover."""
    if since is None:
        return [], 0
    html, last_id = missed(room_id, since)
    return ([text_frame(html)] if html else []), last_id


def publish_members(room: ChatRoom) -> None:
    online = presence.online(topic(room.id))
    html = render_template("rooms/_members.html", room=room, online=online, oob=True)
    broadcaster.publish(topic(room.id), html)


def publish_typing(room_id: int) -> None:
    typing = presence.typing(topic(room_id))
    users = [db.session.get(User, user_id) for user_id in sorted(typing)]
    html = render_template("rooms/_typing.html", users=[u for u in users if u], oob=True)
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
