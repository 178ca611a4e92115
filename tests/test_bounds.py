"""Work one user can push onto everyone is bounded, and the one who exceeds a bound is told.

Rate limits are counted in the real Redis; sockets are real WebSockets on the live server."""

import json
import re
import time

import pytest
import websocket

from taskflow.extensions import db
from taskflow.models import ChatMessage, TaskThreadComment, User

from .conftest import (
    PASSWORD,
    Client,
    close_code,
    following,
    frames_until,
    http_login,
    receive_until,
    send,
    wait_until,
    ws_connect,
)

SLOW_DOWN = "Slow down a little, then send it again."


def client_at(app, address: str) -> Client:
    """A browser-like client whose requests come from `address`."""
    flask_client = app.test_client()
    flask_client.environ_base["REMOTE_ADDR"] = address
    return Client(flask_client)


def logged_in_at(app, username: str, address: str = "127.0.0.1") -> Client:
    client = client_at(app, address)
    assert client.login(username).status_code == 302
    return client


# --- edits count as messages ---------------------------------------------------------------


def test_message_edits_count_against_the_message_limit(app, chat_room):
    bob = logged_in_at(app, "bob")
    assert bob.post(f"/rooms/{chat_room}/messages", {"content": "first"}).status_code == 302
    with app.app_context():
        message_id = ChatMessage.query.one().id
    codes = [
        bob.post(f"/messages/{message_id}/edit", {"content": f"edit {i}"}).status_code
        for i in range(20)
    ]
    assert codes[:19] == [302] * 19 and codes[19] == 429  # 1 message + 19 edits = 20
    refused = bob.post(f"/messages/{message_id}/edit", {"content": "keep this edit"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429 and SLOW_DOWN in body
    assert "keep this edit</textarea>" in body  # the text is handed back
    htmx = bob.post(f"/messages/{message_id}/edit", {"content": "via htmx"}, htmx=True)
    assert htmx.status_code == 422 and SLOW_DOWN in htmx.get_data(as_text=True)  # swapped in
    assert bob.post(f"/rooms/{chat_room}/messages", {"content": "new"}).status_code == 429
    with app.app_context():
        assert db.session.get(ChatMessage, message_id).content == "edit 18"


def test_comment_edits_count_against_the_message_limit(app, board_with_task):
    _, task_id, _ = board_with_task
    bob = logged_in_at(app, "bob")
    assert bob.post(f"/tasks/{task_id}/comments", {"content": "first"}).status_code == 302
    with app.app_context():
        comment_id = TaskThreadComment.query.one().id
    codes = [
        bob.post(f"/comments/{comment_id}/edit", {"content": f"edit {i}"}).status_code
        for i in range(20)
    ]
    assert codes[:19] == [302] * 19 and codes[19] == 429
    refused = bob.post(f"/comments/{comment_id}/edit", {"content": "keep this edit"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429 and SLOW_DOWN in body and "keep this edit" in body
    htmx = bob.post(f"/comments/{comment_id}/edit", {"content": "via htmx"}, htmx=True)
    assert htmx.status_code == 422 and SLOW_DOWN in htmx.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TaskThreadComment, comment_id).content == "edit 18"


# --- typing frames -------------------------------------------------------------------------


def typing_frames(frames: list[str]) -> int:
    return sum('id="typer-' in frame for frame in frames)


def test_typing_frames_are_relayed_at_most_once_a_second(live_server, chat_room):
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    following(bob)
    receive_until(alice, 'class="online">bob<')  # bob's arrival, before his typing
    for _ in range(200):
        send(bob, type="typing")
    send(bob, type="stop_typing")  # handled after the burst: the frames up to its end count
    relayed = typing_frames(frames_until(alice, "data-stopped"))
    # One diff frame per second at most: the server reads the burst in well under three.
    assert 1 <= relayed <= 3, relayed
    # A second later typing is relayed again: dropped frames never silence the indicator.
    deadline = time.monotonic() + 5
    while True:
        send(bob, type="typing")
        try:
            receive_until(alice, "bob is typing", timeout=0.5)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    send(bob, content="still works")
    assert "still works" in receive_until(alice, "still works")


# --- registrations -------------------------------------------------------------------------


def register(client: Client, username: str, password: str = PASSWORD):
    return client.post(
        "/register", {"username": username, "password": password, "confirm": password}
    )


def test_registrations_are_limited_per_address(app, make_user):
    make_user("taken")
    codes = [register(client_at(app, "10.1.1.1"), f"newbie{i}").status_code for i in range(10)]
    assert codes == [302] * 10
    refused = register(client_at(app, "10.1.1.1"), "newbie10")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Too many sign-ups from your address" in body
    assert 'value="newbie10"' in body  # what was typed comes back
    probe = register(client_at(app, "10.1.1.1"), "taken")  # no more "is it taken?" answers
    assert probe.status_code == 429 and "is taken" not in probe.get_data(as_text=True)
    assert register(client_at(app, "10.1.1.2"), "newbie10").status_code == 302
    with app.app_context():
        assert User.query.count() == 12  # taken, newbie0..9, and newbie10 from elsewhere


# --- logins --------------------------------------------------------------------------------


def json_login(client: Client, username: str, password: str):
    return client.http.post(
        "/login",
        json={"username": username, "password": password},
        headers={"X-CSRFToken": client.csrf()},
    )


def test_login_failures_are_counted_whatever_the_body(app, make_user):
    make_user("victim")
    attacker = client_at(app, "10.2.2.2")
    for _ in range(10):
        wrong = attacker.post("/login", {"username": "victim", "password": "wrong-password"})
        assert wrong.status_code == 422
    for name in ("victim", "VICTIM", "ｖｉｃｔｉｍ"):  # JSON, and other spellings of the name
        refused = json_login(attacker, name, "another-guess")
        assert refused.status_code == 429, name
        assert "Slow down" in refused.get_data(as_text=True)


def test_json_login_works_and_counts_failures(app, make_user):
    make_user("jules")
    guesser = client_at(app, "10.2.2.3")
    codes = [json_login(guesser, "Jules", "wrong-password").status_code for _ in range(11)]
    assert codes == [422] * 10 + [429]
    owner = client_at(app, "10.2.2.4")
    assert json_login(owner, "jules", PASSWORD).status_code == 302


def test_failing_in_someone_elses_name_does_not_lock_them_out(app, make_user):
    make_user("owner")
    attacker = client_at(app, "10.3.3.3")
    codes = [
        attacker.post("/login", {"username": "owner", "password": "guess-guess"}).status_code
        for _ in range(11)
    ]
    assert codes == [422] * 10 + [429]
    right = attacker.post("/login", {"username": "owner", "password": PASSWORD})
    assert right.status_code == 429  # from the guessing address, even the right one waits
    owner = client_at(app, "10.3.3.4")
    assert owner.post("/login", {"username": "owner", "password": PASSWORD}).status_code == 302
    # One wrong password of the owner's own is no lock-out either.
    typo = client_at(app, "10.3.3.4")
    assert typo.post("/login", {"username": "owner", "password": "typo-typo"}).status_code == 422
    assert typo.post("/login", {"username": "owner", "password": PASSWORD}).status_code == 302


def test_successful_logins_are_not_counted_as_failures(app, make_user):
    make_user("regular")
    for _ in range(15):  # e.g. many tabs, devices or colleagues behind one address
        client = client_at(app, "10.4.4.4")
        ok = client.post("/login", {"username": "regular", "password": PASSWORD})
        assert ok.status_code == 302


def test_failures_from_many_addresses_meet_an_account_wide_cap(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", "15 per hour")
    make_user("target")
    codes = [
        client_at(app, f"10.5.5.{i % 5}")
        .post("/login", {"username": "target", "password": "guess-guess"})
        .status_code
        for i in range(16)
    ]
    assert codes == [422] * 15 + [429]  # 3 failures per address, 15 in all
    fresh = client_at(app, "10.5.5.99")
    refused = fresh.post("/login", {"username": "target", "password": "guess-guess"})
    assert refused.status_code == 429 and "Slow down" in refused.get_data(as_text=True)


# --- sockets per user ----------------------------------------------------------------------


def open_personal(live_server, session):
    ws = ws_connect(live_server, "/ws/notifications", session)
    receive_until(ws, 'id="notification-badge"')  # registered: its first frames came
    return ws


def is_open(ws) -> bool:
    """The personal socket answers any frame with an error line while it is open."""
    try:
        ws.send("{}")
        receive_until(ws, "socket-error", timeout=3)
        return True
    except (websocket.WebSocketException, OSError, AssertionError):
        return False


def test_a_user_holds_at_most_30_sockets_and_the_oldest_closes(app, live_server, make_user):
    make_user("alice")
    make_user("bob")
    alice_session = http_login(live_server, "alice")
    bob = open_personal(live_server, http_login(live_server, "bob"))
    sockets = [open_personal(live_server, alice_session) for _ in range(30)]
    assert all(is_open(ws) for ws in (sockets[0], sockets[-1]))
    sockets.append(open_personal(live_server, alice_session))  # the 31st
    assert close_code(sockets[0]) == 4429  # "too many connections": not retried by the page
    assert is_open(sockets[1]) and is_open(sockets[-1]) and is_open(bob)
    with app.app_context():
        alice_id = User.by_username("alice").id
        assert app.redis.zcard(f"taskflow:sockets:{alice_id}") == 30
    for ws in [*sockets[1:], bob]:
        ws.close()
    with app.app_context():  # closed sockets are forgotten
        wait_until(lambda: app.redis.zcard(f"taskflow:sockets:{alice_id}") == 0, timeout=5)
        assert app.redis.zcard(f"taskflow:sockets:{alice_id}") == 0


def test_the_socket_cap_holds_across_web_processes(live_server, make_user, another_web):
    make_user("alice")
    _, second_url = another_web()
    here_session = http_login(live_server, "alice")
    here = [open_personal(live_server, here_session) for _ in range(15)]
    there_session = http_login(second_url, "alice")
    there = [open_personal(second_url, there_session) for _ in range(16)]  # 31 in all
    assert close_code(here[0]) == 4429  # the oldest, on the other process
    assert is_open(here[1]) and is_open(there[-1])
    for ws in here[1:] + there:
        ws.close()


# --- JSON nesting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        "[" * 5000 + "]" * 5000,  # beyond the parser's recursion limit
        json.dumps({"content": "x", "extra": json.loads("[" * 40 + "]" * 40)}),  # parses
    ],
    ids=["thousands-deep", "40-deep"],
)
def test_deeply_nested_frames_get_an_error_and_the_socket_stays(live_server, chat_room, frame):
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    following(alice)
    alice.send(frame)
    error = receive_until(alice, 'id="socket-error"')
    assert "nested too deeply" in error
    send(alice, content="after the deep one")
    assert "after the deep one" in receive_until(alice, "after the deep one")


def test_nesting_up_to_the_bound_is_fine(live_server, chat_room):
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    following(alice)
    nested = json.loads("[" * 31 + "]" * 31)  # with the object around it: 32 levels
    alice.send(json.dumps({"content": "shallow enough", "extra": nested}))
    frame = receive_until(alice, "shallow enough")
    assert re.search(r">shallow enough</div>", frame)
