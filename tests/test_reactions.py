"""Reactions on chat messages and task comments over HTTP (plain forms and htmx), their
checks and limits, and a reconnecting socket that catches a reaction up."""

import html

from taskflow.chat import catch_up
from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, Reaction, TaskThreadComment, User

from .conftest import (
    as_user,
    frames_until,
    http_login,
    live_csrf,
    receive_until,
    send,
    ws_connect,
)


def user_id(app, name: str) -> int:
    with app.app_context():
        return User.by_username(name).id


def a_message(app, room_id: int, author: str = "alice", text: str = "Ship it?") -> int:
    client = as_user(app, author)
    assert client.post(f"/rooms/{room_id}/messages", {"content": text}).status_code == 302
    with app.app_context():
        return db.session.scalar(db.select(ChatMessage.id).order_by(ChatMessage.id.desc()))


def a_comment(app, task_id: int, author: str = "alice", text: str = "Looks good") -> int:
    client = as_user(app, author)
    assert client.post(f"/tasks/{task_id}/comments", {"content": text}).status_code == 302
    with app.app_context():
        return db.session.scalar(db.select(TaskThreadComment.id))


def bar(page: str, prefix: str, key: str = "thumbsup") -> str:
    """The reaction button of `prefix` ("m5") for `key`, as the page shows it ('' if none)."""
    start = page.find(f'id="{prefix}-{key}"')
    if start < 0:
        return ""
    return page[page.rfind("<button", 0, start) : page.find("</button>", start)]


def test_a_message_reaction_toggles_without_javascript(app, chat_room):
    message_id = a_message(app, chat_room)
    bob = as_user(app, "bob")
    room = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
    # The shared message links to the picker page; the page has the one form with a token.
    assert f'<a class="react" href="/messages/{message_id}/reactions">React</a>' in room
    assert (
        'id="reactions-form"' in room and room.count('name="csrf_token"') == 4
    )  # + the level form
    picker = bob.get(f"/messages/{message_id}/reactions").get_data(as_text=True)
    assert 'name="csrf_token"' in picker and picker.count('name="emoji"') == 6
    assert 'aria-pressed="false"' in picker and "alice’s message" in html.unescape(picker)

    response = bob.post(f"/messages/{message_id}/reactions", {"emoji": "thumbsup"})
    assert response.status_code == 302
    assert response.location.endswith(f"/rooms/{chat_room}#message-{message_id}")
    alice_page = as_user(app, "alice").get(f"/rooms/{chat_room}").get_data(as_text=True)
    button = bar(alice_page, f"m{message_id}")
    assert 'aria-label="👍 1 reaction: bob"' in button
    assert f'data-users=" {user_id(app, "bob")} "' in button
    assert f'formaction="/messages/{message_id}/reactions"' in button
    assert 'form="reactions-form"' in button and ">👍 1" in button
    picker = bob.get(f"/messages/{message_id}/reactions").get_data(as_text=True)
    assert 'aria-pressed="true"' in picker  # his own, on his own page

    assert (
        as_user(app, "alice")
        .post(f"/messages/{message_id}/reactions", {"emoji": "thumbsup"})
        .status_code
        == 302
    )
    page = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert 'aria-label="👍 2 reactions: bob, alice"' in bar(page, f"m{message_id}")

    for name in ("bob", "alice"):  # toggled again: taken back
        as_user(app, name).post(f"/messages/{message_id}/reactions", {"emoji": "thumbsup"})
    page = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert bar(page, f"m{message_id}") == "" and 'class="reactions"' not in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Reaction.id))) == 0


def test_a_reaction_is_a_numbered_change_of_its_message(app, chat_room):
    message_id = a_message(app, chat_room)
    with app.app_context():
        before = ChatRoom.current_seq(chat_room)
    bob = as_user(app, "bob")
    answer = bob.post(f"/messages/{message_id}/reactions", {"emoji": "tada"}, htmx=True)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'hx-swap-oob="beforeend:#messages"' in body
    assert 'aria-label="🎉 1 reaction: bob"' in body
    with app.app_context():
        assert ChatRoom.current_seq(chat_room) == before + 1
        assert db.session.get(ChatMessage, message_id).seq == before + 1
        missed, seq = catch_up.changes(chat_room, before)  # what a page that saw `before` gets
    assert seq == before + 1 and 'aria-label="🎉 1 reaction: bob"' in missed


def test_a_comment_reaction_toggles_without_javascript_and_with_htmx(app, board_with_task):
    _, task_id, _ = board_with_task
    comment_id = a_comment(app, task_id)
    bob = as_user(app, "bob")
    page = bob.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert f'<a class="react" href="/comments/{comment_id}/reactions">React</a>' in page
    assert 'id="reactions-form"' in page
    picker = bob.get(f"/comments/{comment_id}/reactions").get_data(as_text=True)
    assert picker.count('name="emoji"') == 6 and "alice’s comment" in html.unescape(picker)

    response = bob.post(f"/comments/{comment_id}/reactions", {"emoji": "eyes"})
    assert response.status_code == 302
    assert response.location.endswith(f"/tasks/{task_id}#comment-{comment_id}")
    page = as_user(app, "alice").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'aria-label="👀 1 reaction: bob"' in bar(page, f"c{comment_id}", "eyes")

    answer = bob.post(f"/comments/{comment_id}/reactions", {"emoji": "eyes"}, htmx=True)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and f'id="comment-{comment_id}"' in body
    assert 'hx-swap-oob="true"' in body and f'id="c{comment_id}-eyes"' not in body


