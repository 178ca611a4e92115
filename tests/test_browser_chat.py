"""Two users chat in real headless Chromium."""

import re
import time

from playwright.sync_api import expect

from .conftest import (
    browser_login,
    following,
    http_login,
    open_room,
    ws_connect,
)
from .test_chat_socket import send


def alice_and_bob_in(room_id: int, new_page) -> tuple:
    """Two pages, alice's and bob's, each logged in with the room open."""
    alice, bob = new_page(), new_page()
    for page, name in ((alice, "alice"), (bob, "bob")):
        browser_login(page, name)
        open_room(page, room_id)
    return alice, bob


def test_two_users_chat_live_with_keyboard_and_typing(new_page, chat_room):
    alice, bob = alice_and_bob_in(chat_room, new_page)
    expect(alice.locator("#room-members li.online")).to_have_count(2)

    composer = alice.locator("#composer-input")
    expect(composer).to_be_focused()  # focus is in the composer when the room opens
    composer.press_sequentially("first line")
    expect(bob.locator("#typing-indicator")).to_have_text("alice is typing…")
    expect(alice.locator("#typing-indicator .typer")).to_be_hidden()  # not to herself
    composer.press("Shift+Enter")
    composer.press_sequentially("second <i>line</i>")
    composer.press("Enter")

    for page in (alice, bob):
        message = page.locator(".message").last
        expect(message.locator(".message-body")).to_have_text("first line\nsecond <i>line</i>")
    expect(bob.locator("#typing-indicator")).to_have_text("")  # cleared by the send
    expect(composer).to_have_value("")
    expect(composer).to_be_focused()
    mine = alice.locator(".message").last.locator(".author")
    assert (
        alice.evaluate("el => getComputedStyle(el, '::after').content", mine.element_handle())
        == '" (you)"'
    )
    assert (
        bob.evaluate(
            "el => getComputedStyle(el, '::after').content",
            bob.locator(".message").last.locator(".author").element_handle(),
        )
        == "none"
    )

    bob.locator("#composer-input").fill("reply from bob")
    bob.locator("#composer-input").press("Enter")
    expect(alice.locator(".message-body").last).to_have_text("reply from bob")

    composer.fill("never mind")
    composer.press("Escape")
    expect(composer).to_have_value("")
    composer.press("Enter")  # empty: nothing is sent
    expect(alice.locator(".message")).to_have_count(2)


def test_typing_indicator_clears_on_blur(new_page, chat_room):
    alice, bob = alice_and_bob_in(chat_room, new_page)
    alice.locator("#composer-input").press_sequentially("hmm")
    expect(bob.locator("#typing-indicator")).to_have_text("alice is typing…")
    alice.locator("body").click(position={"x": 5, "y": 5})
    expect(bob.locator("#typing-indicator")).to_have_text("")


def test_keyboard_jumps_to_the_composer_switches_rooms_and_picks_a_mention(
    new_page, app, chat_room
):
    from taskflow.extensions import db
    from taskflow.models import ChatRoom

    with app.app_context():
        general = db.session.get(ChatRoom, chat_room)
        random = ChatRoom(general.board, "random", "", general.created_by)
        db.session.add(random)
        db.session.commit()
        random_id = random.id
        db.session.remove()
    alice = new_page()
    browser_login(alice, "alice")
    open_room(alice, chat_room)
    composer = alice.locator("#composer-input")

    alice.locator("h1").click()
    expect(composer).not_to_be_focused()
    alice.keyboard.press("/")
    expect(composer).to_be_focused()
    expect(composer).to_have_value("")  # the "/" only moved the focus

    composer.press_sequentially("hi @bo")
    alice.get_by_role("option", name="@bob").click()
    expect(composer).to_have_value("hi @bob ")
    expect(composer).not_to_have_attribute("aria-activedescendant", re.compile(".+"))
    expect(alice.locator("#mention-box [role=option]")).to_have_count(0)

    alice.locator("h1").click()
    alice.keyboard.press("Alt+ArrowDown")
    alice.wait_for_url(f"**/rooms/{random_id}")
    expect(alice.locator("h1")).to_have_text("#random")
    alice.locator("h1").click()
    alice.keyboard.press("Alt+ArrowUp")
    alice.wait_for_url(f"**/rooms/{chat_room}")


def test_a_page_whose_access_ended_says_so_and_does_not_retry(new_page, chat_room):
    alice, bob = alice_and_bob_in(chat_room, new_page)
    alice.get_by_text("Manage members").click()
    alice.get_by_role("button", name="Remove bob from the room").click()
    expect(bob.locator("#connection-state")).to_have_text("Access ended. Reload the page.")
    expect(bob.locator("body")).to_have_attribute("data-socket", "closed")


