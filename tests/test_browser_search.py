"""Search in real Chromium: Ctrl+K, a search, a message result that opens its room around
the message, scrolled to it; and the same without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from .test_browser_replies import message, seed


@pytest.fixture
def haystack(app, chat_room) -> tuple[int, int]:
    """An old message in the room, then 80 newer ones: the latest page does not hold it."""
    needle = seed(app, chat_room, "alice", ["the lighthouse keeper's *log*"])[0]
    seed(app, chat_room, "alice", [f"filler {i}" for i in range(80)])
    return chat_room, needle


def test_a_search_opens_the_message_in_its_room(new_page, haystack):
    room, needle = haystack
    bob = new_page("bob")
    bob.keyboard.press("Control+k")
    box = bob.locator("#search-q")
    expect(box).to_be_focused()
    box.fill("lighthouse keeper")
    box.press("Enter")
    result = bob.locator(f"#result-message-{needle}")
    expect(result.locator("mark")).to_have_text(["lighthouse", "keeper"])
    result.get_by_role("link").click()
    expect(bob).to_have_url(re.compile(rf"/rooms/{room}\?around={needle}#message-{needle}$"))
    expect(message(bob, needle)).to_be_in_viewport()
    expect(message(bob, needle).locator(".message-body em")).to_have_text("log")
    expect(bob.get_by_role("log", name="Messages")).to_contain_text("filler 0")


def test_a_search_without_javascript(no_js, haystack):
    room, needle = haystack
    bob = no_js("bob")
    bob.locator("#search-q").fill("lighthouse")
    bob.locator("#search-q").press("Enter")
    expect(bob).to_have_url(re.compile(r"/search\?q=lighthouse$"))
    bob.locator(f"#result-message-{needle}").get_by_role("link").click()
    expect(message(bob, needle)).to_be_in_viewport()
