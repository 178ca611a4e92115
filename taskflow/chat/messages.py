"""Editing and deleting one's own chat messages (HTTP, htmx or plain forms)."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from taskflow import security, texts
from taskflow.access import member_room
from taskflow.chat import reactions, render
from taskflow.chat import service as chat
from taskflow.extensions import db
from taskflow.htmx import fragment_or_redirect, page_or_fragment
from taskflow.models import ChatMessage
from taskflow.models.message import NOTICE

bp = Blueprint("messages", __name__)


@bp.route("/messages/<int:message_id>/edit", methods=["GET", "POST"])
def edit(message_id: int):
    message = _own_message(message_id)
    if message.kind == NOTICE:  # a command's notice says what was done: not to be rewritten
        abort(403)
    # A read-only direct message takes no edits: an edit delivers new text and mentions to
    # the others as a message would. Deleting stays possible (delete below).
    closed = chat.closed_to(message.room_id, message.room.kind, current_user.id)
    if closed:
        return reactions.refused(closed, 403)
    error, warning = None, ""
    if request.method == "POST":
        text, error = texts.text_to_send(request.form.get("content"), current_user.id)
        if not error:
            outside = chat.edit(message, text)
            warning = render.mention_warning_html(message.room, current_user, outside)
            return fragment_or_redirect(
                _location(message),
                lambda: render_template("chat/_message.html", message=message) + warning,
            )
    draft = request.form.get("content", message.content)
    status = security.refusal_status(error)
    return page_or_fragment(
        "chat/message_edit.html",
        "chat/_message_edit.html",
        status,
        message=message,
        error=error,
        draft=draft,
    )


@bp.route("/messages/<int:message_id>")
def show(message_id: int):
    """The message as it is now: what an in-place editor's Cancel (or Esc) puts back; without
    JavaScript, the room page at the message."""
    message = _readable_message(message_id)
    return fragment_or_redirect(
        _location(message), lambda: render_template("chat/_message.html", message=message)
    )


@bp.route("/messages/<int:message_id>/reply")
def reply(message_id: int):
    """The composer's reply target for this message (room.js asks for it: the excerpt is
    the server's); without JavaScript the room page with ?reply_to does it."""
    message = _readable_message(message_id)
    return fragment_or_redirect(
        url_for("rooms.show", room_id=message.room_id, reply_to=message.id),
        lambda: render_template("chat/_reply_target.html", room=message.room, reply_to=message),
    )


@bp.route("/messages/<int:message_id>/delete", methods=["GET", "POST"])
def delete(message_id: int):
    message = _own_message(message_id)
    if request.method == "GET":  # without JavaScript: confirm, with a form that has a token
        return render_template(
            "confirm.html",
            question="Delete this message?",
            detail=message.content[:200],
            action=url_for("messages.delete", message_id=message.id),
            button="Delete message",
            cancel=_location(message),
        )
    chat.delete(message)
    return fragment_or_redirect(url_for("rooms.show", room_id=message.room_id))


def _readable_message(message_id: int) -> ChatMessage:
    message = db.session.get(ChatMessage, message_id)
    if message is None or message.deleted_at is not None:
        abort(404)
    member_room(message.room_id)  # 404 for those who cannot read the room
    return message


def _own_message(message_id: int) -> ChatMessage:
    message = _readable_message(message_id)
    if message.author_id != current_user.id:
        abort(403)
    return message


def _location(message: ChatMessage) -> str:
    return url_for("rooms.show", room_id=message.room_id, _anchor=f"message-{message.id}")
