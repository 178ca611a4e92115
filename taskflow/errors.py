"""Error pages that fit the app: a full page, or a small fragment for htmx."""

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from taskflow.extensions import db
from taskflow.htmx import is_htmx

MESSAGES = {
    400: "The request was not understood. Reload the page and try again.",
    403: "You are not allowed to do that.",
    404: "There is nothing here, or you have no access to it.",
    405: "That action is not available here.",
    413: "That was too large.",
    422: "Some of what you sent is not valid.",
    429: "Slow down a little and try again.",
    500: "Something went wrong on our side. Please try again.",
    503: "The service is briefly unavailable. Please try again.",
}


DATABASE_DOWN = "The database is briefly unavailable. Nothing was saved; please try again."


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def refusal(code: int, message: str):
    """The error page (or fragment, for htmx) with a message of the caller's: a refusal
    the user can act on."""
    return _render(code, message)


def _render(code: int, message: str | None = None):
    message = message or MESSAGES.get(code, "Something went wrong.")
    template = "errors/_fragment.html" if is_htmx() else "errors/page.html"
    return render_template(template, code=code, message=message), code


def _csrf_error(error: CSRFError):
    return _render(400, "Your form expired or was sent from elsewhere. Reload the page and retry.")


def _database_error(error: OperationalError):
    """The database did not answer (down, locked too long): a clear 503, nothing half-saved."""
    db.session.rollback()
    current_app.logger.warning("database unavailable: %s", error)
    return _render(503, DATABASE_DOWN)


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return _render(error.code)


def _unexpected_error(error: Exception):
    db.session.rollback()
    current_app.logger.exception("unhandled error", exc_info=error)
    return _render(InternalServerError.code)
