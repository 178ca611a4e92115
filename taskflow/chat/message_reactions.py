"""Reacting to a chat message: the toggle (htmx, or a plain form), and without JavaScript
the page that offers the fixed set. Anyone who may read the room may react."""

from flask import Blueprint, abort, url_for
from flask_login import current_user

from taskflow.access import member_room
from taskflow.chat import reactions, render
from taskflow.chat import service as chat
from taskflow.extensions import db
from taskflow.models import ChatMessage
from taskflow.reactions import Reactable

bp = Blueprint("message_reactions", __name__)

MESSAGE = Reactable(
    "message",
    "message_reactions.toggle",
    back=lambda m: url_for("rooms.show", room_id=m.room_id, _anchor=f"message-{m.id}"),
    toggle=reactions.toggle_on_message,
    fragment=render.upsert_html,
)


@bp.route("/messages/<int:message_id>/reactions", methods=["GET", "POST"])
def toggle(message_id: int):
    message = _readable_message(message_id)
    # A read-only direct message takes no reactions: each re-renders it for the others.
    closed = chat.closed_to(message.room_id, message.room.kind, current_user.id)
    if closed:
        return reactions.refused(closed, 403)
    return reactions.answer(message, MESSAGE)


def _readable_message(message_id: int) -> ChatMessage:
    message = db.session.get(ChatMessage, message_id)
    if message is None or message.deleted_at is not None:
        abort(404)
    member_room(message.room_id)  # 404 for those who cannot read the room
    return message
