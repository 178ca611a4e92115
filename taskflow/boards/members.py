"""Board membership: the owner invites (see invitations.py) and removes members; a member
may leave."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from taskflow.access import member_board, owned_board
from taskflow.boards import invitations
from taskflow.boards.forms import MemberForm
from taskflow.converters import bounded_int
from taskflow.extensions import db
from taskflow.models import ChatRoom, User
from taskflow.realtime import connection as live
from taskflow.realtime import topics

bp = Blueprint("members", __name__)
MEMBERS_PAGE = invitations.MEMBERS_PAGE


@bp.get("/boards/<int:board_id>/members")
def index(board_id: int):
    board = member_board(board_id)
    page = request.args.get("page", 1, type=bounded_int) or 1
    context = invitations.panel_context(board, page=page)
    return render_template("boards/members/index.html", **context)


@bp.post("/boards/<int:board_id>/members")
def create(board_id: int):
    board = owned_board(board_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            invitation = invitations.invite(board, form.username.data)
        except invitations.InviteRefused as refused:
            form.username.errors.append(refused.message)
            return _members_page(board, form, status=refused.status)
        flash(f"{invitation.invitee.username} is invited; they join when they accept.", "success")
        return _members_page(board, MemberForm(formdata=None))
    return _members_page(board, form, status=422)


@bp.post("/boards/<int:board_id>/members/<int:user_id>/delete")
def delete(board_id: int, user_id: int):
    board = member_board(board_id)
    user = db.session.get(User, user_id)
    # Before anything else: removing anyone else would record their removal (the invite
    # link refuses them, the owner's list shows them), which would tell who an id is.
    if user is None or not board.is_member(user):
        abort(404)
    leaving = user_id == current_user.id
    if not leaving and not board.is_owner(current_user):
        abort(403)
    if user_id == board.owner_id:
        abort(403)  # the owner cannot leave or be removed; they delete the board instead
    board.remove_member(user)
    if not leaving:  # the invite link refuses them until the owner invites them again
        invitations.record_removal(board, user)
    ChatRoom.leave_board(board.id, user.id)  # one DELETE, whatever the rooms' sizes
    live.end_access(user.id, topics.board(board.id))  # their open sockets close
    db.session.commit()
    if leaving:
        flash(f"You left “{board.name}”.", "info")
        return redirect(url_for("boards.index"))
    flash(f"{user.username} was removed from the board.", "info")
    return _members_page(board, MemberForm(formdata=None))


def _members_page(board, form, status: int = 200):
    return invitations.members_page(board, form, status=status)
