"""Headers every response carries, and rate limits (Flask-Limiter, counted in Redis).

The Content-Security-Policy allows scripts and styles from our own origin only: no inline
script or style, no eval (htmx runs with allowEval off, and no hx-on or js: values)."""

import logging

from flask import Flask, abort, current_app, request
from flask_limiter.util import get_remote_address
from limits import parse, parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from taskflow.htmx import is_htmx

log = logging.getLogger(__name__)

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    app.before_request(_plain_input)
    app.after_request(_headers)
    # Our own counters (messages, logins, invitations...) on this app's Redis. Flask-Limiter
    # keeps its storage on its (process-wide) extension object, so it serves only the
    # route decorators.
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["rate_limits"] = FixedWindowRateLimiter(storage)


def counters() -> FixedWindowRateLimiter:
    return current_app.extensions["rate_limits"]


def _plain_input() -> None:
    """What no browser form sends is a bad request (400) here, not a 500 further on.

    Forms also accept a JSON body (Flask-WTF reads it as the form's fields): only an object
    of strings fits a form, not a list or a number for a name. And no field holds a NUL
    character, which PostgreSQL text cannot store."""
    values = [v for _, listed in request.args.lists() for v in listed]
    if request.method != "GET" and request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
            abort(400)
        values += body.values()
    elif request.method != "GET":
        values += [v for _, listed in request.form.lists() for v in listed]
    if any("\x00" in value for value in values):
        abort(400)


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if response.mimetype == "text/html" and request.endpoint != "static":
        # Pages hold private data (boards, messages) and a CSRF token: no cache, shared or
        # the browser's own, may keep them for the next person at this computer.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def storage_uri(redis_url: str) -> str:
    """Flask-Limiter names a unix-socket Redis redis+unix://."""
    return (
        "redis+unix://" + redis_url[len("unix://") :]
        if redis_url.startswith("unix://")
        else redis_url
    )


def login_ip_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def may_send_message(user_id: int) -> bool:
    """Per-user message rate, shared by the socket and the form, by new messages and
    comments and by their edits (each edit is sent to everyone who sees it). Fails open if
    Redis is away: a message is never refused for want of a counter."""
    try:
        return counters().hit(
            parse(current_app.config["MESSAGE_RATE_LIMIT"]), "message", str(user_id)
        )
    except Exception:  # the storage is Redis; its outage must not stop the chat
        return True


def within(config_name: str, namespace: str, *keys: str) -> bool:
    """Whether one more event under the limits named in the config fits (nothing counted)."""
    try:
        limits = parse_many(current_app.config[config_name])
        return all(counters().test(item, namespace, *keys) for item in limits)
    except Exception:  # fail open: Redis away must not lock everyone out
        log.warning("rate limit %s not checked", namespace, exc_info=True)
        return True


def count(config_name: str, namespace: str, *keys: str) -> bool:
    """Count one event under the limits named in the config; whether it was within them."""
    try:
        limits = parse_many(current_app.config[config_name])
        return all([counters().hit(item, namespace, *keys) for item in limits])
    except Exception:  # fail open, as above
        log.warning("rate limit %s not counted", namespace, exc_info=True)
        return True


def may_change_board(user_id: int) -> bool:
    """Per-user rate of changes to boards (tasks and columns): each renders the change (a
    task's description up to 10,000 characters of Markdown) inside the request and sends it
    to everyone who has the board or the task open."""
    return count("BOARD_EDIT_RATE_LIMIT", "board-change", str(user_id))


def may_search(user_id: int) -> bool:
    """Per-user rate of searches (SEARCH_RATE_LIMIT): each reads the full-text indexes."""
    return count("SEARCH_RATE_LIMIT", "search", str(user_id))


def may_load_chips(user_id: int) -> bool:
    """Per-user rate of task chip loads (CHIP_RATE_LIMIT): each is a query."""
    return count("CHIP_RATE_LIMIT", "chips", str(user_id))


def client_address() -> str:
    return get_remote_address()


def may_register() -> bool:
    """Sign-ups per address: each costs a password hash and tells whether a name is taken."""
    return count("REGISTER_LIMIT_PER_IP", "register", client_address())


def refusal_status(error: str | None) -> int:
    """A form's answer: 422 for what it says is wrong, 429 for a sender who is too fast
    (except to htmx, which swaps only a 422 in place), 200 when all is well."""
    if error == SLOW_DOWN and not is_htmx():
        return 429
    return 422 if error else 200


SLOW_DOWN = "You are sending messages too fast. Slow down a little, then send it again."
BOARD_SLOW_DOWN = "You are changing boards too fast. Wait a few seconds, then try again."
SEARCH_SLOW_DOWN = "You are searching too fast. Wait a few seconds, then search again."
REGISTER_SLOW_DOWN = "Too many sign-ups from your address. Please wait a few minutes and try again."
