"""Issue 10 §1: what leaked or could be forged. Against a live server, real sockets and a
real database: deleting ends the sockets that followed the thing, ids are never reused, the
secret key is never a published value, logout really logs out, private rooms stay private."""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import websocket

from taskflow.extensions import db
from taskflow.models import Board, ChatRoom, User

from .conftest import (
    PASSWORD,
    ROOT,
    Client,
    autoincrement_of_never_reused_tables,
    close_code,
    http_login,
    live_csrf,
    receive_until,
    send,
    ws_connect,
)


def post(session, base: str, path: str, **data) -> requests.Response:
    data = {"csrf_token": live_csrf(session, base), **data}
    return session.post(f"{base}{path}", data=data, allow_redirects=False)


def new_board(session, base: str, name: str) -> int:
    response = post(session, base, "/boards", name=name)
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def new_room(session, base: str, board_id: int, name: str) -> int:
    response = post(session, base, f"/boards/{board_id}/rooms/new", name=name)
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def new_task(app, session, base: str, board_id: int, title: str) -> int:
    with app.app_context():
        column_id = db.session.get(Board, board_id).columns[0].id
        db.session.remove()
    assert post(session, base, f"/columns/{column_id}/tasks/new", title=title).status_code == 302
    with app.app_context():
        board = db.session.get(Board, board_id)
        task_id = next(t.id for c in board.columns for t in c.tasks if t.title == title)
        db.session.remove()
    return task_id


def test_a_deleted_board_closes_its_sockets_and_its_ids_are_never_reused(
    app, live_server, make_user
):
    """The outsider's scenario: alice follows her own board, room and task, deletes the
    board, keeps the sockets; bob creates the next board, room and task and posts. Alice's
    sockets are closed with a code htmx does not retry, and bob's objects get new ids."""
    make_user("alice"), make_user("bob")
    alice, bob = http_login(live_server, "alice"), http_login(live_server, "bob")
    board_id = new_board(alice, live_server, "Mine")
    room_id = new_room(alice, live_server, board_id, "secret")
    task_id = new_task(app, alice, live_server, board_id, "Old task")
    sockets = [
        ws_connect(live_server, f"/ws/board/{board_id}", alice),
        ws_connect(live_server, f"/ws/chat-room/{room_id}?since=0", alice),
        ws_connect(live_server, f"/ws/task-comments/{task_id}", alice),
    ]
    for ws in sockets:
        receive_until(ws, "notification-badge")  # open and caught up

    assert post(alice, live_server, f"/boards/{board_id}/archive").status_code == 302
    assert post(alice, live_server, f"/boards/{board_id}/delete").status_code == 302  # for good
    assert [close_code(ws) for ws in sockets] == [4410, 4410, 4410]

    new_board_id = new_board(bob, live_server, "Next")
    new_room_id = new_room(bob, live_server, new_board_id, "general")
    new_task_id = new_task(app, bob, live_server, new_board_id, "Bob's private task")
    assert (new_board_id, new_room_id, new_task_id) != (board_id, room_id, task_id)
    assert new_board_id > board_id and new_room_id > room_id and new_task_id > task_id
    for path in (f"/boards/{board_id}", f"/rooms/{room_id}", f"/tasks/{task_id}"):
        assert alice.get(f"{live_server}{path}").status_code == 404


