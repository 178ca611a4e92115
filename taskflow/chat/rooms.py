"""Chat rooms of a board: the list (yours and the open ones), a new room, the room page (of
a direct message too) and its members."""

import secrets

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Row

from taskflow import chips, security
from taskflow.access import (
    managed_room,
    member_board,
    member_room,
    member_room_view,
    room_to_read,
)
from taskflow.chat import catch_up, intake, presence, render, room_service, unread
from taskflow.chat import service as chat
from taskflow.chat.forms import RoomForm, VisibilityForm, typed_usernames
from taskflow.converters import bounded_int, id_arg, on_page
from taskflow.extensions import db
from taskflow.htmx import fragment_or_redirect, is_htmx
from taskflow.models import Board, ChatMessage, ChatRoom, User, room_reads
from taskflow.models import room as room_model
from taskflow.models.room import DIRECT, LEVELS, direct_title, may_manage
from taskflow.names import name_key
from taskflow.people import shown_name
from taskflow.realtime import connection as live
from taskflow.realtime import topics
from taskflow.timezones import viewer_zone

bp = Blueprint("rooms", __name__)

# The room page lists its first members by name and how many more there are; so does its
# socket on connect and every change of the list (chat.render.MEMBERS_SHOWN): a big room's
# page stays light.
MEMBERS_SHOWN = render.MEMBERS_SHOWN
# The board's list of rooms shows a page of rooms; the room page's own list shows the
# first rooms and direct messages, with links to all of them: a member ticked into many
# rooms (or a board of many) does not make every room page longer.
ROOMS_PAGE = 50
SIDEBAR_ROOMS, SIDEBAR_DIRECTS = room_model.SIDEBAR_ROOMS, room_model.SIDEBAR_DIRECTS

# The members page: a page of members, and the board members to add as a list up to a
# point (then a username is typed); the new room form likewise ticks among the board's
# first people and takes the others' usernames.
MEMBERS_PAGE = 100
ADDABLE_SHOWN = PEOPLE_SHOWN = 100

NOT_A_MEMBER = "Someone ticked is not a valid choice: only the board's members can be added."


@bp.get("/boards/<int:board_id>/rooms")
def index(board_id: int):
    board = member_board(board_id)
    page = request.args.get("page", 1, type=bounded_int) or 1
    # A private room you are not in is not listed. One row more than a page: is there more?
    rows = on_page(
        page, room_reads.listed(board, current_user, (page - 1) * ROOMS_PAGE, ROOMS_PAGE + 1)
    )
    rooms, more = rows[:ROOMS_PAGE], len(rows) > ROOMS_PAGE
    # Unread counts of the listed rooms the user is in (the others link to nothing: Join).
    joined = [row.id for row in rooms if row.joined]
    states = {state.id: state for state in unread.of_rooms(joined, current_user.id)}
    return render_template(
        "chat/index.html", board=board, rooms=rooms, states=states, page=page, more=more
    )


@bp.route("/boards/<int:board_id>/rooms/new", methods=["GET", "POST"])
def create(board_id: int):
    board = member_board(board_id)
    form = RoomForm()
    # The board's first people to tick; on a bigger board the others' usernames are typed.
    people = Board.first_members(board.id, PEOPLE_SHOWN + 1, current_user.id)
    form.set_members(people[:PEOPLE_SHOWN], current_user)
    first = not ChatRoom.has_rooms(board)  # the board's first room is open: everyone finds it
    status = 200
    if form.validate_on_submit() and (members := _members_picked(board.id, form)) is not None:
        try:
            room = room_service.create_room(
                board,
                form.name.data,
                form.description.data or "",
                current_user,
                form.kind.data,
                members,
            )
            return redirect(url_for("rooms.show", room_id=room.id))
        except room_service.Refused as refused:
            form.name.errors.append(refused.reason)
            status = refused.status
    status = status if status != 200 else (422 if form.errors else 200)
    by_username = len(people) > PEOPLE_SHOWN or bool(form.usernames.data)
    page = render_template(
        "chat/new.html", board=board, form=form, first=first, by_username=by_username
    )
    return page, status


def _members_picked(board_id: int, form: RoomForm) -> list[int] | None:
    """The ids of the people ticked and typed on the new room form, all on the board (one
    query), or None with the reason on the form: the listed choices are only the first."""
    ids = set(form.members.data or []) - {current_user.id}
    names = typed_usernames(form.usernames.data)
    keys = {name_key(n) for n in names} - {current_user.username_key}
    found = Board.members_among(board_id, ids, keys)
    if ids - {user.id for user in found}:
        form.members.errors.append(NOT_A_MEMBER)
        return None
    missing = [n for n in names if name_key(n) not in {u.username_key for u in found}]
    missing = [n for n in missing if name_key(n) != current_user.username_key]
    if missing:
        form.usernames.errors.append(f"These people are not on this board: {', '.join(missing)}.")
        return None
    return [user.id for user in found]


