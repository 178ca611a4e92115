"""Pages that belong to no single area: the home redirect, health, notifications."""

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

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
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
