"""The chat socket against a live gunicorn server and a real Redis."""

import json

import pytest
import websocket

from .conftest import (
    close_code,
    frames_until,
    http_login,
    page_csrf,
    receive_until,
    send,
    server_env,
    ws_connect,
)


def test_two_members_receive_each_others_messages(live_server, chat_room):
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    send(alice, content="  Hello <b>bob</b>\nsecond line  ")
    for ws in (alice, bob):
        frame = receive_until(ws, "Hello")
        assert 'hx-swap-oob="beforeend:#messages"' in frame
        assert "Hello &lt;b&gt;bob&lt;/b&gt;<br>\nsecond line</div>" in frame
        assert 'data-author-id="' in frame and 'id="message-' in frame
    send(bob, content="Hi alice")
    assert "Hi alice" in receive_until(alice, "Hi alice")


@pytest.mark.parametrize("who", ["anonymous", "carol", "mallory"])
def test_outsiders_are_refused(live_server, chat_room, make_user, who):
    if who == "mallory":
        make_user("mallory")  # on no board at all; carol is on the board, not in the room
    session = None if who == "anonymous" else http_login(live_server, who)
    ws = ws_connect(live_server, f"/ws/chat-room/{chat_room}", session)
    ws.settimeout(5)
    opcode, data = ws.recv_data(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(data[:2], "big") == 4404  # a code htmx-ext-ws does not retry


def test_foreign_origin_is_refused_before_the_upgrade(live_server, chat_room):
    session = http_login(live_server, "alice")
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        ws_connect(
            live_server, f"/ws/chat-room/{chat_room}", session, origin="https://evil.example"
        )
    assert refused.value.status_code == 403
    with pytest.raises(websocket.WebSocketBadStatusException):
        ws_connect(live_server, f"/ws/chat-room/{chat_room}", session, origin="null")


def test_bad_frames_get_an_error_and_the_socket_stays_usable(live_server, chat_room, app):
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    cases = [
        ("not json", "invalid JSON"),
        ("[1, 2]", "expected an object"),
        (json.dumps({"content": "   "}), "Type a message first"),
        (json.dumps({"content": "x" * 4001}), "at most 4,000 characters"),
        (json.dumps({"content": 42}), "must be text"),
        (json.dumps({"type": "dance"}), "Unknown event type"),
        (json.dumps({"content": "hi", "room": chat_room + 1}), "another room"),
    ]
    for frame, error in cases:
        alice.send(frame)
        reply = receive_until(alice, 'id="socket-error"')
        assert error in reply, (frame[:30], reply)
        if "4,000" in error:  # what was typed comes back into the composer
            assert 'id="composer-input"' in reply and "x" * 4001 + "</textarea>" in reply
    send(bob, content="still here")
    assert "still here" in receive_until(alice, "still here")
    # Everything bob's socket got while alice sent bad frames came before his own message.
    assert not [f for f in frames_until(bob, "still here") if 'id="socket-error"' in f]
    from taskflow.models import ChatMessage

    with app.app_context():
        assert [m.content for m in ChatMessage.query.all()] == ["still here"]


def test_oversized_frames_are_closed_with_1009(live_server, chat_room):
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    alice.send(json.dumps({"content": "x" * 20_000}))
    assert close_code(alice) == 1009


def test_a_clients_ping_is_answered(live_server, chat_room):
    """Control frames are read by the socket's own greenlet (no reader thread): a ping from
    the page gets its pong."""
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    alice.ping(b"are you there")
    alice.settimeout(5)
    frame = alice.recv_frame()
    while frame.opcode != websocket.ABNF.OPCODE_PONG:
        frame = alice.recv_frame()
    assert frame.data == b"are you there"


@pytest.fixture
def pinging_server(another_web, database_url, redis_url) -> str:
    """A web process that pings every socket's client twice a second."""
    _, url = another_web({**server_env(database_url, redis_url), "SOCKET_PING_SECONDS": "0.5"})
    return url


def test_a_client_that_stops_answering_pings_is_dropped(pinging_server, chat_room):
    alice = ws_connect(
        pinging_server, f"/ws/chat-room/{chat_room}", http_login(pinging_server, "alice")
    )
    alice.settimeout(5)
    opcodes = []  # recv_frame does not answer pings: this client is "dead"
    frame = alice.recv_frame()
    while frame.opcode != websocket.ABNF.OPCODE_CLOSE:
        opcodes.append(frame.opcode)
        frame = alice.recv_frame()
    assert websocket.ABNF.OPCODE_PING in opcodes
    assert int.from_bytes(frame.data[:2], "big") == 1011  # no pong by the next ping


def test_a_client_that_answers_pings_stays(pinging_server, chat_room):
    alice = ws_connect(
        pinging_server, f"/ws/chat-room/{chat_room}", http_login(pinging_server, "alice")
    )
    alice.settimeout(5)
    pings = 0
    while pings < 4:  # two seconds: a dead client would have been dropped twice over
        opcode, _ = alice.recv_data(control_frame=True)  # answers each ping with a pong
        assert opcode != websocket.ABNF.OPCODE_CLOSE
        pings += opcode == websocket.ABNF.OPCODE_PING
    send(alice, content="still here")
    assert "still here" in receive_until(alice, "still here")


def test_reconnect_catches_up_exactly_once(live_server, chat_room):
    alice_session = http_login(live_server, "alice")
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", alice_session)
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    send(bob, content="one")
    first = receive_until(alice, "one")
    seen = int(first.split('data-seq="')[1].split('"')[0])  # the room's change number
    alice.close()
    for text in ("two", "three"):
        send(bob, content=text)
        receive_until(bob, text)
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}?seq={seen}", alice_session)
    send(bob, content="four")
    send(bob, content="sentinel")  # a duplicate of anything before it would come before it
    frames = "".join(frames_until(alice, ">sentinel</div>"))
    for text in ("two", "three", "four"):
        assert frames.count(f">{text}</div>") == 1, frames
    assert ">one</div>" not in frames
    assert frames.index(">two<") < frames.index(">three<") < frames.index(">four<")


