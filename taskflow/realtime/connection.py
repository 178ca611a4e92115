"""One WebSocket connection: a bounded outgoing queue drained by a single writer, so a slow
or dead client never delays anyone else, and a reader that hands frames to a handler."""

import itertools
import json
import logging
import queue
import socket
import threading
import uuid
from collections.abc import Callable, Iterable

from simple_websocket import ConnectionClosed

from taskflow.extensions import broadcaster
from taskflow.realtime import fragments, socket_cap
from taskflow.realtime import topics as names
from taskflow.realtime.after_commit import broadcast
from taskflow.realtime.broadcaster import Event, text_frame

log = logging.getLogger(__name__)
QUEUE_SIZE = 256  # events a socket may fall behind before we drop it (its page catches up)
PING_INTERVAL = 25.0  # seconds of silence before a ping; no pong by the next one: dead
MAX_DEPTH = 32  # nesting of a client's JSON frame; ours are flat
_STOP = object()
# Why a socket is ended from the server, and the code it closes with. htmx-ext-ws retries
# only 1006, 1012 and 1013, so none of these is reconnected.
CLOSE_CODES = {
    "close": (4403, "Access ended"),  # the user lost access (removed from a board or room)
    "gone": (4410, "It was deleted"),  # the board, room or task the page follows is gone
    "logout": (4401, "Logged out"),  # the session that opened the socket has ended
    "evicted": (4429, "Too many connections"),  # the user opened more than SOCKETS_PER_USER
}
_ids = itertools.count(1)


class Connection:
    def __init__(self, ws, user_id: int, topics: Iterable[str], scopes: Iterable[str]) -> None:
        self.ws = ws
        self.id = next(_ids)
        self.key = uuid.uuid4().hex  # unique across processes: "socket:<key>" ends only this one
        self.user_id = user_id
        self.topics = frozenset(topics)
        # What this socket gives access to ("board:3", "room:7"), and itself.
        self.scopes = frozenset([*scopes, names.socket(self.key)])
        self.open = True
        self.state: dict = {}  # what the endpoint keeps about this socket's page
        self._queue: queue.Queue = queue.Queue(QUEUE_SIZE)
        self._close_code: tuple[int, str] | None = None  # set by the first close()
        self._writer: threading.Thread | None = None

    # Called by the broadcaster's thread: must never block.
    def deliver(self, event: Event) -> None:
        if event.kind in CLOSE_CODES:
            if event.scope in self.scopes:
                self.close(*CLOSE_CODES[event.kind])
            return
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.abort()  # too far behind: drop it; htmx reconnects and the page catches up

    def send(self, html: str) -> None:
        """A frame for this socket only (an error, a reply)."""
        self.deliver(Event("", "html", text_frame(html)))

    def close(self, code: int = 1000, reason: str = "") -> None:
        """The first reason given (access ended, logged out) is the one sent."""
        if self._close_code is None:
            self._close_code = (code, reason)
        self.open = False
        try:
            self._queue.put_nowait(_STOP)
        except queue.Full:
            self.abort()

    def abort(self) -> None:
        """End the connection at once, even if the writer is stuck on a slow client."""
        self.open = False
        try:
            self.ws.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.ws.event.set()  # wake the reader

    def start_writer(self, first: list[bytes], skip_upto: int, on_idle: Callable) -> None:
        self._writer = threading.Thread(
            target=self._write, args=(first, skip_upto, on_idle), daemon=True, name="ws-writer"
        )
        self._writer.start()

    def finish(self, timeout: float = 2.0) -> None:
        """After close(): let the writer send the close frame, with its code, before the
        server's own clean-up closes the socket with a plain 1000."""
        if self._writer is None:  # never started: nobody else writes to the socket
            try:
                self.ws.close(*(self._close_code or (1000, "")))
            except (ConnectionClosed, OSError):
                pass
            return
        self._writer.join(timeout)
        if self._writer.is_alive():  # stuck on a slow client: cut it off
            self.abort()

    def _write(self, first: list[bytes], skip_upto: int, on_idle: Callable) -> None:
        sock = self.ws.sock
        try:
            for frame in first:
                sock.sendall(frame)
            while True:
                try:
                    event = self._queue.get(timeout=PING_INTERVAL)
                except queue.Empty:
                    if not self._ping():
                        self.close(1011, "No pong")
                        break
                    on_idle(self)
                    continue
                if event is _STOP:
                    break
                if event.kind == "message" and event.seq <= skip_upto:
                    continue  # already sent by the catch-up
                sock.sendall(event.frame)
        except OSError:
            pass
        finally:
            self.open = False
            try:
                self.ws.close(*(self._close_code or (1000, "")))
            except (ConnectionClosed, OSError):
                pass
            self.ws.event.set()

    def _ping(self) -> bool:
        if not self.ws.pong_received:
            return False
        self.ws.pong_received = False
        self.ws.sock.sendall(b"\x89\x00")
        return True