@bp.get("/rooms/<int:room_id>")
def show(room_id: int):
    # Its members, and board members who have not joined an open room: they read it with
    # a Join bar in place of the composer (as Slack and Zulip preview public channels).
    room = room_to_read(room_id)
    before, around = id_arg("before"), id_arg("around")
    # ?reply_to=<id>: a message's Reply link without JavaScript opens the composer for it.
    reply_to = chat.reply_target(room.id, request.args.get("reply_to"))[0]
    if around is not None:  # a quote's link: the page around the original
        return _room_page(room, render.messages_around_html(room.id, around), reply_to=reply_to)
    if before is None:  # the latest page: the same list for every viewer, cached per change
        latest = render.latest_messages_html(
            room.id, room.created_at, room.seq, viewer_zone(), room.people_version
        )
        mark_read = not request.cookies.get(unread.JS_COOKIE)  # loaded without JavaScript
        return _room_page(room, latest, mark_read=mark_read, reply_to=reply_to)
    if is_htmx():  # "load older": only the older page
        messages, oldest = render.page_of_messages(room.id, before, viewer_zone())
        page = render_template(
            "chat/_messages_page.html", room_id=room.id, messages=messages, oldest=oldest
        )
        return chips.fill(page, current_user, viewer_zone())
    messages = render.messages_html(room.id, before, viewer_zone())
    return _room_page(room, messages, reply_to=reply_to)


@bp.post("/rooms/<int:room_id>/messages")
def post_message(room_id: int):
    """The composer without JavaScript, or while the socket is down: a plain form POST,
    checked and posted by chat/intake.py; here only its answer."""
    room = member_room(room_id)
    seq = id_arg("seq", 0, request.form)  # the last change the page saw: checked first
    user = current_user._get_current_object()
    outcome = intake.receive(room.id, user.id, request.form, lambda text: (room, user))
    if outcome.saved:  # a resend (same client id) is acknowledged, not counted again
        return _sent(room, outcome.message, outcome.outside, seq)
    content = request.form.get("content")
    if outcome.kind == intake.ANSWERED:  # /help: said to the sender, the composer emptied
        content = ""
    if is_htmx():  # the socket's answer to a refused message: the reason, the text back
        return live.error_html(outcome.reason) + render.draft_html(room.id, content), 200
    reply_to = chat.reply_target(room.id, request.form.get("reply_to"))[0]
    view = member_room_view(room.id)
    messages = render.latest_messages_html(
        view.id, view.created_at, view.seq, viewer_zone(), view.people_version
    )
    draft = (content or "")[:10000] if isinstance(content, str) else ""
    page = _room_page(view, messages, composer_error=outcome.reason, draft=draft, reply_to=reply_to)
    return page, outcome.status


def _sent(room: ChatRoom, message: ChatMessage, outside: list[User], seq: int):
    warning = render.mention_warning_html(room, current_user, outside)
    if is_htmx():  # JavaScript on, socket down: every change the page is missing, its own too
        return catch_up.changes(room.id, seq)[0] + render.upsert_html(message) + warning
    if outside:
        flash(
            " ".join(f"@{u.username}" for u in outside) + " is not in this room and was not"
            " notified.",
            "info",
        )
    return redirect(url_for("rooms.show", room_id=room.id, _anchor=f"message-{message.id}"))


@bp.post("/rooms/<int:room_id>/read")
def read(room_id: int):
    """The user has seen the room up to message `message` (all of it when absent): what
    unread.js posts when the socket is down (it sends a "read" frame otherwise)."""
    room = member_room(room_id)
    upto = id_arg("message", None, request.form)
    if not security.count("READ_RATE_LIMIT", "read", str(current_user.id)):
        return "Too many read positions at once. Slow down a little.", 429
    unread.mark_read(room.id, current_user.id, upto)
    return fragment_or_redirect(url_for("rooms.show", room_id=room.id), ("", 204))


@bp.post("/rooms/<int:room_id>/level")
def set_level(room_id: int):
    """The user's notification level in the room (everything, mentions only, nothing)."""
    room = member_room(room_id)
    level = request.form.get("level")
    if level not in LEVELS:
        abort(400)
    unread.set_level(room.id, current_user.id, level)
    if is_htmx():
        return render_template(
            "chat/_level_form.html", room_id=room.id, level=level, saved="Saved."
        )
    flash(f"Notifications of #{room.name}: {LEVEL_NAMES[level]}.", "success")
    return redirect(url_for("rooms.show", room_id=room.id))


LEVEL_NAMES = {"all": "everything", "mentions": "mentions only", "none": "nothing"}


