"""Board membership: the owner invites (see invitations.py) and removes members; a member
may leave."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from taskflow.access import member_board, owned_board
from taskflow.boards import board_service, invitation_service, invitations
from taskflow.boards.changes import Refused
from taskflow.boards.forms import MemberForm
from taskflow.converters import bounded_int
from taskflow.extensions import db
from taskflow.models import User

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
            invitation = invitation_service.send_invitation(board, current_user, form.username.data)
        except Refused as refused:
            form.username.errors.append(refused.reason)
            return _members_page(board, form, status=refused.status)
        flash(f"{invitation.invitee.username} is invited; they join when they accept.", "success")
        return _members_page(board, MemberForm(formdata=None))
    return _members_page(board, form, status=422)


@bp.post("/boards/<int:board_id>/members/<int:user_id>/delete")
def delete(board_id: int, user_id: int):
    board = member_board(board_id)
    user = db.session.get(User, user_id)
    try:
        leaving = board_service.remove_member(board, current_user, user)
    except Refused as refused:
        abort(refused.status)
    if leaving:
        flash(f"You left “{board.name}”.", "info")
        return redirect(url_for("boards.index"))
    flash(f"{user.username} was removed from the board.", "info")
    return _members_page(board, MemberForm(formdata=None))


def _members_page(board, form, status: int = 200):
    return invitations.members_page(board, form, status=status)
