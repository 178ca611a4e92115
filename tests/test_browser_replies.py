"""Replies and Markdown in real Chromium: two users, live; by mouse and by keyboard; and the
same without JavaScript, as plain pages."""

import re

from playwright.sync_api import expect

from taskflow import markup
from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, User

from .conftest import browser_login, expect_socket_open, open_room


def seed(app, room_id: int, author: str, texts: list[str], reply_to: int | None = None):
    """Messages saved as the server saves them (the last one may reply to `reply_to`)."""
    with app.app_context():
        room, user = db.session.get(ChatRoom, room_id), User.by_username(author)
        ids = []
        for i, text in enumerate(texts):
            message = ChatMessage(room=room, author=user, content=text)
            message.seq = ChatRoom.next_seq(room_id)
            if reply_to and i == len(texts) - 1:
                original = db.session.get(ChatMessage, reply_to)
                message.reply_to_id, message.reply_excerpt = (
                    reply_to,
                    markup.excerpt(original.content),
                )
            db.session.add(message)
            db.session.flush()
            ids.append(message.id)
        db.session.commit()
        return ids


def message(page, message_id: int):
    return page.locator(f"#message-{message_id}")


def test_alice_replies_to_bob_and_the_quote_leads_to_the_original(new_page, app, chat_room):
    (old,) = seed(app, chat_room, "bob", ["Where is the *old* plan?"])
    fillers = seed(app, chat_room, "bob", [f"filler {i}" for i in range(60)])
    # alice's answer to the old question: the latest message, its original two pages back.
    (answer,) = seed(app, chat_room, "alice", ["In the wiki"], reply_to=old)
    alice, bob = new_page(), new_page()
    for page, name in ((alice, "alice"), (bob, "bob")):
        browser_login(page, name)
        open_room(page, chat_room)
    expect(message(bob, old)).to_have_count(0)  # not on the page: 50 newer ones are

    # By mouse: Reply sets the composer's target; Enter sends the reply; both see its quote.
    last = message(alice, fillers[-1])
    last.hover()  # a message's actions show on hover (and keyboard focus)
    last.get_by_role("link", name="Reply").click()
    target = alice.locator("#replying")
    expect(target).to_be_visible()
    expect(target).to_contain_text("Replying to bob: filler 59")
    composer = alice.locator("#composer-input")
    expect(composer).to_be_focused()
    composer.press_sequentially("on **it**")
    composer.press("Enter")
    for page in (alice, bob):
        reply = page.locator(".message").last
        expect(reply.locator(".message-body")).to_have_text("on it")
        expect(reply.locator(".message-body strong")).to_have_text("it")
        expect(reply.locator(".reply-quote")).to_have_text("In reply to bob: filler 59")
    expect(target).to_be_hidden()
    expect(composer).to_have_value("")

    # By keyboard: Enter on a Reply link, Esc cancels (target and text), then a real one.
    message(alice, fillers[-2]).get_by_role("link", name="Reply").focus()
    alice.keyboard.press("Enter")
    expect(target).to_contain_text("Replying to bob: filler 58")
    expect(composer).to_be_focused()
    composer.press_sequentially("never mind")
    composer.press("Escape")
    expect(target).to_be_hidden()
    expect(composer).to_have_value("")
    message(alice, fillers[-3]).get_by_role("link", name="Reply").focus()
    alice.keyboard.press("Enter")
    # The target is the server's fragment (GET /messages/<id>/reply): typed text waits for it.
    expect(target).to_contain_text("Replying to bob: filler 57")
    composer.press_sequentially("this one")
    composer.press("Enter")
    expect(bob.locator(".message").last.locator(".reply-quote")).to_have_text(
        "In reply to bob: filler 57"
    )

    # bob follows a quote whose original is on the page: it is scrolled to and highlighted.
    bob.locator(".message").last.locator(".reply-quote").click()
    original = message(bob, fillers[-3])
    expect(original).to_have_class(re.compile(r"\bhighlighted\b"))
    expect(original).to_be_focused()
    expect(original).to_be_in_viewport()

    # And one whose original is older than the page: older pages load until it is there.
    message(bob, answer).locator(".reply-quote").press("Enter")
    original = message(bob, old)
    expect(original).to_be_in_viewport()
    expect(original).to_have_class(re.compile(r"\bhighlighted\b"))
    expect(original.locator(".message-body em")).to_have_text("old")
    expect(message(bob, fillers[0])).to_have_count(1)  # the pages between came too
    expect(bob).to_have_url(re.compile(rf"/rooms/{chat_room}$"))  # still the live page
    expect_socket_open(bob)