@pytest.mark.parametrize("what", ["room", "board", "task"])
def test_deleting_a_room_or_a_board_closes_the_sockets_that_follow_it(
    app, live_server, make_user, what
):
    make_user("alice"), make_user("bob")
    alice, bob = http_login(live_server, "alice"), http_login(live_server, "bob")
    board_id = new_board(alice, live_server, "Mine")
    with app.app_context():
        board = db.session.get(Board, board_id)
        board.add_member(User.by_username("bob"))
        db.session.commit()
        db.session.remove()
    room_id = new_room(alice, live_server, board_id, "general")
    with app.app_context():
        room = db.session.get(ChatRoom, room_id)
        room.members.append(User.by_username("bob"))
        db.session.commit()
        db.session.remove()
    task_id = new_task(app, alice, live_server, board_id, "A task")
    path = f"/ws/chat-room/{room_id}?since=0" if what == "room" else f"/ws/task-comments/{task_id}"
    ws = ws_connect(live_server, path, bob)
    receive_until(ws, "notification-badge")
    board_ws = ws_connect(live_server, f"/ws/board/{board_id}", bob)
    receive_until(board_ws, "notification-badge")
    # Tasks and columns are archived, not deleted: their pages live on and say so; a board
    # is deleted for good once archived, and everything on it closes.
    if what == "task":
        assert post(alice, live_server, f"/tasks/{task_id}/delete").status_code == 302
        assert "This task is archived" in receive_until(ws, "This task is archived")
        return
    if what == "board":
        post(alice, live_server, f"/boards/{board_id}/archive")
    delete = {"room": f"/rooms/{room_id}/delete", "board": f"/boards/{board_id}/delete"}[what]
    assert post(alice, live_server, delete).status_code in (200, 302)
    assert close_code(ws) == 4410
    if what == "board":
        assert close_code(board_ws) == 4410
        return
    # The board page lives on (a room is not the board): it gets the new kanban.
    post(alice, live_server, f"/boards/{board_id}/columns", name="Still here")
    assert "Still here" in receive_until(board_ws, "Still here")


def test_ids_are_never_reused_after_a_delete(app, make_user):
    make_user("alice")
    with app.app_context():
        alice = User.by_username("alice")
        first = Board.create("One", "", alice)
        db.session.commit()
        first_id = first.id
        db.session.delete(first)
        db.session.commit()
        second = Board.create("Two", "", alice)
        db.session.commit()
        assert second.id > first_id
        db.session.remove()


# --- the secret key ------------------------------------------------------------------------


