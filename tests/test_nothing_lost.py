"""Issue 10 §4: nothing lost when a connection drops. Real sockets, a real TCP proxy that
cuts connections, and two users in real Chromium."""

import re

from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, User
from taskflow.models.message import PAGE_SIZE

from .conftest import (
    http_login,
    live_csrf,
    receive_until,
    send,
    ws_connect,
)


def seq_of(frame: str) -> int:
    return max(int(n) for n in re.findall(r'data-seq="(\d+)"', frame))


def saved(app, content: str) -> int:
    with app.app_context():
        count = ChatMessage.query.filter_by(content=content).count()
        db.session.remove()
        return count


# --- a message is saved at most once, however often it is sent ------------------------------


def test_a_client_id_is_saved_once_over_socket_and_http(app, live_server, chat_room):
    alice_http = http_login(live_server, "alice")
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", alice_http)
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    send(alice, content="only once", client_id="page-id-0001")
    assert 'data-client-id="page-id-0001"' in receive_until(alice, "only once")
    receive_until(bob, "only once")

    send(alice, content="only once", client_id="page-id-0001")  # the page sends it again
    ack = receive_until(alice, "only once")  # acknowledged again, to this page only
    assert 'data-client-id="page-id-0001"' in ack
    response = alice_http.post(  # and once more over the HTTP fallback
        f"{live_server}/rooms/{chat_room}/messages",
        data={"content": "only once", "client_id": "page-id-0001", "seq": 0},
        headers={"HX-Request": "true", "X-CSRFToken": live_csrf(alice_http, live_server)},
    )
    assert response.status_code == 200 and 'data-client-id="page-id-0001"' in response.text
    send(bob, content="sentinel")
    assert "only once" not in receive_until(bob, "sentinel")  # bob saw it once, not again
    assert saved(app, "only once") == 1


def test_a_malformed_client_id_is_refused_with_the_text_handed_back(app, live_server, chat_room):
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    send(alice, content="keep me", client_id="<script>")
    frame = receive_until(alice, "malformed id")
    assert "keep me" in frame  # back in the composer
    assert saved(app, "keep me") == 0


# --- edits and deletions reach a page that was away ----------------------------------------


def test_edits_and_deletions_made_while_a_socket_was_cut_are_caught_up(live_server, chat_room):
    alice_http, bob_http = http_login(live_server, "alice"), http_login(live_server, "bob")
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", bob_http)
    for text in ("to edit", "to delete", "to keep"):
        send(bob, content=text)
        receive_until(bob, text)  # saved
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}?seq=0", alice_http)
    first = receive_until(alice, "to keep")
    ids = dict(re.findall(r'id="message-(\d+)".*?<div class="message-body">([^<]*)<', first, re.S))
    by_text = {text: int(i) for i, text in ids.items()}
    seen = seq_of(first)
    alice.close()  # alice's connection drops

    token = live_csrf(bob_http, live_server)
    bob_http.post(
        f"{live_server}/messages/{by_text['to edit']}/edit",
        data={"content": "edited while away", "csrf_token": token},
    )
    bob_http.post(
        f"{live_server}/messages/{by_text['to delete']}/delete", data={"csrf_token": token}
    )
    send(bob, content="new while away")
    receive_until(bob, "new while away")

    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}?seq={seen}", alice_http)
    caught = receive_until(alice, "new while away")
    assert "edited while away" in caught
    assert f'id="message-{by_text["to delete"]}"' in caught and "data-deleted" in caught
    assert "to keep" not in caught  # unchanged: not sent again
    send(bob, content="live again")
    live = receive_until(alice, "live again")
    assert "edited while away" not in live and "new while away" not in live  # exactly once