def test_reactions_go_with_their_comment(app, board_with_task):
    _, task_id, _ = board_with_task
    comment_id = a_comment(app, task_id)
    as_user(app, "bob").post(f"/comments/{comment_id}/reactions", {"emoji": "heart"})
    alice = as_user(app, "alice")
    assert alice.post(f"/comments/{comment_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Reaction.id))) == 0


def test_unknown_emoji_and_outsiders_are_refused(app, chat_room, board_with_task_in):
    message_id = a_message(app, chat_room)
    comment_id = a_comment(app, board_with_task_in)
    bob = as_user(app, "bob")
    for target in (f"/messages/{message_id}", f"/comments/{comment_id}"):
        for emoji in ("poop", "", "👍", "thumbsup" * 3):
            refused = bob.post(f"{target}/reactions", {"emoji": emoji})
            assert refused.status_code == 400, emoji
            assert "not one TaskFlow offers" in refused.get_data(as_text=True)
        assert bob.post(f"{target}/reactions", {}).status_code == 400
        htmx = bob.post(f"{target}/reactions", {"emoji": "poop"}, htmx=True)
        assert htmx.status_code == 400 and 'class="flash flash-error"' in htmx.get_data(
            as_text=True
        )
        no_token = bob.post(f"{target}/reactions", {"emoji": "heart"}, csrf=False)
        assert no_token.status_code == 400
    carol = as_user(app, "carol")  # on the board, not in the room
    assert carol.post(f"/messages/{message_id}/reactions", {"emoji": "heart"}).status_code == 404
    assert carol.get(f"/messages/{message_id}/reactions").status_code == 404
    assert bob.post("/messages/999999/reactions", {"emoji": "heart"}).status_code == 404
    assert bob.post("/comments/999999/reactions", {"emoji": "heart"}).status_code == 404
    as_user(app, "alice").post(f"/messages/{message_id}/delete")
    assert bob.post(f"/messages/{message_id}/reactions", {"emoji": "heart"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Reaction.id))) == 0


def test_comment_reactions_are_for_board_members(app, board_with_task):
    _, task_id, _ = board_with_task
    comment_id = a_comment(app, task_id)
    carol = as_user(app, "carol")  # on no board
    assert carol.post(f"/comments/{comment_id}/reactions", {"emoji": "heart"}).status_code == 404
    assert carol.get(f"/comments/{comment_id}/reactions").status_code == 404


def test_a_burst_of_toggles_is_limited(app, chat_room):
    message_id = a_message(app, chat_room)
    bob = as_user(app, "bob")
    codes = [
        bob.post(f"/messages/{message_id}/reactions", {"emoji": "check"}).status_code
        for _ in range(21)
    ]
    assert codes[:20] == [302] * 20 and codes[20] == 429
    refused = bob.post(f"/messages/{message_id}/reactions", {"emoji": "heart"}, htmx=True)
    assert refused.status_code == 429 and "reacting too fast" in refused.get_data(as_text=True)
    with app.app_context():  # 20 toggles: added and removed ten times; nothing after them
        assert db.session.scalar(db.select(db.func.count(Reaction.id))) == 0


def test_a_reconnecting_socket_catches_a_reaction_up(live_server, chat_room):
    alice_session = http_login(live_server, "alice")
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", alice_session)
    bob_session = http_login(live_server, "bob")
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", bob_session)
    send(alice, content="react to me")
    first = receive_until(alice, ">react to me</div>")
    seen = int(first.split('data-seq="')[1].split('"')[0])
    message_id = int(first.split('data-message-id="')[1].split('"')[0])
    alice.close()
    token = live_csrf(bob_session, live_server, f"/rooms/{chat_room}")
    response = bob_session.post(
        f"{live_server}/messages/{message_id}/reactions",
        data={"emoji": "heart", "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert "❤️ 1 reaction: bob" in receive_until(bob, "reaction: bob")  # live, to bob's page
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}?seq={seen}", alice_session)
    frames = "".join(frames_until(alice, "reaction: bob"))
    assert f'id="message-{message_id}"' in frames and 'aria-label="❤️ 1 reaction: bob"' in frames
    assert f'data-seq="{seen + 1}"' in frames


def test_the_picker_and_a_message_s_reply_target_and_copy_are_the_server_s(app, chat_room):
    """For htmx (issue 21): the picker fragment says which the viewer pressed, the reply
    target carries the server's excerpt, and a message comes as it is now (an editor's
    Cancel). Without JavaScript the last two redirect to the room; others get a 404."""
    message_id = a_message(app, chat_room, text="Ship it? " + "word " * 40)
    bob = as_user(app, "bob")
    bob.post(f"/messages/{message_id}/reactions", {"emoji": "eyes"})
    picker = bob.get(f"/messages/{message_id}/reactions", htmx=True).get_data(as_text=True)
    assert picker.startswith('<div class="reaction-picker" role="group"')
    assert picker.count("<button") == 6 and picker.count('aria-pressed="true"') == 1
    assert f'data-button="m{message_id}-eyes" aria-pressed="true"' in picker
    assert 'name="csrf_token"' not in picker  # posted with the page's token

    target = bob.get(f"/messages/{message_id}/reply", htmx=True).get_data(as_text=True)
    assert f'value="{message_id}"' in target and "Ship it? word word" in target
    assert "…" in target  # the server's excerpt, cut as markup.excerpt cuts
    copy = bob.get(f"/messages/{message_id}", htmx=True).get_data(as_text=True)
    assert f'id="message-{message_id}"' in copy and "editing" not in copy
    for path in (f"/messages/{message_id}", f"/messages/{message_id}/reply"):
        assert bob.get(path).status_code == 302
        assert as_user(app, "carol").get(path, htmx=True).status_code == 404
