"""The chat's look in real Chromium (issue 14): the room page with every kind of message, the
empty states, the direct messages and rooms pages and a task's comments pass axe-core and
never scroll sideways, at 1280 and 390 px, light and dark; a message's actions show on hover
and keyboard focus (always on touch screens); on a phone the composer stays on screen and the
members list opens as a drawer."""

import re

import pytest
from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, User

from .a11y import DESKTOP, PHONE, context_for
from .conftest import as_user, browser_login, expect_socket_open, open_room, second_room


def post(client, room_id: int, content: str, reply_to: int | None = None) -> int:
    """A message sent as the composer sends it without JavaScript; its id."""
    data = {"content": content, "client_id": f"{abs(hash((content, reply_to))):032x}"[:32]}
    if reply_to:
        data["reply_to"] = str(reply_to)
    response = client.post(f"/rooms/{room_id}/messages", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"#message-(\d+)", response.headers["Location"])[1])


def seed_conversation(app, room_id: int) -> dict:
    """A short conversation with each kind of message: alice's own (two, grouped), bob's, a
    reply, a reaction and a mention of alice. Returns the ids by role."""
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    ids = {}
    ids["first"] = post(bob, room_id, "Morning! The **release notes** are ready for review.")
    ids["own"] = post(alice, room_id, "Thanks, I'll have a look after standup.")
    ids["grouped"] = post(alice, room_id, "Anything blocking the `v2.1` tag?")
    ids["reply"] = post(bob, room_id, "Only the changelog, nearly done.", reply_to=ids["grouped"])
    ids["mention"] = post(bob, room_id, "@alice can you approve the deploy?")
    response = alice.post(f"/messages/{ids['first']}/reactions", {"emoji": "thumbsup"})
    assert response.status_code == 302
    return ids


@pytest.fixture
def empty_room(app, chat_room) -> int:
    """A second room, "design", on the chat room's board, with alice and bob and no message."""
    return second_room(app, chat_room, "design")


@pytest.fixture
def task_with_comments(app, board_with_task_in) -> int:
    """A task on the chat room's board, with comments by alice and bob (one mentions alice)."""
    task_id = board_with_task_in
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    for client, text in ((bob, "Tests are green."), (alice, "Great, merging."), (bob, "@alice ok")):
        response = client.post(f"/tasks/{task_id}/comments", {"content": text})
        assert response.status_code == 302
    return task_id


def logged_in(new_context, viewport: dict, scheme: str, axe: bool = False):
    context = context_for(new_context, viewport, scheme, axe=axe)
    page = context.new_page()
    browser_login(page, "alice")
    return context, page


def test_a_message_shows_its_actions_on_hover_and_keyboard_focus(
    new_context, app, chat_room, task_with_comments
):
    ids = seed_conversation(app, chat_room)
    context, page = logged_in(new_context, DESKTOP, "light")
    try:
        page.goto(f"/rooms/{chat_room}")
        expect_socket_open(page)
        own, others = (
            page.locator(f"#message-{ids['own']}"),
            page.locator(f"#message-{ids['reply']}"),
        )
        edit, reply = own.get_by_role("link", name="Edit"), own.get_by_role("link", name="Reply")
        for action in (edit, reply, others.get_by_role("link", name="React")):
            expect(action).to_be_hidden()  # in the page, out of sight
        own.hover()
        expect(edit).to_be_visible()
        expect(reply).to_be_visible()
        expect(others.get_by_role("link", name="React")).to_be_hidden()
        others.hover()
        expect(edit).to_be_hidden()
        expect(others.get_by_role("link", name="React")).to_be_visible()
        expect(others.get_by_role("link", name="Edit")).to_be_hidden()  # not bob's page
        page.mouse.move(1, 1)

        # From the keyboard: Tab goes from the time into the toolbar, which shows...
        own.locator("time").focus()
        expect(reply).to_be_visible()
        page.keyboard.press("Tab")
        expect(reply).to_be_focused()
        # ...on to its last action, still shown; and the list is one Tab stop (issue 22):
        # the next Tab leaves it for the composer, not for the next message's actions.
        own.get_by_role("link", name="Edit").focus()
        page.keyboard.press("Tab")
        expect(own.get_by_role("link", name="Delete")).to_be_focused()
        expect(own.get_by_role("link", name="Delete")).to_be_visible()
        page.keyboard.press("Tab")
        expect(page.locator("#composer-input")).to_be_focused()

        # A task's comments: the same toolbar.
        page.goto(f"/tasks/{task_with_comments}")
        comment = page.locator(".comment", has_text="Great, merging.")
        expect(comment.get_by_role("link", name="Edit")).to_be_hidden()
        comment.hover()
        expect(comment.get_by_role("link", name="Edit")).to_be_visible()
        expect(comment.get_by_role("link", name="React")).to_be_visible()
    finally:
        context.close()


