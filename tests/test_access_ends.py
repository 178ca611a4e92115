"""Issue 20, "Access ends everywhere at once": what a user loses access to stops reaching
every page they have open, a removed member stays out until invited again, the invite form
and the password form are limited, and a quote follows its original's edits."""

import re

from sqlalchemy import event, func, insert, select

from taskflow.accounts.login_guard import WRONG_PASSWORDS
from taskflow.boards.invitations import REMOVED, TOO_MANY
from taskflow.chat import unread
from taskflow.extensions import db
from taskflow.models import Board, ChatRoom, User
from taskflow.models.invitation import Removal
from taskflow.models.user import utcnow
from taskflow.realtime.broadcaster import _decode

from .conftest import (
    PASSWORD,
    as_user,
    close_code,
    following,
    frames_until,
    http_login,
    second_room,
    ws_connect,
)
from .helpers import create_board
from .test_after_commit import published_until_sentinel, subscribed


def _ids(app, room_id: int) -> tuple[int, int]:
    """(board id, bob's id)."""
    with app.app_context():
        board_id = db.session.get(ChatRoom, room_id).board_id
        bob_id = User.by_username("bob").id
        db.session.remove()
        return board_id, bob_id


def _activity_of(room_id: int):
    return lambda frame: f'data-unread-activity data-room="{room_id}"' in frame


# -- sockets that follow a room's activity -------------------------------------------------


def test_removed_from_a_room_no_open_page_of_the_user_gets_its_activity(
    app, live_server, chat_room
):
    """Bob's board page, room list and another room's page follow the activity of the
    private room "general" (their unread counts). Once removed from it, they stay open (his
    access to the board and "random" goes on) but no longer get its activity."""
    random = second_room(app, chat_room)
    board_id, bob_id = _ids(app, chat_room)
    bob = http_login(live_server, "bob")
    sockets = [
        ws_connect(live_server, path, bob)
        for path in (f"/ws/board/{board_id}", f"/ws/rooms/{board_id}", f"/ws/chat-room/{random}")
    ]
    for ws in sockets:
        following(ws)
    alice = as_user(app, "alice")
    removed = alice.post(f"/rooms/{chat_room}/members/{bob_id}/delete")
    assert removed.status_code == 302
    alice.post(f"/rooms/{chat_room}/messages", {"content": "the secret plan"})
    alice.post(f"/rooms/{random}/messages", {"content": "lunch?"})  # after it, for everyone
    board, listing, room = sockets
    for ws in (board, listing):
        frames = frames_until(ws, _activity_of(random))
        assert not [f for f in frames if _activity_of(chat_room)(f)], frames
    frames = frames_until(room, "lunch?")
    assert not [f for f in frames if _activity_of(chat_room)(f)], frames


def test_a_left_direct_message_no_open_page_of_the_leaver_gets_its_activity(
    app, live_server, chat_room
):
    """Every page's personal socket (the navigation's count) follows the activity of the
    user's direct messages. Once bob leaves one, his open pages stay, without its activity;
    that of a direct message he is still in goes on reaching them."""
    left = _direct(app, "alice", "bob", "carol")
    kept = _direct(app, "alice", "bob")
    bob = http_login(live_server, "bob")
    sockets = [
        ws_connect(live_server, p, bob) for p in ("/ws/notifications", "/ws/notifications/center")
    ]
    for ws in sockets:
        following(ws)
    assert as_user(app, "bob").post(f"/rooms/{left}/leave").status_code == 302
    alice = as_user(app, "alice")
    alice.post(f"/rooms/{left}/messages", {"content": "without bob"})
    alice.post(f"/rooms/{kept}/messages", {"content": "to bob"})  # after it, for bob
    for ws in sockets:
        frames = frames_until(ws, _activity_of(kept))
        assert not [f for f in frames if _activity_of(left)(f)], frames


def _direct(app, *usernames: str) -> int:
    with app.app_context():
        people = [User.by_username(name) for name in usernames]
        room = ChatRoom.direct(people, people[0])
        db.session.add(room)
        db.session.commit()
        room_id = room.id
        db.session.remove()
        return room_id


def _share_another_board(app, owner: str, member: str) -> None:
    with app.app_context():
        board = Board.create("Elsewhere", "", User.by_username(owner))
        board.add_member(User.by_username(member))
        db.session.commit()
        db.session.remove()


