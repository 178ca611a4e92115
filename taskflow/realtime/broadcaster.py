"""Fan-out through Redis pub/sub, one channel per topic.

Any process publishes an event to a topic ("room:7", "user:3", ...) on that topic's channel
(`taskflow:t:room:7`). Each web process runs one subscriber that is subscribed to the
channels of the topics its sockets follow, and only those: a process with no socket in room 7
never receives room 7's events. It subscribes when a topic's first local follower arrives and
unsubscribes when the last one leaves. The HTML of an event is rendered once by the publisher
and framed once by the subscriber; every recipient gets the same bytes.

An event is one rendering for everyone: nothing in it differs per reader (times come as
`<time datetime>` in UTC, which static/js/local_time.js shows in the reader's zone).

BROADCAST_CHANNELS = "single" keeps the former design (every event on one channel, every
process receives all of them): the benchmarks measure both.
"""

import json
import logging
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass

import redis
from flask import Flask, current_app

log = logging.getLogger(__name__)
CHANNEL = "taskflow:events"  # the single channel of BROADCAST_CHANNELS = "single"
PREFIX = "taskflow:t:"  # a topic's channel: PREFIX + topic
EVERY_TOPIC = PREFIX + "*"  # a pattern for every topic's channel (tests, tools)
SUBSCRIBE_TIMEOUT = 10.0  # seconds follow() waits for Redis to confirm a subscription
IDLE_PING = 30.0  # seconds of silence on the subscriber's connection before a PING


def channel(topic: str, design: str = "topic") -> str:
    """The Redis channel that carries `topic`'s events."""
    return CHANNEL if design == "single" else PREFIX + topic


@dataclass(frozen=True, slots=True)
class Event:
    topic: str
    kind: str  # "html": swap it in; "message": a room's numbered change; else: end sockets
    frame: bytes = b""  # the WebSocket text frame, encoded once for all recipients
    seq: int = 0  # the room's change number ("message"): a catch-up's are not sent twice
    scope: str = ""  # "close": the sockets it ends are those with this scope ("room:7")


def text_frame(text: str) -> bytes:
    """A complete unmasked server-to-client WebSocket text frame (RFC 6455 §5.2)."""
    return _frame(text.encode())


def _frame(payload: bytes) -> bytes:
    """text_frame of text already encoded (UTF-8, as published): not decoded to be encoded."""
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
    frame = _frame(html) if html else b""
    return Event(meta["t"], meta["k"], frame, meta["i"], meta["s"])


class Broadcaster:
    """The extension (created once in extensions.py): each app gets a Hub of its own in
    app.extensions, and these methods act on the current app's. Two apps in one process
    (a test, a tool) never publish to each other's Redis."""

    def init_app(self, app: Flask) -> None:
        design = app.config.get("BROADCAST_CHANNELS", "topic")
        app.extensions["broadcaster"] = Hub(app.redis, app.config["REDIS_URL"], design)

    def publish(
        self,
        topic: str,
        html: str = "",
        kind: str = "html",
        seq: int = 0,
        scope: str = "",
    ):
        return _hub().publish(topic, html, kind, seq, scope)

    def publish_all(self, events: list[tuple]) -> bool:
        return _hub().publish_all(events)

    def follow(self, connection) -> None:
        _hub().follow(connection)

    def unfollow(self, connection) -> None:
        _hub().unfollow(connection)


def _hub() -> "Hub":
    return current_app.extensions["broadcaster"]


