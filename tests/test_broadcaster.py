"""The broadcaster's Hub on a real Redis, in-process: a process receives only the topics its
sockets follow, and once follow() returns nothing published to them can be missed."""

import threading
from functools import partial

import pytest

from taskflow.realtime.broadcaster import CHANNEL, Event, Hub, channel

from .conftest import wait_until


class Follower:
    """The part of a Connection the Hub uses: its topics, and what it is handed."""

    def __init__(self, *topics: str) -> None:
        self.topics = frozenset(topics)
        self.events: list[Event] = []
        self.closed: tuple[int, str] | None = None

    def deliver(self, event: Event) -> None:
        self.events.append(event)

    def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = (code, reason)

    def got(self, html: str) -> bool:
        return any(html.encode() in event.frame for event in self.events)


class RecordingHub(Hub):
    """A Hub that notes every event its subscriber receives from Redis, followed or not."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.received: list[str] = []

    def _deliver(self, event: Event) -> None:
        self.received.append(event.topic)
        super()._deliver(event)


@pytest.fixture
def hub(app):
    return RecordingHub(app.redis, app.config["REDIS_URL"])


def subscribers(app, name: str) -> int:
    return dict(app.redis.pubsub_numsub(name))[name.encode()]


def test_a_process_receives_only_the_topics_it_follows(app, hub):
    room1 = Follower("room:1")
    hub.follow(room1)
    assert subscribers(app, channel("room:1")) == 1
    assert subscribers(app, channel("room:2")) == 0 and subscribers(app, CHANNEL) == 0
    hub.publish("room:2", "<p>for room two</p>")
    hub.publish("room:1", "<p>for room one</p>")
    wait_until(lambda: room1.got("for room one"), message="room 1's event never came")
    # Published in this order on one Redis: had room 2's come, it would have come first.
    assert hub.received == ["room:1"]
    hub.unfollow(room1)
    wait_until(lambda: subscribers(app, channel("room:1")) == 0, message="still subscribed")


def test_the_single_channel_design_still_delivers(app):
    hub = Hub(app.redis, app.config["REDIS_URL"], design="single")
    follower = Follower("room:1")
    hub.follow(follower)
    assert subscribers(app, CHANNEL) >= 1 and subscribers(app, channel("room:1")) == 0
    hub.publish("room:2", "<p>not mine</p>")
    hub.publish("room:1", "<p>mine</p>")
    wait_until(lambda: follower.got("mine"))
    assert not follower.got("not mine")
    hub.unfollow(follower)


def test_follow_then_publish_is_never_missed_across_follow_and_unfollow(hub):
    """The last follower leaves (UNSUBSCRIBE in flight) and a new one arrives at once: the
    new one must wait for its own subscription, not the one being undone."""
    for i in range(200):
        follower = Follower("room:7", "user:1")
        hub.follow(follower)
        hub.publish("room:7", f"<p>cycle {i}</p>")
        wait_until(partial(follower.got, f"cycle {i}"), timeout=5, message=f"missed cycle {i}")
        hub.unfollow(follower)


def test_follow_is_never_missed_while_others_come_and_go(hub):
    """Many sockets following and leaving one topic at once, from several threads."""
    missed: list[int] = []

    def churn(worker: int) -> None:
        for i in range(60):
            follower = Follower("room:9")
            hub.follow(follower)
            marker = f"w{worker}-{i}<"
            hub.publish("room:9", f"<p>{marker}</p>")
            try:
                wait_until(partial(follower.got, marker), timeout=5, message=marker)
            except AssertionError:
                missed.append(i)
            hub.unfollow(follower)

    threads = [threading.Thread(target=churn, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert missed == []
