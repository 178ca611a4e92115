"""Replies with a quote: a message may answer another of its room. The quote (the original's
author and first words) is kept with the reply, links to the page around the original,
follows the original's edits and goes when it is deleted. Plain forms and the socket check
the target alike."""

import re

from taskflow.chat.service import GONE
from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, User
from taskflow.models.message import PAGE_SIZE

from .conftest import as_user, frames_until, http_login, receive_until, send, ws_connect

LONG = "**Ship** it `now`, please: " + "the release notes are ready for a last look " * 4


def post_as(app, room_id: int, username: str, content: str) -> int:
    with app.app_context():
        message = ChatMessage(
            room=db.session.get(ChatRoom, room_id), author=User.by_username(username)
        )
        message.content, message.seq = content, ChatRoom.next_seq(room_id)
        db.session.add(message)
        db.session.commit()
        return message.id


def saved(app) -> list[tuple]:
    with app.app_context():
        query = ChatMessage.query.order_by(ChatMessage.id)
        return [(m.content, m.reply_to_id, m.reply_excerpt) for m in query]


def test_a_reply_without_javascript(app, chat_room):
    original = post_as(app, chat_room, "bob", LONG)
    alice = as_user(app, "alice")
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert f'<a class="reply" href="?reply_to={original}">Reply</a>' in page
    # The Reply link opens the room with the composer set to reply, and a way to cancel.
    page = alice.get(f"/rooms/{chat_room}?reply_to={original}").get_data(as_text=True)
    assert f'name="reply_to" id="composer-reply-to" value="{original}"' in page
    target = re.search(r'<div id="replying"[^>]*>', page)[0]
    assert "hidden" not in target
    assert "Replying to <b data-replying-author>bob</b>" in page
    assert f'href="/rooms/{chat_room}" data-reply-cancel' in page
    # A room page that is not replying has the field, empty, and hides the target.
    plain = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert 'id="composer-reply-to" value=""' in plain
    assert re.search(r'<div id="replying"[^>]*hidden', plain)

    response = alice.post(
        f"/rooms/{chat_room}/messages", {"content": "On it *now*", "reply_to": str(original)}
    )
    assert response.status_code == 302
    excerpt = "Ship it now, please: the release notes are ready for a last look the release"
    _, reply_to, kept = saved(app)[1]
    assert reply_to == original and kept.startswith(excerpt) and kept.endswith("…")
    assert len(kept) <= 100
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    quote = (
        f'<a class="reply-quote" href="/rooms/{chat_room}?around={original}#message-{original}"'
        f' data-reply-quote="{original}"><span class="visually-hidden">In reply to </span>'
        f"<b>bob</b>: {kept}</a>"
    )
    assert quote + '<div class="message-body">On it <em>now</em></div>' in page


def test_a_reply_must_answer_a_message_of_the_room_that_is_still_there(app, chat_room):
    original = post_as(app, chat_room, "bob", "hello")
    with app.app_context():
        room = db.session.get(ChatRoom, chat_room)
        elsewhere = ChatRoom(room.board, "other", "", User.by_username("alice"))
        db.session.add(elsewhere)
        db.session.commit()
        other_room = elsewhere.id
    foreign = post_as(app, other_room, "alice", "secret of another room")
    gone = post_as(app, chat_room, "bob", "soon deleted")
    with app.app_context():
        db.session.get(ChatMessage, gone).deleted_at = db.func.now()
        db.session.commit()
    alice = as_user(app, "alice")
    for target in (str(foreign), str(gone), "999999", "abc", "-1", "9" * 30):
        response = alice.post(
            f"/rooms/{chat_room}/messages", {"content": "my answer", "reply_to": target}
        )
        body = response.get_data(as_text=True)
        assert response.status_code == 422, target
        assert GONE in body and ">my answer</textarea>" in body
    assert [content for content, *_ in saved(app)] == [
        "hello",
        "secret of another room",
        "soon deleted",
    ]
    # Nor does the plain page open the composer for them (nor show their words).
    page = alice.get(f"/rooms/{chat_room}?reply_to={foreign}").get_data(as_text=True)
    assert "secret of another room" not in page and 'id="composer-reply-to" value=""' in page
    response = alice.post(f"/rooms/{chat_room}/messages", {"content": "ok", "reply_to": original})
    assert response.status_code == 302