def test_a_crafted_catch_up_costs_at_most_one_page(app, live_server, chat_room):
    """Any seq costs one page of work: beyond a page of changes the list is reloaded."""
    with app.app_context():
        room = db.session.get(ChatRoom, chat_room)
        bob = User.by_username("bob")
        for i in range(3 * PAGE_SIZE):
            message = ChatMessage(room=room, author=bob, content=f"m{i} " + "x" * 500)
            message.seq = ChatRoom.next_seq(room.id)
            message.notified_at = message.created_at
            db.session.add(message)
        db.session.commit()
        db.session.remove()
    alice = ws_connect(
        live_server, f"/ws/chat-room/{chat_room}?seq=0", http_login(live_server, "alice")
    )
    frame = receive_until(alice, 'id="messages"')
    assert 'id="live-sync"' in frame and f'data-seq="{3 * PAGE_SIZE}"' in frame
    assert frame.count('class="message"') == PAGE_SIZE
    assert len(frame) < PAGE_SIZE * 1500  # one page of ~1.3 KB messages, whatever seq asked


# --- the composer keeps a message until the server has it ------------------------------------


def what_the_page_says(page) -> str:
    """The sender's side of a message that did not arrive, for the failure's report (each part
    read at once, or the reason it could not be)."""
    parts = {
        "socket": lambda: page.locator("body").get_attribute("data-socket", timeout=1_000),
        "connection": lambda: page.locator("#connection-state").text_content(timeout=1_000),
        "error": lambda: page.locator("#socket-error").text_content(timeout=1_000),
        "outbox": lambda: page.locator("#outbox:visible").all_text_contents(),
        "composer": lambda: page.locator("#composer-input").input_value(timeout=1_000),
    }
    said = []
    for name, read in parts.items():
        try:
            said.append(f"{name}={read()!r}")
        except Exception as error:  # a report, not a second failure
            said.append(f"{name}: {type(error).__name__}")
    return ", ".join(said)


def test_a_message_sent_as_the_connection_drops_arrives_once(
    app, live_server, live_server_log, chat_room, proxy, room_page
):
    """A TCP proxy cuts alice's connections right after she presses Enter, 20 times: each
    message is saved once and shown once on both pages."""
    alice = room_page(proxy.url, "alice", chat_room)
    bob = room_page(live_server, "bob", chat_room)
    composer = alice.locator("#composer-input")
    for i in range(20):
        text = f"dropped {i}"
        composer.fill(text)
        composer.press("Enter")
        proxy.cut()
        try:
            for page in (alice, bob):
                # a reconnect waits up to a second (htmx's jittered backoff): a slow CI gets 15
                shown = page.locator(".message-body", has_text=text)
                expect(shown).to_have_count(1, timeout=15_000)
            expect(composer).to_have_value("", timeout=15_000)
        except AssertionError as failed:
            log = live_server_log.read_text(errors="replace").splitlines()[-40:]
            raise AssertionError(
                f"{text!r}: saved {saved(app, text)} time(s); alice's page: "
                f"{what_the_page_says(alice)}; bob's page shows it "
                f"{bob.locator('.message-body', has_text=text).count()} time(s); "
                "the server's log ends:\n" + "\n".join(log)
            ) from failed
        assert saved(app, text) == 1
    expected = [f"dropped {i}" for i in range(20)]
    for page in (alice, bob):
        expect(page.locator(".message-body")).to_have_text(expected)


def test_a_message_sent_on_a_dead_socket_goes_over_http(
    app, live_server, chat_room, proxy, room_page
):
    """alice's socket dies without closing (a NAT forgot it): her page still thinks it is open
    and sends into the void. Unanswered, the message goes again over HTTP, on a new connection,
    and arrives once; the page opens a new socket."""
    alice = room_page(proxy.url, "alice", chat_room)
    bob = room_page(live_server, "bob", chat_room)
    proxy.stall_websockets()
    composer = alice.locator("#composer-input")
    composer.fill("into the void")
    composer.press("Enter")
    for page in (alice, bob):  # within seconds, as alice's page waits for its answer
        shown = page.locator(".message-body", has_text="into the void")
        expect(shown).to_have_count(1, timeout=15_000)
    expect(composer).to_have_value("")
    expect(alice.locator("#outbox")).to_be_hidden()
    assert saved(app, "into the void") == 1
    # ...and the dead socket was replaced: bob's next message reaches alice live.
    bob.locator("#composer-input").fill("heard again")
    bob.locator("#composer-input").press("Enter")
    expect(alice.locator(".message-body", has_text="heard again")).to_have_count(1)
    expect(alice.locator("body")).to_have_attribute("data-socket", "open")