def test_a_reply_without_javascript(new_context, app, chat_room):
    (old,) = seed(app, chat_room, "bob", ["Who has the `keys`?"])
    seed(app, chat_room, "bob", [f"filler {i}" for i in range(60)])
    context = new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        browser_login(page, "alice")
        # The original is beyond the latest page: its Reply link is on the page of older ones.
        page.goto(f"/rooms/{chat_room}")
        page.get_by_role("link", name="Load older messages").click()
        message(page, old).hover()
        message(page, old).get_by_role("link", name="Reply").click()
        expect(page).to_have_url(re.compile(rf"/rooms/{chat_room}\?reply_to={old}$"))
        expect(page.locator("#replying")).to_have_text(re.compile(r"Replying to bob: Who has"))
        page.locator("#composer-input").fill("I do")
        page.get_by_role("button", name="Send").click()

        reply = page.locator(".message").last
        expect(reply.locator(".message-body")).to_have_text("I do")
        quote = reply.locator(".reply-quote")
        expect(quote).to_have_text("In reply to bob: Who has the keys?")
        expect(page.locator("#replying")).to_be_hidden()  # the next message is no reply
        quote.click()  # the page around the original, at the original
        expect(page).to_have_url(re.compile(rf"\?around={old}#message-{old}$"))
        expect(message(page, old)).to_be_in_viewport()
        expect(message(page, old).locator(".message-body code")).to_have_text("keys")
        page.get_by_role("link", name="Newer messages follow: go to the latest").click()
        expect(page.locator(".message").last.locator(".message-body")).to_have_text("I do")
    finally:
        context.close()


def test_markdown_in_a_description_and_a_comment(new_page, board_with_task):
    _, task_id, _ = board_with_task
    alice, bob = new_page(), new_page()
    for page, name in ((alice, "alice"), (bob, "bob")):
        browser_login(page, name)
        page.goto(f"/tasks/{task_id}")
        expect_socket_open(page)

    alice.get_by_role("link", name="Edit", exact=True).first.click()
    alice.get_by_label("Description").fill(
        "The **plan**:\n\n- write\n- ship\n\n> ask first\n\n```\nmake release\n```"
    )
    alice.get_by_role("button", name=re.compile("Save")).click()
    description = alice.locator(".task-detail .description")
    expect(description.locator("strong")).to_have_text("plan")
    expect(description.locator("ul li")).to_have_text(["write", "ship"])
    expect(description.locator("blockquote")).to_have_text("ask first")
    expect(description.locator("pre code")).to_have_text("make release\n")
    expect(bob.locator(".task-detail .description strong")).to_have_text("plan")  # live

    box = bob.get_by_label("Add a comment (press / to jump here)")
    box.fill("see https://example.com/notes and *this* `code`, @alice")
    box.press("Enter")
    for page in (alice, bob):
        body = page.locator(".comment .message-body")
        expect(body.locator("a")).to_have_attribute("href", "https://example.com/notes")
        expect(body.locator("a")).to_have_attribute("rel", "nofollow noopener")
        expect(body.locator("em")).to_have_text("this")
        expect(body.locator("code")).to_have_text("code")
        expect(body.locator(".mention")).to_have_text("@alice")
