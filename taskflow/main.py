"""Pages that belong to no single area: the home redirect, health, notifications."""

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from taskflow.assets import viewer_css_version
from taskflow.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return redirect(url_for("boards.index"))


@bp.get("/healthz")
def healthz():
    status = {
        "database": _check(lambda: db.session.execute(text("SELECT 1"))),
        "redis": _check(current_app.redis.ping),
    }
    healthy = all(value == "ok" for value in status.values())
    return jsonify(status=("ok" if healthy else "error"), **status), 200 if healthy else 503


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:  # any failure of the probe means "not healthy", never a 500
        db.session.rollback()
        return f"error: {type(exc).__name__}"


@bp.get("/viewer.css")
def viewer_css():
    """What differs per viewer, as CSS keyed on data attributes: every viewer gets the same
    HTML for a message, and this sheet marks their own messages and hides their own typing."""
    css = render_template("viewer.css", user_id=current_user.id)
    response = current_app.response_class(css, mimetype="text/css")
    # Pages link it with v = the user and the template's version (base.html): that URL never
    # changes content, so it is kept a year and a warm page does not ask for it again.
    # Private: it names its viewer. Any other v (an old page) is kept an hour, as before.
    current = request.args.get("v") == viewer_css_version(current_user.id)
    response.headers["Cache-Control"] = (
        "private, max-age=31536000, immutable" if current else "private, max-age=3600"
    )
    return response