def test_messages_sent_together_over_http_all_arrive(app, chat_room, proxy, room_page):
    """With the socket down and a slow network, three messages sent in a row go over HTTP one
    after the other: none is dropped while another is on its way."""
    page = room_page(proxy.url, "alice", chat_room)
    proxy.refuse_websockets = True
    proxy.cut()
    expect(page.locator("body")).to_have_attribute("data-socket", "closed")
    proxy.delay = 0.5
    composer = page.locator("#composer-input")
    words = ["first", "second", "third"]
    for word in words:
        composer.fill(word)
        composer.press("Enter")
    expect(page.locator(".message-body")).to_have_text(words, timeout=15_000)
    expect(composer).to_have_value("")
    assert [saved(app, word) for word in words] == [1, 1, 1]


def test_a_message_that_cannot_be_sent_yet_stays_until_it_is(app, chat_room, proxy, room_page):
    """With the server unreachable the text stays in the composer and the page says it is
    sending (never "Not sent." beside "Reconnecting…": issue 22); it is tried again over HTTP
    until the server answers, then shown once."""
    page = room_page(proxy.url, "alice", chat_room)
    proxy.refuse = True  # the network is down: no connection gets through
    proxy.cut()
    expect(page.locator("body")).to_have_attribute("data-socket", "closed")
    composer = page.locator("#composer-input")
    composer.fill("stuck for now")
    composer.press("Enter")
    page.wait_for_event("requestfailed")  # over HTTP too
    expect(page.locator("#outbox")).to_have_text("Sending…")
    expect(composer).to_have_value("stuck for now")
    assert saved(app, "stuck for now") == 0
    # HTTP comes back but the socket stays down: the page's next try over HTTP sends it.
    proxy.refuse_websockets, proxy.refuse = True, False
    expect(page.locator(".message-body", has_text="stuck for now")).to_have_count(1)
    expect(composer).to_have_value("")
    expect(page.locator("#outbox")).to_be_hidden()
    assert saved(app, "stuck for now") == 1


# --- every control of the shared live fragments works without JavaScript --------------------


def test_message_controls_work_without_javascript(no_js, chat_room):
    page = no_js("alice")
    page.goto(f"/rooms/{chat_room}")
    page.locator("#composer-input").fill("plain form")
    page.get_by_role("button", name="Send").click()
    message = page.locator(".message", has_text="plain form")
    expect(message).to_have_count(1)
    message.hover()  # its actions show on hover (and keyboard focus)
    message.get_by_role("link", name="Edit").click()
    page.get_by_label("Edit message").fill("edited without JavaScript")
    page.get_by_role("button", name="Save").click()
    message = page.locator(".message", has_text="edited without JavaScript")
    expect(message).to_have_count(1)
    message.hover()
    message.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete this message?")).to_be_visible()
    page.get_by_role("button", name="Delete message").click()
    expect(page.locator(".message", has_text="edited without JavaScript")).to_have_count(0)
    expect(page.get_by_text("Bad Request")).to_have_count(0)


