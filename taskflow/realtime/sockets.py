"""What every socket endpoint shares: one blueprint ("ws") whose handshakes are checked
before the upgrade, and the serving of a page's socket. Each area declares its own endpoints
on this blueprint (chat/sockets.py, boards/sockets.py, notifications/sockets.py).

A handshake from a foreign Origin is refused before the upgrade (403): without that check any
site the user visits could open a socket as them. A socket the user may not open is accepted
and closed at once with a 44xx code, which htmx-ext-ws does not retry."""

from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, request
from flask_login import current_user

from taskflow.converters import id_arg
from taskflow.extensions import db
from taskflow.realtime import topics
from taskflow.realtime.connection import Connection, error_html, serve

bp = Blueprint("ws", __name__)


@bp.before_request
def check_origin() -> None:
    if request.headers.get("Origin") != allowed_origin():
        abort(403)


@bp.before_request
def check_serving() -> None:
    """A process that is stopping takes no new sockets (503): its pages are reconnecting,
    and must reach another process or its successor, not one about to go."""
    if current_app.extensions["broadcaster"].stopping:
        abort(503)


@bp.before_request
def check_ids() -> None:
    """A number in the query (?seq=) that is not one is refused before the upgrade (400)."""
    for name in ("seq", "before"):
        id_arg(name)


def allowed_origin() -> str:
    configured = current_app.config["PUBLIC_ORIGIN"]
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(request.host_url)
    scheme = "https" if parts.scheme in ("https", "wss") else "http"
    return f"{scheme}://{parts.netloc}"


def session_scope() -> str:
    """Every socket depends on the session that opened it: logging out closes it."""
    return topics.session(current_user.session_id)


def serve_view(
    ws,
    follows: list[str],
    scopes: list[str],
    first_frames: Callable[[], list[bytes]],
    on_idle: Callable[[Connection], None] = lambda c: None,
    because: Mapping[str, Iterable[str]] | None = None,
) -> None:
    """A socket that only listens: the page sends nothing over it. It starts with the page's
    state as it is now (`first_frames`, read after it follows its topics), then follows every
    change (`because`: see connection.serve)."""

    def handle(connection: Connection, frame: dict) -> None:
        connection.send(error_html("This page sends nothing over its socket."))

    def catch_up() -> tuple[list[bytes], int]:
        try:
            return first_frames(), 0
        finally:
            db.session.remove()  # never hold a database connection while a socket is open

    user_id = current_user.id
    db.session.remove()
    scopes = [*scopes, session_scope()]
    serve(
        ws,
        user_id,
        follows,
        scopes,
        handle,
        catch_up,
        on_idle=on_idle,
        because=because,
    )
