"""Direct messages: conversations of two to eight people who share a board, tied to no board.

A direct message is a chat room of kind "direct" without a board (models/room.py), so the
room page, its socket, typing, presence, catch-up and mentions serve it as they serve any
room; only its members read it. One conversation per set of people: picking the same people
again opens it (`direct_key`, unique)."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from taskflow.chat import room_service, unread
from taskflow.chat.forms import DirectForm, typed_usernames
from taskflow.converters import bounded_int, on_page
from taskflow.extensions import db
from taskflow.models import User, room_reads
from taskflow.models.room import LATEST_DIRECTS, MAX_DIRECT_PEOPLE

bp = Blueprint("direct", __name__)

# /direct lists a page of conversations: each starts at someone else's will (within
# DIRECT_LIMIT_PER_USER), so over time there may be many. The navigation counts the first
# page's.
DIRECTS_PAGE = LATEST_DIRECTS
# The new message form lists this many people to tick (by name); anyone else is typed.
PEOPLE_SHOWN = 100


@bp.get("/direct")
def index():
    page = request.args.get("page", 1, type=bounded_int) or 1
    found = on_page(
        page, room_reads.directs_of(current_user.id, (page - 1) * DIRECTS_PAGE, DIRECTS_PAGE + 1)
    )
    directs, more = found[:DIRECTS_PAGE], len(found) > DIRECTS_PAGE
    states = {
        state.id: state for state in unread.of_rooms([d.id for d in directs], current_user.id)
    }
    return render_template(
        "chat/direct/index.html", directs=directs, states=states, page=page, more=more
    )


@bp.route("/direct/new", methods=["GET", "POST"])
def create():
    form = DirectForm()
    # The first people one shares a board with are listed; the others' usernames are typed.
    people = people_sharing_a_board(current_user.id, PEOPLE_SHOWN + 1)
    form.set_people(people[:PEOPLE_SHOWN])
    if form.validate_on_submit():
        try:
            names = typed_usernames(form.usernames.data or "")
            room = room_service.open_direct(current_user, form.people.data or [], names)
        except room_service.Refused as refused:
            form.usernames.errors.append(refused.reason)
        else:
            return redirect(url_for("rooms.show", room_id=room.id))
    status = 422 if form.errors else 200
    page = render_template(
        "chat/direct/new.html",
        form=form,
        max_others=MAX_DIRECT_PEOPLE - 1,
        more_people=len(people) > PEOPLE_SHOWN,
    )
    return page, status


def people_sharing_a_board(user_id: int, limit: int) -> list[User]:
    """The first `limit` people on a board with the user, by name, the user left out."""
    query = (
        select(User)
        .where(User.id.in_(room_service.sharing_a_board(user_id)), User.id != user_id)
        .order_by(User.username_key)
        .limit(limit)
    )
    return list(db.session.scalars(query))
