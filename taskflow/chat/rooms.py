"""Chat rooms of a board: the list, a new room, the room page and its members."""

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Row

from taskflow import security
from taskflow.access import member_board, member_room, member_room_view
from taskflow.chat import presence
from taskflow.chat import service as chat
from taskflow.chat.forms import RoomForm
from taskflow.converters import bounded_int, id_arg
from taskflow.extensions import db
from taskflow.htmx import is_htmx
from taskflow.models import ChatMessage, ChatRoom, User
from taskflow.models.room import may_manage
from taskflow.realtime import connection as live
from taskflow.realtime import topics
from taskflow.timezones import viewer_zone

bp = Blueprint("rooms", __name__)

# The room page lists its first members by name; its socket sends the whole list on connect
# (chat/sockets.py), so a big room's page stays light.
MEMBERS_SHOWN = 30


@bp.get("/boards/<int:board_id>/rooms")
def index(board_id: int):
    board = member_board(board_id)
    rooms = ChatRoom.of_member(board, current_user)  # a room you are not in stays private
    return render_template("chat/index.html", board=board, rooms=rooms)


@bp.route("/boards/<int:board_id>/rooms/new", methods=["GET", "POST"])
def create(board_id: int):
    board = member_board(board_id)
    form = RoomForm()
    form.set_members(board.members, current_user)
    if form.validate_on_submit():
        if ChatRoom.name_taken(board, form.name.data):
            form.name.errors.append("This board already has a room with that name.")
        else:
            room = ChatRoom(board, form.name.data, form.description.data or "", current_user)
            room.members += [db.session.get(User, uid) for uid in form.members.data]
            db.session.add(room)
            db.session.commit()
            return redirect(url_for("rooms.show", room_id=room.id))
    status = 422 if form.errors else 200
    return render_template("chat/new.html", board=board, form=form), status


@bp.get("/rooms/<int:room_id>")
def show(room_id: int):
    room = member_room_view(room_id)
    before = id_arg("before")
    if before is None:  # the latest page: the same list for every viewer, cached per change
        latest = chat.latest_messages_html(
            room.id, room.created_at, room.seq, viewer_zone(), room.people_version
        )
        return _room_page(room, latest)
    if is_htmx():  # "load older": only the older page
        messages, oldest = chat.page_of_messages(room.id, before, viewer_zone())
        return render_template(
            "chat/_messages_page.html", room_id=room.id, messages=messages, oldest=oldest
        )
    return _room_page(room, chat.messages_html(room.id, before, viewer_zone()))


@bp.post("/rooms/<int:room_id>/messages")
def post_message(room_id: int):
    """The composer without JavaScript, or while the socket is down: a plain form POST."""
    room = member_room(room_id)
    seq = id_arg("seq", 0, request.form)  # the last change the page saw: checked first
    text, error = chat.clean_content(request.form.get("content"))
    client_id, bad_id = chat.clean_client_id(request.form.get("client_id"))
    error = error or bad_id
    if not error:
        earlier, client_id = chat.already_sent(room.id, current_user.id, client_id)
        if earlier is not None:
            return _sent(room, earlier, [], seq)  # a resend: acknowledged, not counted again
    if not error and not security.may_send_message(current_user.id):
        error = security.SLOW_DOWN
    if error:
        status = 429 if error == security.SLOW_DOWN else 422
        if is_htmx():  # the socket's answer to a refused message: the reason, the text back
            content = request.form.get("content")
            return live.error_html(error) + chat.draft_html(room.id, content), 200
        draft = request.form.get("content", "")[:10000]
        view = member_room_view(room.id)
        messages = chat.latest_messages_html(
            view.id, view.created_at, view.seq, viewer_zone(), view.people_version
        )
        return _room_page(view, messages, composer_error=error, draft=draft), status
    message, outside, _ = chat.post(room, current_user, text, client_id=client_id)
    return _sent(room, message, outside, seq)


def _sent(room: ChatRoom, message: ChatMessage, outside: list[User], seq: int):
    warning = chat.mention_warning_html(room, current_user, outside)
    if is_htmx():  # JavaScript on, socket down: every change the page is missing, its own too
        zone = viewer_zone()
        return chat.changes(room.id, seq, zone)[0] + chat.upsert_html(message, zone) + warning
    if outside:
        flash(
            " ".join(f"@{u.username}" for u in outside) + " is not in this room and was not"
            " notified.",
            "info",
        )
    return redirect(url_for("rooms.show", room_id=room.id, _anchor=f"message-{message.id}"))


@bp.get("/rooms/<int:room_id>/members")
def members(room_id: int):
    """Adding and removing members: a page of its own, so the room page stays light."""
    room = _managed_room(room_id)
    return render_template("chat/members.html", room=room, addable=_not_in_room(room))


@bp.post("/rooms/<int:room_id>/members")
def add_member(room_id: int):
    room = _managed_room(room_id)
    user = db.session.get(User, request.form.get("user_id", type=bounded_int) or 0)
    if user is None or not room.board.is_member(user):
        abort(400)
    if user not in room.members:
        room.members.append(user)
        db.session.commit()
        chat.publish_members(room)
    return redirect(url_for("rooms.members", room_id=room.id))


@bp.post("/rooms/<int:room_id>/members/<int:user_id>/delete")
def remove_member(room_id: int, user_id: int):
    room = _managed_room(room_id)
    user = db.session.get(User, user_id)
    if user is None or user not in room.members or user.id == room.created_by_id:
        abort(400)
    room.members.remove(user)
    live.end_access(user.id, topics.room(room.id))
    db.session.commit()
    chat.publish_members(room)
    return redirect(url_for("rooms.members", room_id=room.id))


@bp.route("/rooms/<int:room_id>/delete", methods=["GET", "POST"])
def delete(room_id: int):
    """The room's creator or the board's owner deletes it, with its messages."""
    room = _managed_room(room_id)
    if request.method == "GET":
        return render_template(
            "confirm.html",
            question=f"Delete the room #{room.name}?",
            detail="All its messages are deleted with it. This cannot be undone.",
            action=url_for("rooms.delete", room_id=room.id),
            button="Delete room",
            cancel=url_for("rooms.show", room_id=room.id),
        )
    board_id, name = room.board_id, room.name
    db.session.delete(room)
    live.end_scope(topics.room(room_id))  # its open pages close on every process
    db.session.commit()
    flash(f"Room #{name} deleted.", "info")
    return redirect(url_for("rooms.index", board_id=board_id))


def _room_page(room: Row, messages: Markup, **context) -> str:
    """The room page around its list of messages. `room` is ChatRoom.page_view's row: plain
    columns, and everything else the page shows is a light query of its own."""
    members, total = ChatRoom.member_names(room.id, limit=MEMBERS_SHOWN)
    return render_template(
        "chat/show.html",
        room=room,
        messages=messages,
        rooms=ChatRoom.names_of_member(room.board_id, current_user.id),
        members=members,
        more_members=total - len(members),
        online=presence.online(topics.room(room.id)),
        can_manage=may_manage(current_user.id, room.created_by_id, room.board_owner_id),
        seq=room.seq,  # read with the room, before its messages: never newer than they are
        client_id=secrets.token_urlsafe(16),  # a plain form resubmitted is saved once
        **context,
    )


def _not_in_room(room: ChatRoom) -> list[User]:
    inside = {u.id for u in room.members}
    return [u for u in room.board.members if u.id not in inside]


def _managed_room(room_id: int) -> ChatRoom:
    room = member_room(room_id)
    if not room.can_manage(current_user):
        abort(403)
    return room
