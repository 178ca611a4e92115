"""Two users chat in real headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import browser_login, open_room
from .proxy import CuttableProxy


def test_two_users_chat_live_with_keyboard_and_typing(new_page, chat_room):
    alice, bob = new_page(), new_page()
    browser_login(alice, "alice")
    browser_login(bob, "bob")
    open_room(alice, chat_room)
    open_room(bob, chat_room)
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
    alice, bob = new_page(), new_page()
    browser_login(alice, "alice")
    browser_login(bob, "bob")
    open_room(alice, chat_room)
    open_room(bob, chat_room)
    alice.locator("#composer-input").press_sequentially("hmm")
    expect(bob.locator("#typing-indicator")).to_have_text("alice is typing…")
    alice.locator("body").click(position={"x": 5, "y": 5})
    expect(bob.locator("#typing-indicator")).to_have_text("")


@pytest.fixture
def proxy(live_server):
    proxy = CuttableProxy(int(live_server.rsplit(":", 1)[1]))
    yield proxy
    proxy.close()


def test_a_cut_socket_catches_up_without_duplicates(
    browser, live_server, new_page, chat_room, proxy
):
    context = browser.new_context(base_url=f"http://127.0.0.1:{proxy.port}")
    context.set_default_timeout(15_000)
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


def test_composer_works_without_javascript(browser, live_server, chat_room):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
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