def end_access(user_id: int, scope: str) -> None:
    """Once the change commits, close the user's sockets that depend on `scope`, on every
    web process."""
    broadcast(names.user(user_id), str, kind="close", scope=scope, key=("close", user_id, scope))


def evict(user_id: int, socket_key: str) -> None:
    """Close one of the user's sockets, wherever it is (beyond SOCKETS_PER_USER)."""
    broadcaster.publish(names.user(user_id), kind="evicted", scope=names.socket(socket_key))


def end_scope(scope: str, kind: str = "gone") -> None:
    """Once the change commits, close every socket that depends on `scope` ("board:3",
    "session:9"), whoever holds it."""
    broadcast(names.of_scope(scope), str, kind=kind, scope=scope, key=(kind, scope))


def frames(ws, connection: Connection):
    """The client's frames, parsed: yields dicts; answers bad JSON with an error frame."""
    while connection.open:
        data = ws.receive(timeout=PING_INTERVAL * 2)
        if data is None:
            continue
        try:
            frame = json.loads(data)
        except RecursionError:  # "[[[[…" thousands deep: the parser gives up
            frame = TOO_DEEP
        except (ValueError, TypeError):
            connection.send(error_html("That was not understood (invalid JSON)."))
            continue
        if frame is TOO_DEEP or _too_deep(frame):
            connection.send(error_html("That was not understood (nested too deeply)."))
            continue
        if not isinstance(frame, dict):
            connection.send(error_html("That was not understood (expected an object)."))
            continue
        yield frame


TOO_DEEP = object()


def _too_deep(value: object) -> bool:
    """Whether lists and objects nest beyond MAX_DEPTH (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def error_html(message: str) -> str:
    """The socket's error line under the composer ("" clears it)."""
    return fragments.render("realtime/_error.html", message=message)


def serve(
    ws,
    user_id: int,
    topics: Iterable[str],
    scopes: Iterable[str],
    handle: Callable[[Connection, dict], None],
    catch_up: Callable[[], tuple[list[bytes], int]] = lambda: ([], 0),
    on_open: Callable[[Connection], None] = lambda c: None,
    on_close: Callable[[Connection], None] = lambda c: None,
    on_idle: Callable[[Connection], None] = lambda c: None,
) -> None:
    """Run one socket: follow its topics and the user's personal stream, send what the page
    missed, then handle its frames. Access ends when a "close" event names one of its scopes.

    Following starts before the catch-up is read, and live messages the catch-up already
    covered are skipped, so a reconnecting page gets everything exactly once."""
    scopes = list(scopes)
    topics = [*topics, names.user(user_id), *map(names.of_scope, scopes)]
    connection = Connection(ws, user_id, topics, scopes)
    broadcaster.follow(connection)
    try:
        # Following first, so that a newer socket's "close" for this one cannot be missed.
        for oldest in socket_cap.opened(user_id, connection.key):
            evict(user_id, oldest)
        first, skip_upto = catch_up()
        connection.start_writer(first, skip_upto, on_idle)
        on_open(connection)
        for frame in frames(ws, connection):
            try:
                handle(connection, frame)
            except Exception:  # one frame's failure is reported, the socket goes on
                log.exception("frame handler failed")
                connection.send(error_html("That failed on our side. Please try again."))
    except ConnectionClosed:
        pass
    except Exception:  # never let a socket's failure reach the HTTP server as a response
        log.exception("socket failed")
        connection.close(1011, "Server error")
    finally:
        broadcaster.unfollow(connection)
        connection.close()
        connection.finish()
        socket_cap.closed(user_id, connection.key)
        try:
            on_close(connection)
        except Exception:
            log.exception("socket clean-up failed")
