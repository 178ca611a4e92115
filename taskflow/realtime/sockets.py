"""What every socket endpoint shares: one blueprint ("ws") whose handshakes are checked
before the upgrade, and `Socket`, the base of each kind of socket. Each area declares its own
endpoints on this blueprint (chat/sockets.py, boards/sockets.py), each one line: `run` the
area's Socket class.

A handshake from a foreign Origin is refused before the upgrade (403): without that check any
site the user visits could open a socket as them. A socket the user may not open is accepted
and closed at once with a 44xx code, which htmx-ext-ws does not retry."""

from collections.abc import Iterable, Mapping
from typing import Self
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, request
from flask_login import current_user

from taskflow.converters import id_arg
from taskflow.extensions import db
from taskflow.realtime import topics as names
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
    return names.session(current_user.session_id)


class Socket:
    """One kind of socket, like a Campfire channel: what it follows, what it sends on open and
    how it handles the page's frames. Each area subclasses it per kind of page; the transport
    runs one instance per socket for the socket's life (`run`, then connection.serve), so it
    keeps ids only, in slots (thousands per process).

    - `open` (a class method) checks the user's access and reads what the socket needs; None
      refuses it: the socket is accepted and closed with `refused` (44xx, not retried).
    - `topics`: what it follows (besides the user's own stream); `scopes`: what it depends on
      (an end of access to one closes it; the session is always one); `because`: topics it
      follows for a scope it does not depend on ("room:7": ["room-activity:7"]), which an end
      of access to that scope ends, not the socket.
    - `catch_up`: what it sends first, read once it follows its topics (see connection.serve).
    - `handle` each frame of the page, `idle` at each ping, `opened` and `closed`.
    The transport holds no database connection between these (db.session.remove)."""

    __slots__ = ("user_id", "topics", "scopes", "because")
    refused: tuple[int, str] = (4404, "Not found")  # the close when `open` refuses

    def __init__(
        self,
        follows: Iterable[str] = (),
        scopes: Iterable[str] = (),
        because: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.user_id: int = current_user.id
        self.topics = list(follows)
        self.scopes = [*scopes, session_scope()]
        self.because = {scope: tuple(more) for scope, more in (because or {}).items()}

    @classmethod
    def open(cls, *args) -> Self | None:
        """The socket of the current user for the endpoint's arguments, or None if they may
        not open it."""
        raise NotImplementedError

    def catch_up(self) -> tuple[list[bytes], int]:
        """The frames the page gets on each (re)connect, and the last room change they cover
        (live ones up to it are skipped). A subclass puts its own before its base's: the
        page's state first, then what every page of its kind gets (room counts, the badge)."""
        return [], 0

    def handle(self, connection: Connection, frame: dict) -> None:
        """A frame from the page (checked: a JSON object, not too deep)."""
        connection.send(error_html("This page sends nothing over its socket."))

    def opened(self, connection: Connection) -> None:
        """Once the catch-up is sent."""

    def idle(self, connection: Connection) -> None:
        """After each ping (every SOCKET_PING_SECONDS without a frame): refresh what expires."""

    def closed(self, connection: Connection) -> None:
        """Once the socket is closed, whatever closed it."""


def run(ws, kind: type[Socket], *args) -> None:
    """A socket endpoint's body: open the socket of `kind` for the current user and serve it
    until it closes, or refuse it."""
    socket = kind.open(*args)
    db.session.remove()  # never hold a database connection while a socket is open
    if socket is None:
        ws.close(*kind.refused)
        return
    serve(ws, socket)
