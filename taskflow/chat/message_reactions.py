"""Reacting to a chat message: the toggle (htmx, or a plain form), and without JavaScript
the page that offers the fixed set. Anyone who may read the room may react."""

from flask import Blueprint, abort, url_for
from flask_login import current_user

from taskflow.access import member_room
from taskflow.chat import reactions, render
from taskflow.chat import service as chat
from taskflow.extensions import db
from taskflow.models import ChatMessage

bp = Blueprint("message_reactions", __name__)


@bp.route("/messages/<int:message_id>/reactions", methods=["GET", "POST"])
def toggle(message_id: int):
    message = _readable_message(message_id)
    # A read-only direct message takes no reactions: each re-renders it for the others.
    closed = chat.closed_to(message.room_id, message.room.kind, current_user.id)
    if closed:
        return reactions.refused(closed, 403)
    back = url_for("rooms.show", room_id=message.room_id, _anchor=f"message-{message.id}")
    return reactions.answer(
        message,
        "message",
        url_for("message_reactions.toggle", message_id=message.id),
        back,
        lambda emoji: reactions.toggle_on_message(message, current_user.id, emoji),
        lambda: render.upsert_html(message),
    )


def _readable_message(message_id: int) -> ChatMessage:
    message = db.session.get(ChatMessage, message_id)
    if message is None or message.deleted_at is not None:
        abort(404)
    member_room(message.room_id)  # 404 for those who cannot read the room
    return message