@bp.get("/rooms/<int:room_id>/members")
def members(room_id: int):
    """Adding and removing members: a page of its own, so the room page stays light."""
    room = managed_room(room_id)
    visibility = VisibilityForm(kind=room.kind)
    page = request.args.get("page", 1, type=bounded_int) or 1
    # A page of members, and the first board members who could be added (beyond those,
    # the form takes a username): a big room or board does not make the page big.
    found = on_page(
        page, room_reads.members_page(room.id, (page - 1) * MEMBERS_PAGE, MEMBERS_PAGE + 1)
    )
    addable = room_reads.addable(room.id, room.board_id, ADDABLE_SHOWN + 1)
    return render_template(
        "chat/members.html",
        room=room,
        members=found[:MEMBERS_PAGE],
        page=page,
        more=len(found) > MEMBERS_PAGE,
        addable=addable[:ADDABLE_SHOWN],
        by_username=len(addable) > ADDABLE_SHOWN,
        visibility=visibility,
    )


@bp.post("/rooms/<int:room_id>/members")
def add_member(room_id: int):
    room = managed_room(room_id)
    if request.form.get("username"):  # typed: a board too big to list its members
        user = User.by_username(request.form["username"].strip().lstrip("@"))
        if user is None or not room.board.is_member(user):
            flash("Nobody of that username is on this board.", "error")
            return redirect(url_for("rooms.members", room_id=room.id))
    else:
        user = db.session.get(User, request.form.get("user_id", type=bounded_int) or 0)
        if user is None or not room.board.is_member(user):
            abort(400)
    room_service.add_member(room, user)
    return redirect(url_for("rooms.members", room_id=room.id))


@bp.post("/rooms/<int:room_id>/members/<int:user_id>/delete")
def remove_member(room_id: int, user_id: int):
    room = managed_room(room_id)
    user = db.session.get(User, user_id)
    if user is None or not room.is_member(user) or user.id == room.created_by_id:
        abort(400)
    room_service.remove_member(room, user)
    return redirect(url_for("rooms.members", room_id=room.id))


@bp.route("/rooms/<int:room_id>/delete", methods=["GET", "POST"])
def delete(room_id: int):
    """The room's creator or the board's owner deletes it, with its messages."""
    room = managed_room(room_id)
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
    room_service.delete_room(room)  # its open pages close on every process
    flash(f"Room #{name} deleted.", "info")
    return redirect(url_for("rooms.index", board_id=board_id))


def _this_readers(room: Row, messages: Markup, mark_read: bool) -> Markup:
    """The shared list as this reader sees it: their chips filled, "New" above their first
    unread message (and the room read, for a page without JavaScript)."""
    messages = chips.fill(messages, current_user, viewer_zone())
    if (room.latest_id or 0) > room.last_read_id:
        first = unread.first_unread_id(room.id, current_user.id, room.last_read_id)
        messages = unread.with_divider(messages, first)
        if mark_read:
            unread.mark_read(room.id, current_user.id, room.latest_id)
    return messages


def _room_page(room: Row, messages: Markup, mark_read: bool = False, **context) -> str:
    """The room page around its list of messages. `room` is room_reads.page_view's row: plain
    columns, and everything else the page shows is a light query of its own.

    "New" goes above the viewer's first unread message, in this page's copy of the shared
    list. A page loaded without JavaScript (`mark_read`: no unread.JS_COOKIE) has been seen
    once loaded: its room is read up to the newest message. With JavaScript the page says
    when it has been seen (visible, scrolled to the bottom: unread.js)."""
    read = room.last_read_id
    messages = _this_readers(room, messages, mark_read)
    members, total = room_reads.member_names(room.id, limit=MEMBERS_SHOWN)
    user_id = current_user.id
    rooms = room_reads.names_of_member(room.board_id, user_id)  # the board's, then direct ones
    direct = room.kind == DIRECT  # a direct message: its title is its other people
    # A direct message is read-only while its people share no board (one query, DMs only).
    read_only = chat.closed_to(room.id, room.kind, user_id)
    others = [shown_name(m) for m in members if m.id != current_user.id]
    return render_template(
        "chat/show.html",
        room=room,
        title=direct_title(others) if direct else f"#{room.name}",
        direct=direct,
        read_only=read_only,
        read=read,
        messages=messages,
        rooms=rooms,
        states={state.id: state for state in unread.of_rooms([r.id for r in rooms], user_id)},
        members=members,
        more_members=total - len(members),
        online=presence.online(topics.room(room.id)),
        can_manage=room.joined and may_manage(user_id, room.created_by_id, room.board_owner_id),
        seq=room.seq,  # read with the room, before its messages: never newer than they are
        client_id=secrets.token_urlsafe(16),  # a plain form resubmitted is saved once
        **context,
    )
