"""Profiles: your own (display name, time zone, avatar colour, theme) and the public view of someone
you share a board with. The browser's zone is taken at login and registration, or on the
first page a user without one opens (static/js/people.js posts it to /account/time-zone)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from taskflow import people, timezones
from taskflow.accounts import service
from taskflow.accounts.forms import ProfileForm
from taskflow.extensions import db
from taskflow.models import Board, User
from taskflow.models.board import Membership

bp = Blueprint("profile", __name__)


@bp.post("/account/time-zone")
def time_zone():
    """The first page a user without a zone opens sends the browser's (people.js); CSRF is
    checked by Flask-WTF as on every POST."""
    if timezones.clean_zone(request.form.get("time_zone")) is None:
        return "Unknown time zone.", 400
    service.save_browser_zone(current_user._get_current_object(), request.form["time_zone"])
    return "", 204


@bp.route("/profile", methods=["GET", "POST"])
def edit():
    user = current_user._get_current_object()
    form = ProfileForm(
        data={
            "display_name": user.display_name or "",
            "time_zone": timezones.zone_of(user),
            "avatar_color": people.avatar_color(user),
            "theme": user.theme,
        }
    )
    if form.validate_on_submit():
        data = form.data
        try:
            service.save_profile(
                user, data["display_name"], data["time_zone"], data["avatar_color"], data["theme"]
            )
        except service.Refused as refused:
            form.display_name.errors.append(refused.reason)
            return render_template("accounts/profile.html", form=form, user=user), 429
        flash("Profile saved.", "success")
        return redirect(url_for("profile.edit"))
    status = 422 if form.errors else 200
    return render_template("accounts/profile.html", form=form, user=user), status


@bp.get("/users/<username>")
def show(username: str):
    """Someone's public profile, for the people who share a board with them (else 404)."""
    person = User.by_username(username)
    if person is None:
        abort(404)
    boards = shared_boards(current_user.id, person.id)
    if not boards and person.id != current_user.id:
        abort(404)
    return render_template("accounts/user.html", person=person, boards=boards)


def shared_boards(user_id: int, other_id: int) -> list[Board]:
    """The boards both users are members of, by name (one query)."""
    mine = select(Membership.board_id).where(Membership.user_id == user_id)
    query = (
        select(Board)
        .join(Membership, Membership.board_id == Board.id)
        .where(Membership.user_id == other_id, Board.id.in_(mine))
        .order_by(Board.name)
    )
    return list(db.session.scalars(query))