def test_removed_from_a_board_every_page_that_followed_it_ends(
    app, live_server, chat_room, board_with_task_in
):
    """Every socket that follows the board, its tasks or its rooms' activity depends on the
    board: they all close (4403). The pages that stay (a direct message, the notification
    center) never followed the board's rooms: a later message there does not reach them,
    one in the direct message does (they share another board: it stays writable)."""
    board_id, bob_id = _ids(app, chat_room)
    direct = _direct(app, "alice", "bob")
    _share_another_board(app, "alice", "bob")  # their direct message stays open to messages
    bob = http_login(live_server, "bob")
    board_paths = (
        f"/ws/board/{board_id}",
        f"/ws/rooms/{board_id}",
        f"/ws/chat-room/{chat_room}",
        f"/ws/task-comments/{board_with_task_in}",
    )
    closing = [ws_connect(live_server, path, bob) for path in board_paths]
    staying = [
        ws_connect(live_server, path, bob)
        for path in (f"/ws/chat-room/{direct}", "/ws/notifications/center")
    ]
    for ws in (*closing, *staying):
        following(ws)
    alice = as_user(app, "alice")
    assert alice.post(f"/boards/{board_id}/members/{bob_id}/delete").status_code == 302
    assert [close_code(ws) for ws in closing] == [4403] * len(closing)
    alice.post(f"/rooms/{chat_room}/messages", {"content": "the secret plan"})
    assert alice.post(f"/rooms/{direct}/messages", {"content": "still friends?"}).status_code == 302
    room, center = staying
    frames = frames_until(room, "still friends?")
    assert not [f for f in frames if "secret" in f or _activity_of(chat_room)(f)], frames
    frames = frames_until(center, _activity_of(direct))
    assert not [f for f in frames if _activity_of(chat_room)(f)], frames


# -- a removed member and the invite link --------------------------------------------------


def _join_code(alice, board_id: int) -> str:
    assert alice.post(f"/boards/{board_id}/invite-link", {"expiry": "never"}).status_code == 302
    page = alice.get(f"/boards/{board_id}/members").get_data(as_text=True)
    return re.search(r'id="invite-link-url" type="text" readonly value="[^"]*/join/([^"]+)"', page)[
        1
    ]


def _is_member(app, board_id: int, username: str) -> bool:
    with app.app_context():
        member = db.session.get(Board, board_id).is_member(User.by_username(username))
        db.session.remove()
        return member


def test_a_removed_member_cannot_rejoin_by_the_link_until_invited_again(app, login):
    alice, bob, carol = login("alice"), login("bob"), login("carol")
    board_id = create_board(alice)
    code = _join_code(alice, board_id)
    for user in (bob, carol):
        assert user.post(f"/join/{code}").status_code == 302
    bob_id, carol_id = (_user_id(app, name) for name in ("bob", "carol"))
    assert alice.post(f"/boards/{board_id}/members/{bob_id}/delete").status_code == 302
    assert carol.post(f"/boards/{board_id}/members/{carol_id}/delete").status_code == 302

    for method in (bob.get, bob.post):
        refused = method(f"/join/{code}")
        assert refused.status_code == 403 and REMOVED in refused.get_data(as_text=True)
    assert not _is_member(app, board_id, "bob")
    assert carol.post(f"/join/{code}").status_code == 302  # she left: not removed
    page = alice.get(f"/boards/{board_id}/members").get_data(as_text=True)
    assert 'id="removed-members"' in page and f'id="removed-{bob_id}"' in page
    assert "Removed members can’t use this link until you invite them again." in page
    assert f'id="removed-{carol_id}"' not in page

    assert alice.post(f"/boards/{board_id}/members", {"username": "bob"}).status_code == 302
    page = alice.get(f"/boards/{board_id}/members").get_data(as_text=True)
    assert f'id="removed-{bob_id}"' not in page  # invited again: the link works for him
    assert bob.post(f"/join/{code}").status_code == 302 and _is_member(app, board_id, "bob")


def test_removing_someone_who_is_not_a_member_is_not_found_and_records_nothing(app, login):
    """The owner could post any user's id to the removal form: that user was then refused by
    the invite link and shown (avatar, display name) among the board's removed members."""
    alice, carol = login("alice"), login("carol")
    board_id = create_board(alice)
    carol_id = _user_id(app, "carol")
    assert alice.post(f"/boards/{board_id}/members/{carol_id}/delete").status_code == 404
    page = alice.get(f"/boards/{board_id}/members").get_data(as_text=True)
    assert f'id="removed-{carol_id}"' not in page and "carol" not in page
    assert carol.post(f"/join/{_join_code(alice, board_id)}").status_code == 302


