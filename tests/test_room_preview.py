"""Reading an open room before joining it (issue 22): a board member who has not joined an
open room reads its messages, with a Join bar in place of the composer, over HTTP and over
its socket (read only); a private room, a direct message and anyone off the board still get
nothing. Accepting an invitation puts the new member in the board's open rooms."""

import json

from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, User
from taskflow.models.room import OPEN, PRIVATE

from .conftest import (
    as_user,
    close_code,
    http_login,
    page_csrf,
    receive_until,
    send,
    ws_connect,
)
from .helpers import board_of
from .test_open_rooms import accept_invitation, add_open_room, members_of


def say(app, room_id: int, username: str, text: str) -> None:
    response = as_user(app, username).post(f"/rooms/{room_id}/messages", {"content": text})
    assert response.status_code == 302


def test_a_board_member_reads_an_open_room_with_a_join_bar_then_joins_in_place(app, chat_room):
    lobby = add_open_room(app, chat_room)
    say(app, lobby, "alice", "Welcome to the lobby")
    carol = as_user(app, "carol")  # on the board, in no room
    response = carol.get(f"/rooms/{lobby}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Welcome to the lobby" in page and '<h1 id="room-name">#lobby</h1>' in page
    assert 'id="join-bar"' in page and f'action="/rooms/{lobby}/join"' in page
    assert 'name="csrf_token"' in page.split('id="join-bar"')[1].split("</form>")[0]
    assert 'id="composer"' not in page and "Leave room" not in page  # not a member yet
    assert "Manage members" not in page and 'id="level-form"' not in page
    # the board's list of rooms links to it: there is something to read
    rooms = carol.get(f"/boards/{board_of(app, chat_room)}/rooms").get_data(as_text=True)
    assert f'href="/rooms/{lobby}"' in rooms and f'action="/rooms/{lobby}/join"' in rooms
    # reading writes nothing: no membership, no message
    assert carol.post(f"/rooms/{lobby}/messages", {"content": "hi"}).status_code == 404
    assert members_of(app, lobby) == ["alice"]
    # Join: back on the same page, with the composer
    response = carol.post(f"/rooms/{lobby}/join")
    assert response.status_code == 302 and response.location == f"/rooms/{lobby}"
    page = carol.get(f"/rooms/{lobby}").get_data(as_text=True)
    assert 'id="composer"' in page and 'id="join-bar"' not in page
    assert members_of(app, lobby) == ["alice", "carol"]


def test_private_rooms_direct_messages_and_outsiders_stay_404(app, chat_room, make_user):
    lobby = add_open_room(app, chat_room)
    carol = as_user(app, "carol")
    assert carol.get(f"/rooms/{chat_room}").status_code == 404  # private
    assert carol.get(f"/rooms/{chat_room}?before=999").status_code == 404
    make_user("mallory")  # on no board
    assert as_user(app, "mallory").get(f"/rooms/{lobby}").status_code == 404
    alice = as_user(app, "alice")
    with app.app_context():
        bob = User.by_username("bob")
    response = alice.post("/direct/new", {"people": str(bob.id)})
    direct = response.location.rsplit("/", 1)[1]
    assert carol.get(f"/rooms/{direct}").status_code == 404
    # made private: the preview ends
    assert alice.post(f"/rooms/{lobby}/visibility", {"kind": PRIVATE}).status_code == 302
    assert carol.get(f"/rooms/{lobby}").status_code == 404


def test_accepting_an_invitation_joins_the_boards_open_rooms(app, chat_room, make_user):
    lobby = add_open_room(app, chat_room)
    make_user("dave")
    dave = accept_invitation(app, chat_room, "dave")
    assert members_of(app, lobby) == ["alice", "dave"]  # the open room: joined
    assert "dave" not in members_of(app, chat_room)  # the private one: not
    page = dave.get(f"/rooms/{lobby}").get_data(as_text=True)
    assert 'id="composer"' in page and 'id="join-bar"' not in page
    with app.app_context():
        assert db.session.get(ChatRoom, lobby).kind == OPEN


def test_a_previewing_socket_reads_live_and_may_not_write(live_server, app, chat_room):
    lobby = add_open_room(app, chat_room)
    carol = ws_connect(live_server, f"/ws/chat-room/{lobby}", http_login(live_server, "carol"))
    alice = ws_connect(live_server, f"/ws/chat-room/{lobby}", http_login(live_server, "alice"))
    send(alice, content="live for readers too")
    assert "live for readers too" in receive_until(carol, "live for readers too")
    send(carol, content="may I?")
    reply = receive_until(carol, 'id="socket-error"')
    assert "Join this room to write in it." in reply
    carol.send(json.dumps({"type": "typing"}))
    assert "Join this room" in receive_until(carol, 'id="socket-error"')
    send(alice, content="still open")
    assert "still open" in receive_until(carol, "still open")  # the socket stays open
    with app.app_context():
        texts = [m.content for m in db.session.query(ChatMessage).filter_by(room_id=lobby)]
    assert texts == ["live for readers too", "still open"]
    # a private room's socket still refuses carol; the open one turned private closes hers
    refused = ws_connect(
        live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "carol")
    )
    assert close_code(refused) == 4404
    owner = http_login(live_server, "alice")
    token = page_csrf(owner.get(f"{live_server}/rooms/{lobby}/members").text)
    answer = owner.post(
        f"{live_server}/rooms/{lobby}/visibility",
        data={"kind": PRIVATE, "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code == 302
    assert close_code(carol) >= 4000
