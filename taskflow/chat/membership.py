"""Joining and leaving rooms, and whether a room is open or private.

Any member of a board may join its open rooms, and anyone may leave a room they are in
(not a direct message: its people are the conversation). The room's managers (its creator,
the board's owner) choose whether it is open. Each works as a plain form without JavaScript."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, exists

from taskflow import security
from taskflow.access import managed_room, member_room
from taskflow.chat import service as chat
from taskflow.chat.forms import VisibilityForm
from taskflow.extensions import db
from taskflow.models import ChatRoom
from taskflow.models.room import PRIVATE, room_members
from taskflow.realtime import connection as live
from taskflow.realtime import topics

bp = Blueprint("membership", __name__)


@bp.post("/rooms/<int:room_id>/join")
def join(room_id: int):
    """Join an open room of one of your boards; a private one does not exist for you."""
    room = ChatRoom.joinable(room_id, current_user)
    if room is None:
        abort(404)
    if not room.is_member(current_user):
        # Everyone in the room gets the new member list: limited like a message.
        if not security.may_send_message(current_user.id):
            flash(security.SLOW_DOWN, "error")
            return redirect(url_for("rooms.index", board_id=room.board_id))
        # One row, whatever the room's size (its members are not loaded), and once: two
        # tabs joining at once add the user once.
        if ChatRoom.add_members(room.id, [current_user.id]):
            db.session.commit()
            chat.publish_members(room)  # as adding a member does: the room's pages list them
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.route("/rooms/<int:room_id>/leave", methods=["GET", "POST"])
def leave(room_id: int):
    room = member_room(room_id)
    if room.is_direct:
        return leave_direct(room)
    last = room.kind == PRIVATE and room.member_count() == 1
    if request.method == "GET":
        return render_template(
            "confirm.html",
            question=f"Leave the room #{room.name}?",
            detail=_leave_detail(room, last),
            action=url_for("membership.leave", room_id=room.id),
            button="Leave room",
            cancel=url_for("rooms.show", room_id=room.id),
        )
    if last:  # nobody could find it again: it would be lost with its messages
        flash("You are the last member of this private room: delete it instead.", "error")
        return redirect(url_for("rooms.show", room_id=room.id))
    ChatRoom.remove_members(room.id, [current_user.id])  # its members are not loaded
    live.end_access(current_user.id, topics.room(room.id))  # the user's pages of it close
    db.session.commit()
    chat.publish_members(room)
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
    room_id = room.id
    ChatRoom.remove_members(room_id, [current_user.id])
    live.end_access(current_user.id, topics.room(room_id))  # the user's pages of it close
    room.direct_key = None  # no longer these people's conversation
    db.session.commit()
    # Only once the removal is committed: the last two leaving at once would each count the
    # other (not committed yet) and neither would delete it. Whichever commits last finds
    # no member here, in one statement.
    if _delete_if_empty(room_id):
        live.end_scope(topics.room(room_id))
        db.session.commit()
    elif (room := db.session.get(ChatRoom, room_id)) is not None:
        chat.publish_members(room)  # the others see the leaver gone
    flash("You left the conversation.", "info")
    return redirect(url_for("direct.index"))


def _delete_if_empty(room_id: int) -> bool:
    """Delete the room (its messages go with it) if nobody is in it; whether it was."""
    nobody = ~exists().where(room_members.c.room_id == room_id)
    gone = delete(ChatRoom).where(ChatRoom.id == room_id, nobody)
    return db.session.execute(gone.execution_options(synchronize_session=False)).rowcount > 0


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
    room.kind = form.kind.data
    db.session.commit()
    flash(f"#{room.name} is now {room.kind}.", "success")
    return redirect(url_for("rooms.members", room_id=room.id))
