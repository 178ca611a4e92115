"""Your account: change the password, see your sessions, log out everywhere.

Ending a session deletes its row (models/session.py) and closes, on every web process, the
sockets it opened: a copied cookie and an open page lose access together."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from taskflow.accounts import devices, login_guard, service
from taskflow.accounts.forms import PasswordChangeForm
from taskflow.accounts.service import end_sessions
from taskflow.extensions import db
from taskflow.models import User, UserSession

bp = Blueprint("account", __name__)


def start_session(user: User, remember: bool) -> None:
    """Log the user in with a new server-side session (login, register, password change)."""
    service.open_session(user, request.user_agent.string or "")
    login_user(user, remember=remember)


@bp.get("/account")
def show():
    return _page(PasswordChangeForm())


@bp.post("/account/password")
def change_password():
    """A new password ends every session of the user, this one included; this browser gets
    a new one at once. Wrong current passwords count as failed logins of the account
    (login_guard): an open session is not a way to guess the password without end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if login_guard.blocked(current_user.username):  # even the right password waits
            form.current.errors.append(login_guard.WRONG_PASSWORDS)
            return _page(form), 429
        if current_user.check_password(form.current.data):
            user = current_user._get_current_object()
            service.change_password(user, form.password.data)
            start_session(user, remember=False)
            flash("Password changed. Every other session was logged out.", "success")
            return redirect(url_for("account.show"))
        login_guard.failed(current_user.username)
        form.current.errors.append("That is not your current password.")
    return _page(form), 422


@bp.post("/account/logout-everywhere")
def logout_everywhere():
    end_sessions(*UserSession.ids_of(current_user.id))
    logout_user()
    flash("You have been logged out on every device.", "info")
    return redirect(url_for("auth.login"))


def _page(form: PasswordChangeForm):
    sessions = db.session.scalars(
        db.select(UserSession)
        .where(UserSession.user_id == current_user.id)
        .order_by(UserSession.id.desc())
    ).all()
    return render_template(
        "accounts/account.html",
        form=form,
        sessions=sessions,
        current_id=current_user.session_id,
        device=devices.describe,
    )