def test_a_removal_recorded_twice_at_once_is_recorded_once(app, login):
    """Two removals of the same member at once (a double-submitted form): the other's row is
    committed between this one's look for a row and its insert. It used to fail on the
    primary key (a 500); now the insert skips a row already there, in one statement."""
    alice, _ = login("alice"), login("bob")
    board_id = create_board(alice)
    with app.app_context():
        board, bob = db.session.get(Board, board_id), User.by_username("bob")
        engine, row = db.engine, {"board_id": board_id, "user_id": bob.id, "removed_at": utcnow()}
        done: list[bool] = []

        def the_other_request(conn, cursor, statement, *args) -> None:
            if done or "board_removals" not in statement:
                return
            if statement.lstrip().startswith("SELECT"):
                done.append(True)  # once
                with engine.begin() as other:
                    other.execute(insert(Removal).values(row))

        event.listen(engine, "after_cursor_execute", the_other_request)
        try:
            Removal.record(board, bob)
            db.session.commit()
        finally:
            event.remove(engine, "after_cursor_execute", the_other_request)
        Removal.record(board, bob)  # and once more, the row there for this session too
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Removal)) == 1
        db.session.remove()


def _user_id(app, username: str) -> int:
    with app.app_context():
        user_id = User.by_username(username).id
        db.session.remove()
        return user_id


# -- the invite form and usernames ---------------------------------------------------------


def test_every_invite_attempt_counts_so_usernames_cannot_be_probed(app, login, monkeypatch):
    """Unknown names used to be answered before the limit was counted: a board owner could
    try any number of names. Now each attempt counts, whatever the answer."""
    monkeypatch.setitem(app.config, "INVITE_LIMIT_PER_OWNER", "3 per hour")
    alice, _ = login("alice"), login("bob")
    board_id = create_board(alice)
    for name in ("nobody1", "nobody2", "alice"):
        response = alice.post(f"/boards/{board_id}/members", {"username": name})
        assert response.status_code == 422, name
    for name in ("nobody3", "bob"):  # past the limit, unknown or not: the same answer
        response = alice.post(f"/boards/{board_id}/members", {"username": name})
        assert response.status_code == 429, name
        assert TOO_MANY in response.get_data(as_text=True)


# -- the password change form --------------------------------------------------------------


def test_wrong_current_passwords_are_limited_as_logins_are(app, login, monkeypatch):
    """Someone at an open session could try current passwords without end; now failures
    count as failed logins, and past the limit even the right one waits."""
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT_IP", "3 per minute")
    alice, new = login("alice"), "a brand new passphrase 9"
    change = {"password": new, "confirm": new}
    for attempt in range(3):
        response = alice.post("/account/password", {**change, "current": f"guess {attempt}"})
        assert response.status_code == 422
        assert "That is not your current password." in response.get_data(as_text=True)
    response = alice.post("/account/password", {**change, "current": PASSWORD})
    assert response.status_code == 429
    assert WRONG_PASSWORDS in response.get_data(as_text=True)
    with app.app_context():
        assert User.by_username("alice").check_password(PASSWORD)  # unchanged
        db.session.remove()


def test_a_room_left_while_a_page_was_opening_ends_once_the_page_follows(app, chat_room):
    """A page lists the user's rooms at its handshake and follows them a moment later: a
    removal in between was announced before its socket could hear it. The page's catch-up,
    read once it follows, finds the room gone and announces the end again."""
    random = second_room(app, chat_room)
    _, bob_id = _ids(app, chat_room)
    alice = as_user(app, "alice")
    assert alice.post(f"/rooms/{chat_room}/members/{bob_id}/delete").status_code == 302
    pubsub = subscribed(app)
    with app.app_context():
        frames = unread.state_frames(bob_id, [chat_room, random])  # listed before the removal
        events = [_decode(data) for data in published_until_sentinel(pubsub)]
    assert f'data-room="{random}"'.encode() in frames[0]  # a whole WebSocket frame
    assert f'data-room="{chat_room}"'.encode() not in frames[0]
    ended = [(e.topic, e.kind, e.scope) for e in events]
    assert ended == [(f"user:{bob_id}", "close", f"room:{chat_room}")]
