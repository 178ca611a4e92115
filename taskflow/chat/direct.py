"""Direct messages: conversations of two to eight people who share a board, tied to no board.

A direct message is a chat room of kind "direct" without a board (models/room.py), so the
room page, its socket, typing, presence, catch-up and mentions serve it as they serve any
room; only its members read it. One conversation per set of people: picking the same people
again opens it (`direct_key`, unique)."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from taskflow import security
from taskflow.chat import unread
from taskflow.chat.forms import DirectForm, typed_usernames
from taskflow.converters import bounded_int, on_page
from taskflow.extensions import db
from taskflow.models import ChatRoom, User
from taskflow.models.board import Membership
from taskflow.models.room import LATEST_DIRECTS, MAX_DIRECT_PEOPLE
from taskflow.names import name_key

bp = Blueprint("direct", __name__)

STRANGERS = "You can write only to people who share a board with you"
TOO_MANY = f"A direct message holds at most {MAX_DIRECT_PEOPLE} people, you included."
NOBODY = "Pick at least one person to write to."
SLOW_DOWN = "You started many conversations in a short time. Wait a little, then try again."


class Refused(Exception):
    """Why these people cannot be written to, said to the user as it is."""


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
        page, ChatRoom.directs_of(current_user.id, (page - 1) * DIRECTS_PAGE, DIRECTS_PAGE + 1)
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
            room = open_direct(current_user, form.people.data or [], form.usernames.data or "")
        except Refused as refused:
            form.usernames.errors.append(str(refused))
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


def open_direct(user: User, ids: list[int], usernames: str) -> ChatRoom:
    """The direct message of `user` and the people picked (ids ticked, usernames typed):
    theirs if they have one, else a new one. Refused says why not."""
    people = pick(user, ids, usernames)
    everyone = [user.id, *(p.id for p in people)]
    room = ChatRoom.direct_between(everyone)
    if room is not None:
        return room
    if not security.count("DIRECT_LIMIT_PER_USER", "direct", str(user.id)):
        raise Refused(SLOW_DOWN)
    room = ChatRoom.direct(people, user)
    db.session.add(room)
    try:
        db.session.commit()
    except IntegrityError:  # the same people, opened at the same moment by one of them
        db.session.rollback()
        room = ChatRoom.direct_between(everyone)
        if room is None:
            raise
    return room


def pick(user: User, ids: list[int], usernames: str) -> list[User]:
    """The people picked besides the user, each once, all of them sharing a board with the
    user. Anyone else, existing or not, gets the same answer: nothing is learnt about
    usernames beyond the boards one is on."""
    names = typed_usernames(usernames)
    names = [n for n in names if name_key(n) != user.username_key]  # oneself: always in
    wanted_ids, wanted_keys = set(ids) - {user.id}, {name_key(n) for n in names}
    if len(wanted_ids) + len(wanted_keys) > 2 * MAX_DIRECT_PEOPLE:
        raise Refused(TOO_MANY)  # before any query: a long list is refused unread
    picked = or_(User.id.in_(wanted_ids), User.username_key.in_(wanted_keys))
    query = select(User).where(User.id.in_(_sharing_a_board(user.id)), picked)
    found = list(db.session.scalars(query)) if wanted_ids or wanted_keys else []
    missing_ids = wanted_ids - {u.id for u in found}
    missing_names = [n for n in names if name_key(n) not in {u.username_key for u in found}]
    if missing_ids or missing_names:
        who = ", ".join(missing_names)
        raise Refused(f"{STRANGERS}: {who}." if who else f"{STRANGERS}.")
    people = found  # one row per user: each is picked once however often it was named
    if not people:
        raise Refused(NOBODY)
    if len(people) + 1 > MAX_DIRECT_PEOPLE:
        raise Refused(TOO_MANY)
    return people


def people_sharing_a_board(user_id: int, limit: int) -> list[User]:
    """The first `limit` people on a board with the user, by name, the user left out."""
    query = (
        select(User)
        .where(User.id.in_(_sharing_a_board(user_id)), User.id != user_id)
        .order_by(User.username_key)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _sharing_a_board(user_id: int):
    """The ids of the members of the user's boards (the user among them), as a subquery."""
    mine = select(Membership.board_id).where(Membership.user_id == user_id)
    return select(Membership.user_id).where(Membership.board_id.in_(mine))