def test_on_a_phone_the_composer_stays_on_screen_and_the_lists_are_drawers(
    new_context, app, chat_room
):
    ids = seed_conversation(app, chat_room)
    with app.app_context():  # more than a screen of messages (past the sending rate limit)
        room, bob = db.session.get(ChatRoom, chat_room), User.by_username("bob")
        room.description = "Everyday talk about the launch, and everything around it, all day"
        for i in range(20):
            text = f"Line {i} of the release checklist, checked and signed off"
            message = ChatMessage(room=room, author=bob, content=text)
            message.seq = ChatRoom.next_seq(room.id)
            db.session.add(message)
        db.session.commit()
        db.session.remove()
    context, page = logged_in(new_context, PHONE, "light")
    try:
        page.goto(f"/rooms/{chat_room}")
        expect_socket_open(page)
        composer = page.locator("#composer")
        expect(composer).to_be_in_viewport(ratio=1)
        expect(page.locator("#composer-input")).to_be_in_viewport(ratio=1)
        # The messages scroll above it, inside the screen (the page itself does not scroll).
        log, box = page.locator(".scroller").bounding_box(), composer.bounding_box()
        assert 0 <= log["y"] and log["y"] + log["height"] <= box["y"], (log, box)
        # Nothing of the room reaches past the screen's edge (the whole page: the test above).
        assert (
            page.locator(".room-layout, .room-layout *").evaluate_all(
                "(all) => all.filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)"
                ".map((el) => el.outerHTML.slice(0, 80))"
            )
            == []
        )
        # A touch screen has no hover: the actions are always there, left to right in the
        # order they are read and focused, at the end of the first line, over no text.
        own = page.locator(f"#message-{ids['own']}")
        expect(own.get_by_role("link", name="Edit")).to_be_visible()
        tools = [own.get_by_role("link", name=n) for n in ("Reply", "React", "Edit", "Delete")]
        boxes = [tool.bounding_box() for tool in tools]
        assert [b["x"] for b in boxes] == sorted(b["x"] for b in boxes), boxes
        assert len({round(b["y"]) for b in boxes}) == 1, boxes
        for text in own.locator(".author, time").all():  # the first line's
            box = text.bounding_box()
            assert box["x"] + box["width"] <= boxes[0]["x"], (text.text_content(), box, boxes)

        members = page.locator("#room-members")
        expect(members).to_be_hidden()
        page.get_by_role("button", name="Members (2)").click()
        expect(members).to_be_visible()
        expect(members).to_be_in_viewport(ratio=1)
        page.keyboard.press("Escape")
        expect(members).to_be_hidden()

        page.get_by_role("button", name="Rooms").click()
        expect(page.get_by_role("link", name="#general")).to_be_visible()
        page.get_by_role("button", name="Close the room list").click()
        expect(page.get_by_role("link", name="#general")).to_be_hidden()
        expect(composer).to_be_in_viewport(ratio=1)
    finally:
        context.close()


def test_an_empty_room_invites_the_first_message_and_forgets_it_once_sent(
    new_page, chat_room, empty_room
):
    alice = new_page()
    browser_login(alice, "alice")
    open_room(alice, empty_room)
    empty = alice.locator(".room-empty")
    expect(empty).to_contain_text("No messages yet")
    expect(empty).to_contain_text("Say hello to #design")
    alice.locator("#composer-input").fill("Hello, design team")
    alice.locator("#composer-input").press("Enter")
    expect(alice.locator(".message .message-body")).to_have_text("Hello, design team")
    expect(empty).to_be_hidden()


def test_the_drawers_open_without_javascript(new_context, chat_room):
    context = context_for(new_context, PHONE, "light", java_script_enabled=False)
    try:
        page = context.new_page()
        browser_login(page, "alice")
        page.goto(f"/rooms/{chat_room}")
        expect(page.locator("#room-members")).to_be_hidden()
        page.get_by_role("button", name="Members (2)").click()  # a popover: no script needed
        expect(page.locator("#room-members")).to_be_visible()
    finally:
        context.close()
