"""Headers every response carries, and rate limits (Flask-Limiter, counted in Redis).

The Content-Security-Policy allows scripts and styles from our own origin only: no inline
script or style, no eval (htmx runs with allowEval off, and no hx-on or js: values)."""

from flask import Flask, current_app, request
from limits import parse

from taskflow.extensions import limiter

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
    app.after_request(_headers)


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
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


def login_account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def login_account_key() -> str:
    return "login-account:" + request.form.get("username", "").strip().lower()[:30]


def may_send_message(user_id: int) -> bool:
    """Per-user message rate, shared by the socket and the form. Fails open if Redis is
    away: a message is never refused for want of a counter."""
    try:
        return limiter.limiter.hit(
            parse(current_app.config["MESSAGE_RATE_LIMIT"]), "message", str(user_id)
        )
    except Exception:  # the storage is Redis; its outage must not stop the chat
        return True


SLOW_DOWN = "You are sending messages too fast. Slow down a little, then send it again."