def test_removed_member_socket_closes_at_once(live_server, chat_room, app):
    alice_http = http_login(live_server, "alice")
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    # Fully set up: subscribed, and past on_open (which announced him to the room). A removal
    # during set-up closes with 1000 instead (an app race, see the suite's report).
    receive_until(bob, 'class="online">bob<')
    page = alice_http.get(f"{live_server}/rooms/{chat_room}").text
    token = page_csrf(page)
    from taskflow.models import User

    with app.app_context():
        bob_id = User.by_username("bob").id
    response = alice_http.post(
        f"{live_server}/rooms/{chat_room}/members/{bob_id}/delete",
        data={"csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert close_code(bob) == 4403


def test_presence_and_typing_are_broadcast(live_server, chat_room):
    """Each socket gets the whole member list when it connects; the others get diffs (one
    member's <li>, one typist's line: test_room_diffs.py has the sizes)."""
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    assert online(receive_until(alice, 'id="room-members"')) == 1  # her own arrival
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    assert online(receive_until(bob, 'id="room-members"')) == 2
    joined = receive_until(alice, 'class="online">bob<')
    assert 'id="room-members"' not in joined
    send(bob, type="typing")
    assert "bob is typing…" in receive_until(alice, "is typing")
    send(bob, type="stop_typing")
    assert "data-stopped" in receive_until(alice, 'id="typer-')
    bob.close()
    assert online(receive_until(alice, 'class="offline">bob<')) == 0


def online(frame: str) -> int:
    return frame.count('class="online"')


def test_two_web_processes_share_one_room(live_server, chat_room, another_web):
    _, second_url = another_web()
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    bob = ws_connect(second_url, f"/ws/chat-room/{chat_room}", http_login(second_url, "bob"))
    send(bob, content="from the second process")
    assert "from the second process" in receive_until(alice, "second process")
    send(alice, content="and back")
    assert "and back" in receive_until(bob, "and back")
    alice.close()
    bob.close()


def test_a_stopping_web_process_hands_its_sockets_back_at_once(live_server, chat_room, another_web):
    """A deploy stops a web process (SIGTERM): its sockets end with 1012 (Service Restart),
    which htmx-ext-ws reconnects at once, rather than hanging until the graceful timeout and
    being cut off (1006). Pages then catch up from the other process or the new one."""
    process, url = another_web()
    alice = ws_connect(url, f"/ws/chat-room/{chat_room}", http_login(url, "alice"))
    receive_until(alice, 'id="member-')  # the member list: the socket is served
    process.terminate()
    assert close_code(alice) == 1012
    alice.close()
