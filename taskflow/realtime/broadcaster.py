"""Fan-out through Redis pub/sub.

Any process publishes an event to a topic ("room:7", "user:3", ...). Each web process runs one
subscriber that receives every event and hands it to the sockets of that process which follow
the topic. The HTML of an event is rendered once by the publisher and framed once by the
subscriber; every recipient gets the same bytes.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass

import redis
from flask import Flask, current_app

log = logging.getLogger(__name__)
CHANNEL = "taskflow:events"


@dataclass(frozen=True, slots=True)
class Event:
    topic: str
    kind: str  # "html": swap it in; "message": a room's numbered change; else: end sockets
    frame: bytes = b""  # the WebSocket text frame, encoded once for all recipients
    seq: int = 0  # the room's change number ("message"): a catch-up's are not sent twice
    scope: str = ""  # "close": the sockets it ends are those with this scope ("room:7")


def text_frame(text: str) -> bytes:
    """A complete unmasked server-to-client WebSocket text frame (RFC 6455 §5.2)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


def _encode(topic: str, kind: str, html: str, seq: int, scope: str) -> bytes:
    head = json.dumps({"t": topic, "k": kind, "i": seq, "s": scope}, separators=(",", ":"))
    return f"{head}\n{html}".encode()


def _decode(data: bytes) -> Event:
    head, _, html = data.partition(b"\n")
    meta = json.loads(head)
    frame = text_frame(html.decode()) if html else b""
    return Event(meta["t"], meta["k"], frame, meta["i"], meta["s"])


class Broadcaster:
    """The extension (created once in extensions.py): each app gets a Hub of its own in
    app.extensions, and these methods act on the current app's. Two apps in one process
    (a test, a tool) never publish to each other's Redis."""

    def init_app(self, app: Flask) -> None:
        app.extensions["broadcaster"] = Hub(app.redis, app.config["REDIS_URL"])

    def publish(
        self, topic: str, html: str = "", kind: str = "html", seq: int = 0, scope: str = ""
    ):
        return _hub().publish(topic, html, kind, seq, scope)

    def follow(self, connection) -> None:
        _hub().follow(connection)

    def unfollow(self, connection) -> None:
        _hub().unfollow(connection)


def _hub() -> "Hub":
    return current_app.extensions["broadcaster"]


class Hub:
    """One app's fan-out: its Redis, and in a web process one subscriber thread (a greenlet
    under gevent) handing events to the local sockets that follow them."""

    def __init__(self, client: redis.Redis, url: str) -> None:
        self._followers: dict[str, set] = {}
        self._lock = threading.Lock()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self.redis = client
        self._url = url

    # -- publishing (any process) ------------------------------------------------------------

    def publish(
        self, topic: str, html: str = "", kind: str = "html", seq: int = 0, scope: str = ""
    ) -> bool:
        """Send an event to every follower of `topic` on every web process.

        Returns False when Redis is unreachable: the caller has already saved what matters, and
        sockets catch up from the database when the subscriber reconnects."""
        try:
            self.redis.publish(CHANNEL, _encode(topic, kind, html, seq, scope))
            return True
        except redis.RedisError as error:
            log.warning("publish to %s failed: %s", topic, error)
            return False

    # -- following (web processes) -----------------------------------------------------------

    def follow(self, connection) -> None:
        """Start handing events of the connection's topics to it. Returns once the subscriber
        listens, so nothing published after this call can be missed."""
        with self._lock:
            for topic in connection.topics:
                self._followers.setdefault(topic, set()).add(connection)
            if self._thread is None:
                self._thread = threading.Thread(target=self._listen, daemon=True, name="broadcast")
                self._thread.start()
        self._listening.wait(timeout=10)

    def unfollow(self, connection) -> None:
        with self._lock:
            for topic in connection.topics:
                followers = self._followers.get(topic)
                if followers is not None:
                    followers.discard(connection)
                    if not followers:
                        del self._followers[topic]

    def followers(self, topic: str) -> list:
        with self._lock:
            return list(self._followers.get(topic, ()))

    def _listen(self) -> None:
        failed = False
        while True:
            try:
                pubsub = redis.Redis.from_url(self._url, health_check_interval=30).pubsub()
                pubsub.subscribe(CHANNEL)
                while pubsub.get_message(timeout=5) is None:  # the subscribe confirmation
                    pass
                self._listening.set()
                if failed:
                    # Events published while we were cut off are lost to us: every socket of
                    # this process reconnects (1012, which htmx retries) and catches up.
                    self._close_all(1012, "Reconnect to catch up")
                failed = False
                for message in pubsub.listen():
                    if message["type"] == "message":
                        self._deliver(_decode(message["data"]))
            except redis.RedisError as error:
                log.warning("subscriber lost Redis (%s); retrying", error)
                failed = True
                time.sleep(0.5)

    def _deliver(self, event: Event) -> None:
        for connection in self.followers(event.topic):
            connection.deliver(event)

    def _close_all(self, code: int, reason: str) -> None:
        with self._lock:
            connections = {c for followers in self._followers.values() for c in followers}
        for connection in connections:
            connection.close(code, reason)
