"""Mentions end to end in real Chromium, with the real web server, RQ worker and Redis."""

import re

from playwright.sync_api import expect

from .conftest import browser_login, expect_socket_open, open_room


def badge(page):
    return page.locator("#notification-badge")


def test_mentions_reach_the_badge_center_and_message(
    new_page, chat_room, board_with_task_in, live_worker
):
    task_id = board_with_task_in
    alice, bob = new_page(), new_page()
    browser_login(alice, "alice")
    browser_login(bob, "bob")
    bob.goto("/boards")  # a page with no topic of its own: /ws/notifications
    expect_socket_open(bob)
    expect(badge(bob)).to_be_hidden()

    open_room(alice, chat_room)
    composer = alice.locator("#composer-input")
    composer.press_sequentially("@bo")
    option = alice.get_by_role("option", name="@bob")
    expect(option).to_be_visible()
    expect(composer).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    composer.press("Enter")  # picks the name rather than sending
    expect(composer).to_have_value("@bob ")
    composer.press_sequentially("can you ship it?")
    composer.press("Enter")
    expect(alice.locator(".message .mention")).to_have_text("@bob")

    expect(badge(bob)).to_have_text("1")  # live, on another page
    expect(bob).to_have_title("(1) My boards · TaskFlow")

    alice.goto(f"/tasks/{task_id}")
    box = alice.locator("#comment-input")
    box.fill("@BOB please review")
    box.press("Enter")
    expect(alice.locator(".comment .mention")).to_have_text("@BOB")
    expect(badge(bob)).to_have_text("2")

    bob.get_by_role("link", name="Notifications, 2 unread", exact=True).click()
    items = bob.locator(".notification.unread")
    expect(items).to_have_count(2)
    # Newest first, each under the place it happened in, which its heading names once.
    headings = bob.locator(".notification-group").get_by_role("heading")
    expect(headings).to_have_text(["Task Ship it in Launch", "#general in Launch"])
    expect(items.first.locator(".notification-summary")).to_have_text(
        "alice mentioned you in a comment"
    )
    expect(items.first.locator(".notification-excerpt")).to_have_text("@BOB please review")
    bob.get_by_role("button", name="View: alice mentioned you in #general").click()
    bob.wait_for_url(re.compile(r"/rooms/\d+#message-\d+"))
    target = bob.locator(".message:target")
    expect(target).to_contain_text("can you ship it?")
    # The viewer's own mention is highlighted (viewer.css, with the theme's tokens).
    expect(target.locator(".mention")).not_to_have_css("background-color", "rgba(0, 0, 0, 0)")
    expect(badge(bob)).to_have_text("1")


def test_the_badge_polls_when_websockets_are_blocked(new_context, new_page, chat_room, live_worker):
    context = new_context()
    context.route_web_socket(re.compile(r".*/ws/.*"), lambda ws: ws.close())  # a hostile proxy
    bob = context.new_page()
    alice = new_page()
    try:
        browser_login(bob, "bob")
        browser_login(alice, "alice")
        bob.goto("/boards")
        expect(badge(bob)).to_be_hidden()
        open_room(alice, chat_room)
        alice.locator("#composer-input").fill("@bob are you there?")
        alice.locator("#composer-input").press("Enter")
        expect(badge(bob)).to_have_text("1", timeout=15_000)
        expect(bob.locator("body")).not_to_have_attribute("data-socket", "open")
    finally:
        context.close()