def test_a_typing_indicator_expires_by_itself(live_server, chat_room, proxy, room_page):
    """bob's page goes quiet without saying he stopped (no stop_typing, his socket stays
    open), and alice's page cannot hear any later update: "bob is typing…" still goes, after
    TYPING_TTL, on her page alone."""
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    try:
        alice = room_page(proxy.url, "alice", chat_room, timeout=10_000)
        following(bob)
        # alice's socket is open before it follows the room: type until she sees it.
        deadline = time.monotonic() + 10
        while True:
            send(bob, type="typing")  # relayed at most once a second
            try:
                expect(alice.locator("#typing-indicator")).to_have_text(
                    "bob is typing…", timeout=1_500
                )
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise

        proxy.refuse = True  # alice's network goes down, and stays down
        proxy.cut()
        expect(alice.locator("#connection-state")).to_contain_text("Reconnecting")
        expect(alice.locator("#typing-indicator .typer")).to_have_count(0, timeout=9_000)
        bob.ping()  # bob's socket was open all along: nothing told the room he stopped
    finally:
        bob.close()


def test_a_cut_socket_catches_up_without_duplicates(new_context, new_page, chat_room, proxy):
    context = new_context(base_url=proxy.url, timeout=15_000)
    alice = context.new_page()
    bob = new_page()
    try:
        browser_login(alice, "alice")
        browser_login(bob, "bob")
        open_room(alice, chat_room)
        open_room(bob, chat_room)
        bob.locator("#composer-input").fill("before the cut")
        bob.locator("#composer-input").press("Enter")
        expect(alice.locator(".message-body")).to_have_text(["before the cut"])

        proxy.cut()
        expect(alice.locator("#connection-state")).to_contain_text("Reconnecting")
        for text in ("while away 1", "while away 2"):
            bob.locator("#composer-input").fill(text)
            bob.locator("#composer-input").press("Enter")
        expect(bob.locator(".message-body")).to_have_count(3)

        # htmx-ext-ws reconnects by itself; the page asks for what it missed.
        expect(alice.locator(".message-body")).to_have_text(
            ["before the cut", "while away 1", "while away 2"], timeout=20_000
        )
        bob.locator("#composer-input").fill("after")
        bob.locator("#composer-input").press("Enter")
        expect(alice.locator(".message-body")).to_have_text(
            ["before the cut", "while away 1", "while away 2", "after"]
        )
        ids = [m.get_attribute("id") for m in alice.locator(".message").all()]
        assert len(ids) == len(set(ids)) == 4
    finally:
        context.close()


def test_composer_works_without_javascript(new_context, chat_room):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        browser_login(page, "alice")
        page.goto(f"/rooms/{chat_room}")
        page.locator("#composer-input").fill("sent without JS")
        page.get_by_role("button", name="Send").click()
        expect(page.locator(".message-body").last).to_have_text("sent without JS")
        assert re.search(r"/rooms/\d+", page.url)
        page.locator("#composer-input").fill("   ")
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#socket-error")).to_have_text("Type a message first.")
    finally:
        context.close()


def test_edit_and_delete_a_message_in_place(new_page, chat_room):
    """Edit and Delete are plain links on every message (no form, no token): with JavaScript
    Edit opens the editor in place, and Delete asks first, then posts with the page's token."""
    alice, bob = alice_and_bob_in(chat_room, new_page)
    alice.locator("#composer-input").fill("typo here")
    alice.locator("#composer-input").press("Enter")
    mine = alice.locator(".message").last
    expect(bob.locator(".message-body").last).to_have_text("typo here")
    expect(bob.locator(".message").last.get_by_role("link", name="Edit")).to_be_hidden()
    mine.hover()  # a message's actions show on hover (and keyboard focus)
    mine.get_by_role("link", name="Edit").click()
    editor = alice.locator(".message.editing textarea")
    editor.fill("fixed")
    editor.press("Enter")
    expect(bob.locator(".message-body").last).to_have_text("fixed")
    expect(alice.locator(".message-body").last).to_have_text("fixed")
    alice.once("dialog", lambda dialog: dialog.accept())
    alice.locator(".message").last.hover()
    alice.locator(".message").last.get_by_role("link", name="Delete").click()
    expect(bob.locator(".message")).to_have_count(0)
    expect(alice.locator(".message")).to_have_count(0)
    assert alice.url.endswith(f"/rooms/{chat_room}")  # stayed on the room page
