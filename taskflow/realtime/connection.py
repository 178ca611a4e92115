"""One WebSocket connection: a bounded outgoing queue drained by the socket's own greenlet,
so a slow or dead client never delays anyone else, and the client's frames handed to a
handler.

Each socket has one greenlet, the one the server runs it in: it sleeps until the client's
socket is readable or the broadcaster has queued something to send, then reads, answers and
sends in turn. simple_websocket's background reader is not started (realtime.NoReaderThread): its
greenlet and stack would double what an idle socket costs. An idle socket costs that
greenlet, a small object, an empty deque and an io watcher; there is no writer greenlet and
no queue of locks per socket."""

import logging
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from itertools import count
from typing import Protocol

from flask import current_app, g
from gevent import get_hub
from simple_websocket import ConnectionClosed
from wsproto.utilities import LocalProtocolError

from taskflow.extensions import broadcaster, db
from taskflow.realtime import fragments, socket_cap
from taskflow.realtime import topics as names
from taskflow.realtime.after_commit import broadcast
from taskflow.realtime.broadcaster import Event, text_frame
from taskflow.realtime.client_frames import parse

log = logging.getLogger(__name__)
QUEUE_SIZE = 256  # events a socket may fall behind before we drop it (its page catches up)
PING_INTERVAL = 25.0  # seconds between pings (SOCKET_PING_SECONDS); no pong by the next: dead
STUCK_AFTER_CLOSE = 2.0  # seconds a close may wait for a send to a slow client
RECEIVE_BYTES = 4096  # read from the client's socket at a time
PING = b"\x89\x00"
# Why a socket is ended from the server, and the code it closes with. htmx-ext-ws retries
# only 1006, 1012 and 1013, so none of these is reconnected.
CLOSE_CODES = {
    "close": (4403, "Access ended"),  # the user lost access (removed from a board or room)
    "gone": (4410, "It was deleted"),  # the board, room or task the page follows is gone
    "logout": (4401, "Logged out"),  # the session that opened the socket has ended
    "evicted": (4429, "Too many connections"),  # the user opened more than SOCKETS_PER_USER
}
_ids = count(1)


