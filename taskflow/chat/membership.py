"""Joining and leaving rooms, and whether a room is open or private.

Any member of a board may join its open rooms, and anyone may leave a room they are in
(not a direct message: its people are the conversation). The room's managers (its creator,
the board's owner) choose whether it is open. Each works as a plain form without JavaScript."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from taskflow.access import managed_room, member_room
from taskflow.chat import room_service
from taskflow.chat.forms import VisibilityForm
from taskflow.models import ChatRoom

bp = Blueprint("membership", __name__)


@bp.post("/rooms/<int:room_id>/join")
def join(room_id: int):
    """Join an open room of one of your boards; a private one does not exist for you."""
    room = ChatRoom.joinable(room_id, current_user)
    if room is None:
        abort(404)
    try:
        room_service.join(room, current_user)
    except room_service.Refused as refused:
        flash(refused.reason, "error")
    # Back where they read it (its page, or the list's Join: the room they chose to read).
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.route("/rooms/<int:room_id>/leave", methods=["GET", "POST"])
def leave(room_id: int):
    room = member_room(room_id)
    if room.is_direct:
        return leave_direct(room)
    last = room_service.is_last_member(room)
    if request.method == "GET":
        return render_template(
            "confirm.html",
            question=f"Leave the room #{room.name}?",
            detail=_leave_detail(room, last),
            action=url_for("membership.leave", room_id=room.id),
            button="Leave room",
            cancel=url_for("rooms.show", room_id=room.id),
        )
    try:
        room_service.leave(room, current_user)  # the user's pages of it close
    except room_service.Refused as refused:
        flash(refused.reason, "error")
        return redirect(url_for("rooms.show", room_id=room.id))
    flash(f"You left #{room.name}.", "info")
    return redirect(url_for("rooms.index", board_id=room.board_id))


def leave_direct(room: ChatRoom):
    """Leave a direct message (its page's form posts here; a GET asks first). The others
    keep it, without the leaver: it loses its key, so writing to the same people again
    starts a new conversation (which the leaver reads), and the last one out deletes it
    with its messages. The leaver's open pages of it close on every process."""
    if request.method == "GET":
        return render_template(
            "confirm.html",
            question="Leave this conversation?",
            detail="You will no longer read it; the others keep it.",
            action=url_for("membership.leave", room_id=room.id),
            button="Leave conversation",
            cancel=url_for("rooms.show", room_id=room.id),
        )
    room_service.leave_direct(room, current_user)
    flash("You left the conversation.", "info")
    return redirect(url_for("direct.index"))


def _leave_detail(room: ChatRoom, last: bool) -> str:
    if last:
        return "You are its last member: a private room nobody is in cannot be found again."
    if room.is_open:
        return "It is open: you can join it again from the board's rooms."
    return "It is private: only its creator or the board's owner can add you again."


@bp.post("/rooms/<int:room_id>/visibility")
def visibility(room_id: int):
    room = managed_room(room_id)  # a direct message has no managers
    form = VisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    room_service.set_visibility(room, form.kind.data)
    flash(f"#{room.name} is now {room.kind}.", "success")
    return redirect(url_for("rooms.members", room_id=room.id))