class Hub:
    """One app's fan-out: its Redis, and in a web process one subscriber thread (a greenlet
    under gevent) handing events to the local sockets that follow them.

    The subscriber owns one Redis connection. Followers send SUBSCRIBE and UNSUBSCRIBE on it
    (under the lock, so that commands and the queue of their expected replies stay in the
    same order); the subscriber thread reads every reply and sets the confirmation of each
    SUBSCRIBE as its reply arrives. A channel left and joined again before Redis answered
    has an UNSUBSCRIBE and a SUBSCRIBE in flight: replies come back in the order sent, so the
    new follower waits for its own confirmation, not the one before the unsubscribe."""

    def __init__(self, client: redis.Redis, url: str, design: str = "topic") -> None:
        self.redis = client
        self._url = url
        self.stopping = False  # set once the process stops: no new sockets (stop_serving)
        self.design = design
        self._followers: dict[str, set] = {}
        self._channels: Counter[str] = Counter()  # followed topics per subscribed channel
        self._confirmed: dict[str, threading.Event] = {}  # each subscribed channel's
        self._expected: dict[str, deque] = {}  # per channel, the replies still to come
        self._lock = threading.Lock()
        self._connection: redis.Connection | None = None  # None: not (yet) connected
        self._thread: threading.Thread | None = None
        self._lost = False  # Redis was lost and is not back: nothing to wait for

    # -- publishing (any process) ------------------------------------------------------------

    def publish(
        self,
        topic: str,
        html: str = "",
        kind: str = "html",
        seq: int = 0,
        scope: str = "",
    ) -> bool:
        """Send an event to every follower of `topic` on every web process.

        Returns False when Redis is unreachable: the caller has already saved what matters, and
        sockets catch up from the database when the subscriber reconnects."""
        try:
            data = _encode(topic, kind, html, seq, scope)
            self.redis.publish(channel(topic, self.design), data)
            return True
        except redis.RedisError as error:
            log.warning("publish to %s failed: %s", topic, error)
            return False

    def publish_all(self, events: list[tuple]) -> bool:
        """Publish several events, each (topic, html, kind, seq, scope), in one
        round trip to Redis (a pipeline, not a transaction: each is published in order, as
        publish() one after the other would). A chat message is two events (the room's
        change and its activity): one round trip, not two, and one gevent switch."""
        if len(events) == 1:
            return self.publish(*events[0])
        try:
            pipe = self.redis.pipeline(transaction=False)
            for topic, html, kind, seq, scope in events:
                pipe.publish(channel(topic, self.design), _encode(topic, kind, html, seq, scope))
            pipe.execute()
            return True
        except redis.RedisError as error:
            log.warning("publish of %d events failed: %s", len(events), error)
            return False

    # -- following (web processes) -----------------------------------------------------------

    def follow(self, connection) -> None:
        """Start handing events of the connection's topics to it. Returns once Redis has
        confirmed the subscription of each of them, so nothing published to them after this
        call can be missed. (While Redis is away it returns at once: the subscriber closes
        every socket with 1012 when it is back, and the pages catch up.)"""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._listen, daemon=True, name="broadcast")
                self._thread.start()
            joined = []
            for topic in connection.topics:
                followers = self._followers.setdefault(topic, set())
                if not followers:
                    joined.append(channel(topic, self.design))
                followers.add(connection)
            self._join(joined)
            mine = {channel(topic, self.design) for topic in connection.topics}
            waits = [] if self._lost else [self._confirmed[name] for name in mine]
        deadline = time.monotonic() + SUBSCRIBE_TIMEOUT
        for confirmed in waits:
            if not confirmed.wait(max(0.0, deadline - time.monotonic())):
                log.warning("no subscribe confirmation within %ss", SUBSCRIBE_TIMEOUT)
                break

    def unfollow(self, connection) -> None:
        with self._lock:
            left = []
            for topic in connection.topics:
                followers = self._followers.get(topic)
                if followers is not None:
                    followers.discard(connection)
                    if not followers:
                        del self._followers[topic]
                        left.append(channel(topic, self.design))
            self._leave(left)

    def stop_following(self, connection, topics: frozenset[str]) -> None:
        """The connection no longer follows these topics (the rest it goes on following)."""
        with self._lock:
            left = []
            for topic in topics:
                followers = self._followers.get(topic)
                if followers is not None and connection in followers:
                    followers.discard(connection)
                    if not followers:
                        del self._followers[topic]
                        left.append(channel(topic, self.design))
            connection.topics = connection.topics - topics
            self._leave(left)

    def followers(self, topic: str) -> list:
        with self._lock:
            return list(self._followers.get(topic, ()))

    def channels(self) -> list[str]:
        """The channels this process is subscribed to (or subscribing)."""
        with self._lock:
            return list(self._channels)

    # Both under the lock: the order of commands is the order of expected replies.

    def _join(self, channels: list[str]) -> None:
        """Count a followed topic for each channel; subscribe the new ones."""
        new = []
        for name in channels:
            self._channels[name] += 1
            if self._channels[name] == 1:
                new.append(name)
        for name in new:
            self._confirmed[name] = threading.Event()
            self._expected.setdefault(name, deque()).append(self._confirmed[name])
        if new:
            self._send("SUBSCRIBE", new)

    def _leave(self, channels: list[str]) -> None:
        gone = []
        for name in channels:
            self._channels[name] -= 1
            if self._channels[name] <= 0:
                del self._channels[name]
                del self._confirmed[name]
                self._expected.setdefault(name, deque()).append(None)
                gone.append(name)
        if gone:
            self._send("UNSUBSCRIBE", gone)

    def _send(self, command: str, channels: list[str]) -> None:
        if self._connection is None:  # away: the subscriber subscribes all when it is back
            return
        try:
            self._connection.send_command(command, *channels, check_health=False)
        except (redis.RedisError, OSError) as error:
            log.warning("%s failed: %s", command, error)  # the subscriber will reconnect

    # -- the subscriber thread ---------------------------------------------------------------

    def _listen(self) -> None:
        failed = False
        while True:
            try:
                connection = self._connect()
                if failed:
                    # Events published while we were cut off are lost to us: every socket of
                    # this process reconnects (1012, which htmx retries) and catches up.
                    self.close_all(1012, "Reconnect to catch up")
                failed = False
                self._read(connection)
            except (redis.RedisError, OSError) as error:
                log.warning("subscriber lost Redis (%s); retrying", error)
                failed = True
                with self._lock:
                    self._connection, self._lost = None, True
                    for confirmed in self._confirmed.values():
                        confirmed.set()  # nobody waits for an answer that will not come
                time.sleep(0.5)

    def _connect(self) -> redis.Connection:
        """A new connection, subscribed to every channel that is followed now."""
        pool = redis.ConnectionPool.from_url(self._url)
        connection = pool.make_connection()
        connection.connect()
        with self._lock:
            self._expected = {}
            self._connection, self._lost = connection, False
            channels = list(self._channels)
            for name in channels:
                if self._confirmed[name].is_set():  # set when the last connection was lost
                    self._confirmed[name] = threading.Event()
                self._expected[name] = deque([self._confirmed[name]])
            if channels:
                connection.send_command("SUBSCRIBE", *channels, check_health=False)
        return connection

    def _read(self, connection: redis.Connection) -> None:
        pinged = False
        while True:
            if not connection.can_read(timeout=IDLE_PING):
                if pinged:  # no answer to the last PING in a whole period: the link is dead
                    raise redis.ConnectionError("no answer to PING")
                with self._lock:
                    connection.send_command("PING", check_health=False)
                pinged = True
                continue
            pinged = False
            reply = connection.read_response()
            kind = reply[0]
            if kind == b"message":
                self._deliver(_decode(reply[2]))
            elif kind in (b"subscribe", b"unsubscribe"):
                self._confirm(reply[1].decode())

    def _confirm(self, name: str) -> None:
        """A SUBSCRIBE or UNSUBSCRIBE reply: the next one expected on that channel."""
        with self._lock:
            expected = self._expected.get(name)
            confirmed = expected.popleft() if expected else None
            if expected is not None and not expected:
                del self._expected[name]
        if confirmed is not None:
            confirmed.set()

    def _deliver(self, event: Event) -> None:
        for connection in self.followers(event.topic):
            ended = connection.deliver(event)
            if ended:  # before the next event: nothing published after the end reaches it
                self.stop_following(connection, ended)

    def stop_serving(self) -> None:
        """This process is stopping: refuse new sockets, and hand the open ones back (1012,
        which pages reconnect at once, elsewhere)."""
        self.stopping = True
        self.close_all(1012, "Service restart")

    def close_all(self, code: int, reason: str) -> None:
        """End every socket of this process (its pages reconnect: 1012 is retried)."""
        with self._lock:
            connections = {c for followers in self._followers.values() for c in followers}
        for connection in connections:
            connection.close(code, reason)