def test_a_reply_over_the_socket_reaches_everyone_with_its_quote(app, live_server, chat_room):
    original = post_as(app, chat_room, "bob", "Is the *build* green?")
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    send(alice, content="yes", client_id="reply-00001", reply_to=str(original))
    for ws in (alice, bob):
        frame = receive_until(ws, "reply-00001")
        assert f'data-reply-quote="{original}"' in frame
        assert "<b>bob</b>: Is the build green?</a>" in frame
    # With a mention the message takes the other path: the quote comes along all the same.
    send(alice, content="@bob yes", client_id="reply-00002", reply_to=original)
    assert "<b>bob</b>: Is the build green?</a>" in receive_until(bob, "reply-00002")
    # A target that is not there: an error frame, the text back in the composer, no message.
    send(alice, content="lost answer", client_id="reply-00003", reply_to="424242")
    refused = receive_until(alice, "lost answer")
    assert GONE in refused and 'id="composer-input"' in refused
    assert [c for c, *_ in saved(app)] == ["Is the *build* green?", "yes", "@bob yes"]
    assert {r for _, r, _ in saved(app)[1:]} == {original}


def test_a_quote_follows_the_edits_and_the_deletion_of_its_original(app, live_server, chat_room):
    """A password pasted by mistake and edited away used to stay in the quotes of the
    replies: the quote now follows each edit, live and on reload, as it follows a deletion."""
    bob_http = as_user(app, "bob")
    original = post_as(app, chat_room, "bob", "the password is hunter2")
    alice = as_user(app, "alice")
    alice.post(f"/rooms/{chat_room}/messages", {"content": "agreed", "reply_to": original})
    with app.app_context():
        reply = ChatMessage.query.filter_by(content="agreed").one().id
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert "<b>bob</b>: the password is hunter2</a>" in page

    watcher = ws_connect(
        live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice")
    )
    frames_until(watcher, 'id="notification-badge"')
    bob_http.post(f"/messages/{original}/edit", {"content": "the password is *elsewhere*"})
    frame = receive_until(watcher, f'id="message-{reply}"')
    assert "<b>bob</b>: the password is elsewhere</a>" in frame and "hunter2" not in frame
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert "hunter2" not in page and "<b>bob</b>: the password is elsewhere</a>" in page
    assert saved(app)[-1][1:] == (original, "the password is elsewhere")

    bob_http.post(f"/messages/{original}/delete")
    frame = receive_until(watcher, f'id="message-{reply}"')
    assert "<b>bob</b>: (deleted message)</span>" in frame and "elsewhere" not in frame
    assert "data-reply-quote" not in frame  # nothing to go to
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert "elsewhere" not in page and "(deleted message)" in page
    assert saved(app)[-1][1:] == (original, None)


def test_the_page_around_a_message(app, chat_room):
    ids = [post_as(app, chat_room, "alice", f"m{i}") for i in range(2 * PAGE_SIZE)]
    alice = as_user(app, "alice")
    page = alice.get(f"/rooms/{chat_room}?around={ids[30]}").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r">m(\d+)</div>", page)]
    half = PAGE_SIZE // 2
    assert shown == list(range(30 - (PAGE_SIZE - half) + 1, 30 + half + 1))
    assert f"before={ids[shown[0]]}" in page  # older ones load as from any page
    assert f'<li id="load-newer" class="load-newer"><a href="/rooms/{chat_room}">' in page
    # Near the end: the rest of the page is older messages, and nothing newer follows.
    page = alice.get(f"/rooms/{chat_room}?around={ids[-3]}").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r">m(\d+)</div>", page)]
    assert shown == list(range(2 * PAGE_SIZE - PAGE_SIZE, 2 * PAGE_SIZE))
    assert "load-newer" not in page
    # Outsiders see nothing of it.
    assert as_user(app, "carol").get(f"/rooms/{chat_room}?around={ids[30]}").status_code == 404


def test_a_quote_is_text(app, chat_room):
    original = post_as(app, chat_room, "bob", "<img src=x onerror=alert(1)> `<script>`")
    alice = as_user(app, "alice")
    alice.post(f"/rooms/{chat_room}/messages", {"content": "what?", "reply_to": original})
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert "<b>bob</b>: &lt;img src=x onerror=alert(1)&gt; &lt;script&gt;</a>" in page
    page = alice.get(f"/rooms/{chat_room}?reply_to={original}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;</span>" in page