class Connection:
    # Thousands per process: no per-instance dict.
    __slots__ = (
        "ws",
        "id",
        "key",
        "user_id",
        "topics",
        "scopes",
        "because",
        "open",
        "state",
        "skip_upto",
        "_out",
        "_close_code",
        "_sending",
        "_direct",
        "_readable",
    )

    def __init__(
        self,
        ws,
        user_id: int,
        topics: Iterable[str],
        scopes: Iterable[str],
        because: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.ws = ws
        self.id = next(_ids)
        self.key = uuid.uuid4().hex  # unique across processes: "socket:<key>" ends only this one
        self.user_id = user_id
        self.topics = frozenset(topics)
        # What this socket gives access to ("board:3", "room:7"), and itself.
        self.scopes = frozenset([*scopes, names.socket(self.key)])
        # Topics followed because of something the socket does not depend on (a board page
        # counts the messages of the user's rooms): by scope ("room:7" → "room-activity:7").
        # When the user's access to it ends the socket stays open, without those topics.
        self.because = {scope: frozenset(t) for scope, t in because.items()} if because else None
        self.open = True
        self.state: dict = {}  # what the endpoint keeps about this socket's page
        self.skip_upto = 0  # room changes up to this number were sent by the catch-up
        self._out: deque = deque()  # frames (bytes) and events waiting to be sent
        self._close_code: tuple[int, str] | None = None  # set by the first close()
        self._sending = False
        # Once the catch-up is out, the broadcaster writes straight to the socket when that
        # cannot block (see deliver); None until then, or where the socket is not gevent's.
        self._direct = None
        # Sets ws.event when the client's socket has something to read (started only while
        # the socket's greenlet waits); None where the socket is not gevent's.
        self._readable = _read_watcher(ws)

    # Called by the broadcaster's thread: must never block.
    def deliver(self, event: Event) -> frozenset[str] | None:
        """Send the event, or end the socket. Returns the topics it must stop following
        (access to what they were followed for ended), which the broadcaster does at once."""
        if event.kind in CLOSE_CODES:
            return self._end(event)
        if not self.open:  # closed: what comes after the close is not sent
            return None
        if self._direct is not None and not self._out and not self._sending:
            if event.kind == "message" and event.seq <= self.skip_upto:
                return None  # already sent by the catch-up
            frame = event.frame
            try:
                sent = self._direct(frame)
            except BlockingIOError:
                sent = 0
            except OSError:
                self.abort()
                return None
            if sent == len(frame):
                return None  # the common case: no greenlet woken, no queue
            event = frame[sent:]  # the socket's greenlet sends the rest
        if len(self._out) >= QUEUE_SIZE:
            self.abort()  # too far behind: drop it; htmx reconnects and the page catches up
            return None
        self._out.append(event)
        self.ws.event.set()  # wake the socket's greenlet
        return None

    def _end(self, event: Event) -> frozenset[str] | None:
        """An end of access (or a deletion, a logout): close if the socket depends on its
        scope; if it only follows topics because of it, those topics are what ends."""
        if event.scope in self.scopes:
            self.close(*CLOSE_CODES[event.kind])
        elif self.because and event.scope in self.because:
            return self.because.pop(event.scope) & self.topics
        return None

    def send(self, html: str) -> None:
        """A frame for this socket only (an error, a reply)."""
        self.deliver(Event("", "html", text_frame(html)))

    def close(self, code: int = 1000, reason: str = "") -> None:
        """The first reason given (access ended, logged out) is the one sent."""
        if self._close_code is None:
            self._close_code = (code, reason)
        self.open = False
        self.ws.event.set()
        if self._sending:  # the socket's greenlet may be stuck sending to a slow client
            threading.Timer(STUCK_AFTER_CLOSE, self._cut_if_stuck).start()

    def abort(self) -> None:
        """End the connection at once, even if a send is stuck on a slow client."""
        self.open = False
        try:
            self.ws.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.ws.event.set()  # wake the socket's greenlet

    def _cut_if_stuck(self) -> None:
        if self._sending:
            self.abort()

    def flush(self) -> None:
        """Send what is queued (in the socket's greenlet) in one write, not one per frame (a
        socket that fell behind catches up in one system call); a failed send ends it."""
        out, sock = self._out, self.ws.sock
        self._sending = True
        try:
            while out:  # more may be queued while a write waits for the client
                sock.sendall(b"".join([self._bytes(out.popleft()) for _ in range(len(out))]))
        except OSError:
            self.open = False
            out.clear()
        finally:
            self._sending = False

    def _bytes(self, item) -> bytes:
        """A queued frame, or an event's (none for a room change the catch-up sent)."""
        if isinstance(item, bytes):
            return item
        if item.kind == "message" and item.seq <= self.skip_upto:
            return b""
        return item.frame

    def finish(self) -> None:
        """After the last frame: the close frame, with the first reason given."""
        try:
            self.ws.close(*(self._close_code or (1000, "")))
        except (ConnectionClosed, OSError):
            pass

    def ping(self) -> bool:
        """A ping, if the last one was answered; False: the client is gone."""
        if not self.ws.pong_received:
            return False
        self.ws.pong_received = False
        self._out.append(PING)
        return True


class Served(Protocol):
    """What the transport runs: one socket of a kind (realtime/sockets.Socket, the base of
    each kind, says what each part is)."""

    user_id: int
    topics: list[str]
    scopes: list[str]
    because: dict[str, tuple[str, ...]]

    def catch_up(self) -> tuple[list[bytes], int]: ...
    def handle(self, connection: Connection, frame: dict) -> None: ...
    def opened(self, connection: Connection) -> None: ...
    def idle(self, connection: Connection) -> None: ...
    def closed(self, connection: Connection) -> None: ...


def end_access(user_id: int, scope: str) -> None:
    """Once the change commits, close the user's sockets that depend on `scope`, on every
    web process."""
    broadcast(names.user(user_id), str, kind="close", scope=scope, key=("close", user_id, scope))


def access_ended(user_id: int, scope: str) -> None:
    """As end_access, at once (no change to commit): for an end a socket may have missed
    while it was opening."""
    broadcaster.publish(names.user(user_id), kind="close", scope=scope)


def evict(user_id: int, socket_key: str) -> None:
    """Close one of the user's sockets, wherever it is (beyond SOCKETS_PER_USER)."""
    broadcaster.publish(names.user(user_id), kind="evicted", scope=names.socket(socket_key))


def end_scope(scope: str, kind: str = "gone") -> None:
    """Once the change commits, close every socket that depends on `scope` ("board:3",
    "session:9"), whoever holds it."""
    broadcast(names.of_scope(scope), str, kind=kind, scope=scope, key=(kind, scope))


def _read_watcher(ws):
    """The io watcher of the client's socket: gevent's socket has one for reads, unused since
    nothing else reads this socket; a new one otherwise."""
    watcher = getattr(ws.sock, "_read_event", None)
    return watcher if watcher is not None else get_hub().loop.io(ws.sock.fileno(), 1)


def _receive(ws) -> bool:
    """Read what the client has sent, without waiting; False if nothing was there. Whole
    messages go to ws.input_buffer; pings are answered and a close is noted by
    simple_websocket, as its reader thread would."""
    try:
        data = ws.sock._sock.recv(RECEIVE_BYTES)  # the non-blocking OS socket under gevent's
    except BlockingIOError:
        return False
    except OSError:
        data = b""
    if not data:  # the client went away without a close frame
        ws.connected = False
        return True
    try:
        ws.ws.receive_data(data)
        ws.connected = ws._handle_events()
    except (OSError, LocalProtocolError):
        ws.connected = False
    return True


def _wait(connection: Connection, timeout: float) -> bool:
    """Sleep until the client's socket is readable or something is queued (ws.event); False
    once `timeout` passes first. The watcher runs only while we sleep: while a frame is
    handled, a readable socket must not keep waking the hub."""
    ws, readable = connection.ws, connection._readable
    readable.start(ws.event.set)
    try:
        return ws.event.wait(timeout=max(0.0, timeout))
    finally:
        readable.stop()


def _run(connection: Connection, socket: Served, ping_every: float) -> None:
    """Until the connection closes: send what it has queued, hand the client's frames to
    `socket.handle` (size, JSON and depth checked; bad ones answered with an error frame), ping
    the client every `ping_every` seconds (then call socket.idle). One loop in the socket's own
    greenlet, which sleeps here, in a shallow frame, between frames."""
    ws = connection.ws
    next_ping = time.monotonic() + ping_every
    while True:
        ws.event.clear()  # before looking: a wake-up after this is not lost
        connection.flush()
        if not connection.open:
            return
        if ws.input_buffer:
            frame = parse(ws.input_buffer.pop(0))
            if isinstance(frame, str):  # not understood: said so, and the socket goes on
                connection.send(error_html(frame))
            else:
                _handle(socket, connection, frame)
            continue
        if not ws.connected:
            raise ConnectionClosed(ws.close_reason, ws.close_message)
        if _receive(ws):
            continue
        if not _wait(connection, next_ping - time.monotonic()):
            next_ping = time.monotonic() + ping_every
            if not connection.ping():
                connection.close(1011, "No pong")
                continue
            socket.idle(connection)


def _handle(socket: Served, connection: Connection, frame: dict) -> None:
    try:
        socket.handle(connection, frame)
    except Exception:  # one frame's failure is reported, the socket goes on
        log.exception("frame handler failed")
        connection.send(error_html("That failed on our side. Please try again."))
    finally:
        db.session.remove()  # never hold a database connection between frames


def error_html(message: str) -> str:
    """The socket's error line under the composer ("" clears it)."""
    return fragments.render("realtime/_error.html", message=message)


def serve(ws, socket: Served) -> None:
    """Run one socket: follow its topics, the topics it follows
    `because` of a scope, the user's personal stream and its scopes; send what the page missed;
    then hand it the page's frames until it closes. Access ends when a "close" event names one
    of its scopes (or, for a `because` scope, those topics end).

    Following starts before the catch-up is read, and live messages the catch-up already
    covered are skipped, so a reconnecting page gets everything exactly once."""
    # The handshake loaded the user (Flask-Login keeps it in g for the request, which lasts as
    # long as the socket): the socket needs only user_id.
    g.pop("_login_user", None)
    more = [topic for followed in socket.because.values() for topic in followed]
    scopes, user_id = socket.scopes, socket.user_id
    topics = [*socket.topics, *more, names.user(user_id), *map(names.of_scope, scopes)]
    connection = Connection(ws, user_id, topics, scopes, socket.because)
    broadcaster.follow(connection)
    try:
        _open(connection, socket)
        _run(connection, socket, current_app.config.get("SOCKET_PING_SECONDS", PING_INTERVAL))
    except ConnectionClosed:
        pass
    except Exception:  # never let a socket's failure reach the HTTP server as a response
        log.exception("socket failed")
        connection.close(1011, "Server error")
    finally:
        _close(connection, socket)


def _open(connection: Connection, socket: Served) -> None:
    """Make room under the user's cap, then send the catch-up before anything live."""
    # Following first, so that a newer socket's "close" for this one cannot be missed.
    for oldest in socket_cap.opened(connection.user_id, connection.key):
        evict(connection.user_id, oldest)
    try:
        first, connection.skip_upto = socket.catch_up()
    finally:
        db.session.remove()  # never hold a database connection while a socket is open
    connection._out.extendleft(reversed(first))  # before anything live
    del first  # sent below: not kept for the socket's life
    connection.flush()
    # gevent's socket wraps a non-blocking OS socket: its send() never waits.
    connection._direct = getattr(getattr(connection.ws.sock, "_sock", None), "send", None)
    socket.opened(connection)


def _close(connection: Connection, socket: Served) -> None:
    broadcaster.unfollow(connection)
    connection.close()
    connection.flush()  # what was queued before the close (an error, a reply)
    connection.finish()
    connection._readable.stop()
    socket_cap.closed(connection.user_id, connection.key)
    try:
        socket.closed(connection)
    except Exception:
        log.exception("socket clean-up failed")
