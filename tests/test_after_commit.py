"""Broadcasts follow commits (realtime/after_commit.py): in-process, with the real Redis and
database, no live server needed."""

import time

from taskflow.extensions import broadcaster, db
from taskflow.models import User
from taskflow.realtime.after_commit import broadcast
from taskflow.realtime.broadcaster import EVERY_TOPIC


def published_until_sentinel(pubsub) -> list[bytes]:
    """Everything published before our sentinel (sent last), in order."""
    broadcaster.publish("test:sentinel", "sentinel")
    seen, deadline = [], time.monotonic() + 5
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.5)
        if message and message["type"] == "pmessage":
            if b"sentinel" in message["data"]:
                return seen
            seen.append(message["data"])
    raise AssertionError(f"no sentinel within 5 s; got {seen}")


def subscribed(app):
    pubsub = app.redis.pubsub()
    pubsub.psubscribe(EVERY_TOPIC)  # every topic's channel
    assert pubsub.get_message(timeout=5)["type"] == "psubscribe"
    return pubsub


def test_rendered_with_the_commit_published_after_it_once_per_key(app, ctx):
    pubsub = subscribed(app)
    user = User("alice", "correct horse battery")
    db.session.add(user)
    # Rendered just before the commit: it sees the id the flush gives the new row.
    broadcast("test:users", lambda: f"user {user.id} created", key="users")
    broadcast("test:users", lambda: "declared twice, published once", key="users")
    assert published_until_sentinel(pubsub) == []  # nothing before the commit
    db.session.commit()
    published = published_until_sentinel(pubsub)
    assert len(published) == 1 and f"user {user.id} created".encode() in published[0]


def test_nothing_is_published_after_a_rollback(app, ctx):
    pubsub = subscribed(app)
    db.session.add(User("bob", "correct horse battery"))
    broadcast("test:users", lambda: "never happened")
    db.session.rollback()
    db.session.commit()  # a later commit publishes nothing of the rolled-back change
    assert published_until_sentinel(pubsub) == []