def _app_secret(instance: Path, secret: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(TASKFLOW_INSTANCE=str(instance), REDIS_URL="redis://127.0.0.1:1/0")
    if secret is not None:
        env["SECRET_KEY"] = secret
    code = "from taskflow import create_app; print(create_app().secret_key)"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_an_unset_secret_key_is_random_private_and_kept(tmp_path):
    first, second = _app_secret(tmp_path, None), _app_secret(tmp_path, None)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", key)  # 32 bytes from secrets
    assert second.stdout.strip() == key  # made once, then reused
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = _app_secret(tmp_path / "elsewhere", None).stdout.strip()
    assert other and other != key  # every installation has its own


@pytest.mark.parametrize("secret", ["dev-only-change-me", "short-key"])
def test_a_published_or_short_secret_key_is_refused(tmp_path, secret):
    result = _app_secret(tmp_path, secret)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- logging out -------------------------------------------------------------------------


def _login_remembered(base: str, username: str) -> requests.Session:
    session = http_login(base, username, remember=True)
    assert "remember_token" in session.cookies
    return session


def _copy(session: requests.Session, only: str | None = None) -> requests.Session:
    copy = requests.Session()
    for cookie in session.cookies:
        if only is None or cookie.name == only:
            copy.cookies.set(cookie.name, cookie.value)
    return copy


def _logged_in(session: requests.Session, base: str) -> bool:
    return session.get(f"{base}/boards", allow_redirects=False).status_code == 200


def test_logout_ends_the_session_its_cookies_and_its_sockets(live_server, chat_room):
    alice = _login_remembered(live_server, "alice")
    session_copy, remember_copy = _copy(alice, "session"), _copy(alice, "remember_token")
    assert _logged_in(session_copy, live_server) and _logged_in(remember_copy, live_server)
    ws = ws_connect(live_server, f"/ws/chat-room/{chat_room}?since=0", alice)
    receive_until(ws, "notification-badge")
    other_browser = http_login(live_server, "alice")  # another session of hers lives on

    response = post(alice, live_server, "/logout")
    assert response.status_code == 302
    assert alice.cookies.get("remember_token") in (None, "")  # (a) the cookie is deleted
    assert close_code(ws) == 4401  # (c) the session's sockets close
    assert not _logged_in(session_copy, live_server)  # (b) a copied session cookie is dead
    assert not _logged_in(remember_copy, live_server)  # (a) so is the remember cookie
    assert close_code(ws_connect(live_server, f"/ws/chat-room/{chat_room}", session_copy)) in (
        4404,
        4401,
    )
    assert _logged_in(other_browser, live_server)


def test_a_copied_socket_session_cannot_post_after_logout(live_server, chat_room, app):
    alice = http_login(live_server, "alice")
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    receive_until(bob, "notification-badge")
    ws = ws_connect(live_server, f"/ws/chat-room/{chat_room}", alice)
    receive_until(ws, "notification-badge")
    post(alice, live_server, "/logout")
    assert close_code(ws) == 4401
    try:  # the socket is closed: whatever still goes out must not be posted
        send(ws, content="after logout")
    except (OSError, websocket.WebSocketException):
        pass
    send(bob, content="sentinel")
    assert "after logout" not in receive_until(bob, "sentinel")


def test_log_out_everywhere_and_password_change_end_every_session(live_server, chat_room):
    phone, laptop = http_login(live_server, "alice"), http_login(live_server, "alice")
    ws = ws_connect(live_server, f"/ws/chat-room/{chat_room}", phone)
    receive_until(ws, "notification-badge")
    assert post(laptop, live_server, "/account/logout-everywhere").status_code == 302
    assert close_code(ws) == 4401
    assert not _logged_in(phone, live_server) and not _logged_in(laptop, live_server)

    phone, laptop = http_login(live_server, "alice"), http_login(live_server, "alice")
    ws = ws_connect(live_server, "/ws/notifications", phone)
    receive_until(ws, "notification-badge")
    new = "a much longer new passphrase"
    response = post(
        laptop, live_server, "/account/password", current=PASSWORD, password=new, confirm=new
    )
    assert response.status_code == 302, response.text
    assert close_code(ws) == 4401
    assert not _logged_in(phone, live_server)
    assert _logged_in(laptop, live_server)  # this browser gets a new session at once
    assert http_login(live_server, "alice", new)


def test_password_change_needs_the_current_password(login):
    alice = login("alice")
    response = alice.post(
        "/account/password",
        {"current": "wrong", "password": "brisk otter ledger", "confirm": "brisk otter ledger"},
    )
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)


# --- private rooms -----------------------------------------------------------------------


def test_a_private_room_is_invisible_to_board_members_outside_it(app, chat_room):
    with app.app_context():
        board_id = db.session.get(ChatRoom, chat_room).board_id
    pages = {}
    for name in ("carol", "bob"):  # carol is on the board but not in "general"; bob is
        client = Client(app.test_client())
        client.login(name)
        pages[name] = client.get(f"/boards/{board_id}/rooms").get_data(as_text=True)
    assert "#general" in pages["bob"] and "Everything" in pages["bob"]
    assert "general" not in pages["carol"] and "Everything" not in pages["carol"]
    assert "2 members" in pages["bob"] and "2 members" not in pages["carol"]


def test_every_table_whose_ids_are_never_reused_has_autoincrement(app):
    """On SQLite the migrations keep AUTOINCREMENT on every such table (batch mode rebuilds a
    table to add or drop some columns, and without it once left chat_messages reusing ids)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return  # PostgreSQL's sequences never go back
        kept = autoincrement_of_never_reused_tables()
        db.session.remove()
    assert {"chat_messages", "tasks", "users"} <= set(kept)
    assert [name for name, has in kept.items() if not has] == []
