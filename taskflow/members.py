"""Board membership: the owner adds and removes members; a member may leave."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from taskflow import live
from taskflow.access import member_board, owned_board
from taskflow.extensions import db
from taskflow.forms import MemberForm
from taskflow.htmx import is_htmx
from taskflow.models import ChatRoom, User

bp = Blueprint("members", __name__)


@bp.get("/boards/<int:board_id>/members")
def index(board_id: int):
    board = member_board(board_id)
    return render_template("members/index.html", board=board, form=MemberForm())


@bp.post("/boards/<int:board_id>/members")
def create(board_id: int):
    board = owned_board(board_id)
    form = MemberForm()
    if form.validate_on_submit():
        user = User.by_username(form.username.data)
        if user is None:
            form.username.errors.append("No user has that username.")
        elif board.is_member(user):
            form.username.errors.append(f"{user.username} is already a member.")
        else:
            board.add_member(user)
            db.session.commit()
            flash(f"{user.username} joined the board.", "success")
            return _members_page(board, MemberForm(formdata=None))
    return _members_page(board, form, status=422)


@bp.post("/boards/<int:board_id>/members/<int:user_id>/delete")
def delete(board_id: int, user_id: int):
    board = member_board(board_id)
    leaving = user_id == current_user.id
    if not leaving and not board.is_owner(current_user):
        abort(403)
    if user_id == board.owner_id:
        abort(403)  # the owner cannot leave or be removed; they delete the board instead
    user = db.session.get(User, user_id) or abort(404)
    board.remove_member(user)
    rooms = [room for room in ChatRoom.for_board(board) if user in room.members]
    for room in rooms:
        room.members.remove(user)
    db.session.commit()
    live.end_access(user.id, f"board:{board.id}")  # their open sockets close now
    if leaving:
        flash(f"You left “{board.name}”.", "info")
        return redirect(url_for("boards.index"))
    flash(f"{user.username} was removed from the board.", "info")
    return _members_page(board, MemberForm(formdata=None))


def _members_page(board, form, status: int = 200):
    if is_htmx():
        return render_template("members/_panel.html", board=board, form=form), status
    if status == 200:
        return redirect(url_for("members.index", board_id=board.id))
    return render_template("members/index.html", board=board, form=form), status
