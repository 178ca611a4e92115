"""Accounts: register, log in, log out."""

import unicodedata
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from taskflow import security
from taskflow.accounts import account, login_guard, passwords, service
from taskflow.accounts.forms import LoginForm, RegisterForm
from taskflow.extensions import limiter
from taskflow.models import User

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("boards.index"))
    form = RegisterForm()
    if request.method == "POST" and not security.may_register():
        form.username.errors = [security.REGISTER_SLOW_DOWN]  # what was typed comes back
        return render_template("accounts/register.html", form=form), 429
    if form.validate_on_submit():
        user = service.register(form.username.data, form.password.data, form.time_zone.data)
        _start_session(user, remember=False)
        flash(f"Welcome to TaskFlow, {user.username}!", "success")
        return redirect(url_for("boards.index"))
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(security.login_ip_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("boards.index"))
    form = LoginForm()
    if form.validate_on_submit():
        if login_guard.blocked(form.username.data):  # even the right password waits
            form.password.errors.append(login_guard.BLOCKED)
            return render_template("accounts/login.html", form=form), 429
        user = User.by_username(form.username.data)
        # An unknown user costs a hash check too: the timing tells nothing.
        if passwords.verify(user and user.password_hash, form.password.data):
            service.take_browser_zone(user, form.time_zone.data)
            _start_session(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        login_guard.failed(form.username.data)
        form.password.errors.append("Wrong username or password.")
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    # The session row goes first: a copy of this session's cookies (or its remember cookie)
    # authenticates nothing afterwards, and the sockets it opened close. Then the session is
    # emptied before logout_user(), which marks the remember cookie for deletion.
    account.end_sessions(current_user.session_id)
    session.clear()
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))


def _start_session(user: User, remember: bool) -> None:
    # A fresh session at login: nothing from before (a planted session id) carries over.
    session.clear()
    account.start_session(user, remember)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted ?next= must not send the user elsewhere, nor break
    the redirect's header (a CR/LF or other control character)."""
    if target and any(unicodedata.category(c) == "Cc" for c in target):
        return url_for("boards.index")
    if target and target.startswith("/") and not target.startswith("//"):
        if not urlsplit(target).netloc and "\\" not in target:
            return target
    return url_for("boards.index")


PUBLIC_ENDPOINTS = {"auth.login", "auth.register", "main.healthz", "static"}


@bp.before_app_request
def require_login():
    """Every page but these few needs a logged-in user, new routes included. Sockets check
    for themselves, so that they can close with a code the page does not retry."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.blueprint == "ws":
        return None
    if current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()
