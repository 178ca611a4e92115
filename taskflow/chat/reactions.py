"""Reactions to a chat message: the toggle (the checks every toggle passes, the page without
JavaScript and the route's answer are shared with task comments: taskflow/reactions.py).

A reaction is a change of its message: numbered with the room's next change number and
published like an edit (chat/service.py), so live pages replace their copy and reconnecting
pages catch it up. The reaction bar is part of the message's one rendering for every viewer
(templates/_reaction_bar.html); the viewer's own reactions are styled by viewer.css and
marked aria-pressed by static/js/reactions.js."""

from taskflow.chat import service
from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, Reaction
from taskflow.reactions import (  # noqa: F401 (their names here before they were shared)
    SLOW_DOWN,
    UNKNOWN,
    answer,
    picker_page,
    refusal,
    refused,
)


def toggle_on_message(message: ChatMessage, user_id: int, emoji: str) -> bool:
    """Add or remove the user's emoji on the message, then publish the message; whether it
    was added. The change is numbered first: in PostgreSQL that locks the room's changes, so
    concurrent toggles apply (and render) one after another, each seeing those before it."""
    message.seq = ChatRoom.next_seq(message.room_id)
    added = Reaction.toggle(user_id, emoji, message_id=message.id)
    db.session.expire(message, ["reactions"])  # rendered (before the commit) as it is now
    service.publish_numbered(message)
    return added
