"""Presence and typing reach a room as small diffs, coalesced per room: a crowd joining at
once costs each page a few bytes per member, in about one frame a second, never the whole
member list again (issue 12). Sizes and counts only; the timing figures are bench/join.py's."""

import math
import re
import time

from taskflow.extensions import db
from taskflow.models import ChatRoom, User

from .conftest import following, frames_until, http_login, receive_until, send, ws_connect

JOINERS = 12
MEMBER = re.compile(r'<li id="member-(\d+)" class="(online|offline)"')


def add_joiners(app, make_user, room_id: int, count: int = JOINERS) -> list[str]:
    names = [f"joiner{i}" for i in range(count)]
    for name in names:
        make_user(name)
    with app.app_context():
        room = db.session.get(ChatRoom, room_id)
        for name in names:
            user = User.by_username(name)
            room.board.add_member(user)
            room.members.append(user)
        db.session.commit()
        db.session.remove()
    return names


def user_ids(app, names: list[str]) -> set[int]:
    with app.app_context():
        return {User.by_username(name).id for name in names}


def test_a_crowd_joining_reaches_others_as_small_coalesced_diffs(
    live_server, app, make_user, chat_room
):
    names = add_joiners(app, make_user, chat_room)
    ids = user_ids(app, names)
    sessions = [http_login(live_server, name) for name in names]
    path = f"/ws/chat-room/{chat_room}"
    alice = ws_connect(live_server, path, http_login(live_server, "alice"))
    following(alice)

    shown: dict[int, str] = {}

    def everyone_online(frame: str) -> bool:
        shown.update((int(user), state) for user, state in MEMBER.findall(frame))
        return all(shown.get(user) == "online" for user in ids)

    start = time.monotonic()
    joiners = [ws_connect(live_server, path, session) for session in sessions]
    frames = frames_until(alice, everyone_online, timeout=15)
    elapsed = time.monotonic() - start

    presence = [frame for frame in frames if 'id="member-' in frame]
    assert not any('id="room-members"' in frame for frame in frames), "the whole list again"
    # Each joiner's state once or so, a hundred-odd bytes each, however many are in the room.
    assert sum(len(frame.encode()) for frame in presence) <= 120 * JOINERS, presence
    # Coalesced: at most one presence frame per second of joining (plus the first).
    assert len(presence) <= math.ceil(elapsed) + 1, (len(presence), elapsed)

    # A late joiner gets the whole list once, to itself, with everyone online.
    dave = ws_connect(live_server, path, http_login(live_server, "bob"))
    first = "".join(following(dave))
    assert first.count('id="room-members"') == 1
    online = {int(user) for user, state in MEMBER.findall(first) if state == "online"}
    assert ids <= online and len(online) == JOINERS + 2  # alice and bob too
    for ws in (*joiners, dave, alice):
        ws.close()


def test_leaving_is_a_diff_too(live_server, app, chat_room):
    path = f"/ws/chat-room/{chat_room}"
    alice = ws_connect(live_server, path, http_login(live_server, "alice"))
    following(alice)
    bob = ws_connect(live_server, path, http_login(live_server, "bob"))
    bob_id = user_ids(app, ["bob"]).pop()
    joined = receive_until(alice, f'id="member-{bob_id}"')
    assert f'<li id="member-{bob_id}" class="online"' in joined
    bob.close()
    left = receive_until(alice, f'<li id="member-{bob_id}" class="offline"')
    assert 'id="room-members"' not in left and len(left) < 300


def test_typing_is_sent_as_one_typists_diff(live_server, app, make_user, chat_room):
    (carol_name,) = add_joiners(app, make_user, chat_room, count=1)
    bob_id, carol_id = user_ids(app, ["bob"]).pop(), user_ids(app, [carol_name]).pop()
    path = f"/ws/chat-room/{chat_room}"
    alice = ws_connect(live_server, path, http_login(live_server, "alice"))
    bob = ws_connect(live_server, path, http_login(live_server, "bob"))
    carol = ws_connect(live_server, path, http_login(live_server, carol_name))
    for ws in (bob, carol):
        following(ws)

    send(bob, type="typing")
    shown = receive_until(alice, f'id="typer-{bob_id}"')
    assert "bob is typing…" in shown and 'data-expires-in="' in shown
    assert 'id="typing-indicator"' not in shown  # a diff into the line, not the line

    send(carol, type="typing")
    second = receive_until(alice, f'id="typer-{carol_id}"')
    assert f"{carol_name} is typing…" in second
    assert f'id="typer-{bob_id}"' not in second  # bob's state did not change

    send(bob, type="stop_typing")
    stopped = receive_until(alice, lambda f: f'id="typer-{bob_id}"' in f and "data-stopped" in f)
    assert "is typing" not in stopped.split(f'id="typer-{bob_id}"', 1)[1].split("</span>")[0]
    for ws in (alice, bob, carol):
        ws.close()


def test_diffs_flow_again_after_the_flushing_process_died(live_server, app, chat_room):
    """A web process killed while it held a room's flush lock (a deploy's SIGKILL) leaves the
    lock behind until it expires. Changes marked meanwhile must still be sent once it has,
    even if no further change comes to start a flush."""
    from taskflow.chat import room_diffs

    with app.app_context():
        bob_id = User.by_username("bob").id
        # The dead process's lock: a token nobody will give back, expiring as it would.
        app.redis.set(room_diffs._lock_key(chat_room), b"dead", px=room_diffs.LOCK_MS)
    path = f"/ws/chat-room/{chat_room}"
    alice = ws_connect(live_server, path, http_login(live_server, "alice"))
    following(alice)
    bob = ws_connect(live_server, path, http_login(live_server, "bob"))  # marked, not flushed

    def bob_online(frame: str) -> bool:
        return (str(bob_id), "online") in MEMBER.findall(frame)

    frames_until(alice, bob_online, timeout=15)
    alice.close()
    bob.close()