def test_comment_and_board_controls_work_without_javascript(no_js, board_with_task):
    board_id, task_id, _ = board_with_task
    page = no_js("alice")
    page.goto(f"/tasks/{task_id}")
    page.get_by_label("Add a comment (press / to jump here)").fill("a plain comment")
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator(".comment", has_text="a plain comment")
    comment.hover()  # its actions show on hover (and keyboard focus)
    comment.get_by_role("link", name="Edit").click()
    page.get_by_label("Edit comment").fill("edited comment")
    page.get_by_role("button", name="Save").click()
    comment = page.locator(".comment", has_text="edited comment")
    expect(comment).to_have_count(1)
    comment.hover()
    comment.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete comment").click()
    expect(page.locator(".comment")).to_have_count(0)

    page.goto(f"/boards/{board_id}")
    page.get_by_label("New task in To Do").fill("Plain task")
    page.locator("#kanban form.quick-add").first.get_by_role("button", name="Add").click()
    card = page.locator(".card", has_text="Plain task")
    expect(card).to_have_count(1)
    card.get_by_role("link", name="Plain task").click()  # the task page moves it
    page.get_by_role("group", name="Move").get_by_role("button", name="Right").click()
    expect(page.locator(".flash")).to_contain_text("is now in In Progress")
    page.get_by_role("link", name="← Launch").click()
    doing = page.locator(".column", has=page.get_by_role("heading", name="In Progress"))
    expect(doing.locator(".card", has_text="Plain task")).to_have_count(1)
    page.get_by_label("Add a column").fill("QA")
    page.get_by_role("button", name="Add column").click()
    expect(page.get_by_role("heading", name="QA")).to_be_visible()
    page.locator(".column-menu summary").first.click()
    page.locator(".column-menu").first.get_by_role("button", name="Move column To Do right").click()
    expect(page.locator(".column h2").first).to_contain_text("In Progress")
    page.locator(".card-title", has_text="Plain task").click()
    page.get_by_role("link", name="Archive").first.click()
    page.get_by_role("button", name="Archive task").click()
    expect(page.locator(".card", has_text="Plain task")).to_have_count(0)
    page.get_by_role("button", name="Undo").click()  # the notice the board page offers
    expect(page.locator(".card", has_text="Plain task")).to_have_count(1)
    expect(page.locator(".flash")).to_contain_text("Undone.")


def test_a_catch_up_that_replaces_the_list_keeps_what_the_page_showed(
    app, chat_room, proxy, room_page
):
    """Beyond a page of changes the catch-up replaces the whole list (rooms/_messages.html,
    out of band). Messages the page showed that are in that list too stay shown."""
    from taskflow.chat import service as chat

    def as_bob(change) -> None:
        with app.test_request_context():
            change(db.session.get(ChatRoom, chat_room), User.by_username("bob"))
            db.session.remove()

    as_bob(lambda room, bob: [chat.post(room, bob, f"shown {i}") for i in range(3)])
    page = room_page(proxy.url, "alice", chat_room, timeout=30_000)
    expect(page.locator(".message-body")).to_have_text(["shown 0", "shown 1", "shown 2"])
    proxy.refuse = True
    proxy.cut()
    expect(page.locator("body")).to_have_attribute("data-socket", "closed")

    def away(room, bob) -> None:  # more changed messages than a page holds
        for message in ChatMessage.query.filter_by(room_id=room.id):
            chat.edit(message, f"{message.content}, edited")
        for i in range(PAGE_SIZE - 2):
            chat.post(room, bob, f"new {i}")

    as_bob(away)
    proxy.refuse = False
    # The latest page: two of the three it showed (edited), then the new ones.
    latest = ["shown 1, edited", "shown 2, edited"] + [f"new {i}" for i in range(PAGE_SIZE - 2)]
    expect(page.locator(".message-body")).to_have_text(latest, timeout=30_000)


def test_resending_a_saved_message_does_not_count_against_the_rate_limit(
    app, live_server, chat_room
):
    """A page resends what it has not seen acknowledged (after each dropped connection, and
    htmx-ext-ws also replays its queue): resends of a saved message must not use up the
    sender's message limit (20 per 5 s), or a flaky network turns into "slow down"."""
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    send(alice, content="sent once", client_id="resent-00001")
    receive_until(alice, "sent once")
    for _ in range(25):
        send(alice, content="sent once", client_id="resent-00001")
    send(alice, content="a new one", client_id="resent-00002")
    frame = receive_until(alice, lambda f: "a new one" in f or "too fast" in f)
    assert "a new one" in frame and "too fast" not in frame
    assert saved(app, "sent once") == 1
