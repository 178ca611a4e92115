"""Presence and typing reach a room as small diffs, at most one frame a second per room.

Re-sending the whole member list on every join made a crowd's arrival quadratic (500 members
connecting: 22 MB to each page). Instead a change only marks its member "dirty" in a per-room
Redis set ("p:<user>" for presence, "t:<user>" for typing); whichever web process first takes
the room's flush lock (SET NX PX) sends, at once and then once a second while changes keep
coming, one frame with the current state of every member marked since: their `<li
id="member-N">` and `<span id="typer-N">`, swapped in by id on every page. When a second
passes with nothing marked, the lock is given back and the next change flushes at once again.

Every web process agrees through Redis, so two processes serving one room still send one frame
a second. A flush reads the state when it runs (who is online, who types), so a diff is never
older than the change that marked it, and every change is followed by a flush that saw it.
Like presence and typing, it tolerates Redis being away: pages go on, the diffs pause."""

import logging
import threading
import time
import uuid

import redis as redis_errors
from flask import Flask, current_app

from taskflow.chat import presence, typists
from taskflow.extensions import broadcaster, db
from taskflow.models import User
from taskflow.models.room import room_members
from taskflow.realtime import fragments, topics
from taskflow.tolerant import tolerant

log = logging.getLogger(__name__)

WINDOW = 1.0  # seconds: at most one diff frame per room in each
LOCK_MS = int(WINDOW * 2000)  # held while flushing; outlives a stalled flusher only briefly
PRESENCE, TYPING = "p", "t"


def changed(room_id: int, part: str, user_id: int) -> None:
    """`user_id`'s presence (PRESENCE) or typing (TYPING) in the room changed: every page of
    the room gets their new state in the next diff frame."""
    app = current_app._get_current_object()
    if _mark(app.redis, room_id, f"{part}:{user_id}"):
        _start_flusher(app, room_id)


def _dirty_key(room_id: int) -> str:
    return f"taskflow:room-diff:{topics.room(room_id)}"


def _lock_key(room_id: int) -> str:
    return f"taskflow:room-diff-lock:{topics.room(room_id)}"


@tolerant(False)
def _mark(redis, room_id: int, entry: str) -> bool:
    redis.sadd(_dirty_key(room_id), entry)
    return True


@tolerant(None)
def _claim(redis, room_id: int) -> str | None:
    """The room's flush lock, if no process holds it: a token to give it back with."""
    token = uuid.uuid4().hex
    return token if redis.set(_lock_key(room_id), token, nx=True, px=LOCK_MS) else None


def _start_flusher(app: Flask, room_id: int) -> None:
    token = _claim(app.redis, room_id)
    if token:  # under gevent a greenlet; it never blocks the socket that marked the change
        _spawn(_flush_loop, app, room_id, token)
    elif _watch(app, room_id):
        _spawn(_watch_loop, app, room_id)


def _spawn(target, *args) -> None:
    threading.Thread(target=target, args=args, daemon=True, name="room-diffs").start()


_watch_lock = threading.Lock()  # guards each app's set of watched rooms


def _watch(app: Flask, room_id: int) -> bool:
    """Whether this process starts watching the room (one watcher per room and process)."""
    watched: set = app.extensions.setdefault("room_diffs_watched", set())
    with _watch_lock:
        if room_id in watched:
            return False
        watched.add(room_id)
        return True


def _watch_loop(app: Flask, room_id: int) -> None:
    """Another process holds the flush lock. If it dies holding it (killed mid-deploy), the
    lock runs out after LOCK_MS, but what was marked meanwhile would wait for the next change:
    so while marks remain, look again each LOCK_MS, and flush them if the lock is free."""
    redis, watched = app.redis, app.extensions["room_diffs_watched"]
    try:
        while True:
            time.sleep(LOCK_MS / 1000)
            if not redis.scard(_dirty_key(room_id)):
                return  # the holder flushed them
            token = _claim(redis, room_id)
            if token:
                return _flush_loop(app, room_id, token)
    except redis_errors.RedisError as error:
        log.warning("room diffs watch paused: %s", error)
    finally:
        with _watch_lock:
            watched.discard(room_id)


def _flush_loop(app: Flask, room_id: int, token: str) -> None:
    """Flush now, then every WINDOW while there is something to send; then give the lock
    back, and take it again if a change slipped in between the last look and the release
    (nobody else could have flushed it: the lock was still ours)."""
    redis = app.redis
    with app.app_context():
        try:
            while True:
                if _flush(room_id):
                    time.sleep(WINDOW)
                    redis.pexpire(_lock_key(room_id), LOCK_MS)
                    continue
                _release(redis, room_id, token)
                if not redis.scard(_dirty_key(room_id)):
                    return
                token = _claim(redis, room_id)
                if token is None:  # another process took it: it flushes
                    return
        except redis_errors.RedisError as error:  # the lock runs out; the next change retries
            log.warning("room diffs paused: %s", error)
        except Exception:
            log.exception("room diff flush failed")
        finally:
            db.session.remove()


def _release(redis, room_id: int, token: str) -> None:
    key = _lock_key(room_id)
    if redis.get(key) == token.encode():
        redis.delete(key)


def _flush(room_id: int) -> bool:
    """Send one frame with the current state of every member marked since the last; whether
    anything was marked."""
    pipe = current_app.redis.pipeline()  # MULTI: what is read is exactly what is removed
    pipe.smembers(_dirty_key(room_id)).delete(_dirty_key(room_id))
    entries, _ = pipe.execute()
    if not entries:
        return False
    marked: dict[str, set[int]] = {PRESENCE: set(), TYPING: set()}
    for entry in entries:
        part, _, user = entry.decode().partition(":")
        marked.setdefault(part, set()).add(int(user))
    html = diff_html(room_id, marked[PRESENCE], marked[TYPING])
    if html:
        broadcaster.publish(topics.room(room_id), html)
    db.session.remove()
    return True


def diff_html(room_id: int, present: set[int], typed: set[int]) -> str:
    """The frame: each marked member's `<li>` as it is now (online or not), and each marked
    typist's line (typing, with how long it lasts, or stopped). Members who left the room
    are left out: their pages no longer show them."""
    users = _room_users(room_id, present | typed)
    online = presence.online(topics.room(room_id)) if present else set()
    until = typists.typing_until(room_id) if typed else {}
    now = time.time()
    typers = [
        (user, round(until[user.id] - now, 1) if user.id in until else None)
        for user in users
        if user.id in typed
    ]
    members = [user for user in users if user.id in present]
    if not members and not typers:
        return ""
    return fragments.render("chat/_room_diff.html", members=members, online=online, typists=typers)


def _room_users(room_id: int, user_ids: set[int]) -> list[User]:
    if not user_ids:
        return []
    return list(
        db.session.scalars(
            db.select(User)
            .join(room_members, room_members.c.user_id == User.id)
            .where(room_members.c.room_id == room_id, User.id.in_(user_ids))
            .order_by(User.id)
        )
    )
