"""Issue 13, knowing what is new, in real headless Chromium: alice writes, bob's pages count
live (several tabs, a reconnect), the "New" divider, reading clears the count everywhere,
mentions seen are read, levels, and the same without JavaScript."""

from playwright.sync_api import expect
from sqlalchemy import select

from taskflow.chat import service as chat
from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, Notification, User

from .conftest import browser_login, expect_socket_open, open_room, run_jobs, second_room


def say(app, room_id: int, username: str, text: str, times: int = 1) -> None:
    """`username` posts in the room (as the socket would): published live; its mention
    notifications are made here (the test's queue is not the live worker's)."""
    with app.test_request_context():
        room, author = db.session.get(ChatRoom, room_id), User.by_username(username)
        for i in range(times):
            chat.post(room, author, text if times == 1 else f"{text} {i}")
            room = db.session.get(ChatRoom, room_id)
        db.session.remove()
    run_jobs(app)


def board_id_of(app, room_id: int) -> int:
    with app.app_context():
        board_id = db.session.get(ChatRoom, room_id).board_id
        db.session.remove()
        return board_id


def bobs_tabs(new_context, base_url: str, count: int = 2) -> list:
    """Tabs of one browser (one login) of bob's."""
    context = new_context(base_url=base_url, timeout=20_000)
    first = context.new_page()
    browser_login(first, "bob")
    return [first, *(context.new_page() for _ in range(count - 1))]


def room_count(page, room_id: int):
    return page.locator(f'[data-unread-room="{room_id}"] [data-n]')


def bobs_notifications(app) -> list[bool]:
    with app.app_context():
        bob = User.by_username("bob")
        found = db.session.scalars(
            select(Notification.is_read)
            .where(Notification.recipient_id == bob.id)
            .order_by(Notification.id)
        ).all()
        db.session.remove()
        return list(found)


def notified(app, room_id: int) -> bool:
    """Every mention of the room has been through its job."""
    with app.app_context():
        pending = db.session.scalar(
            select(ChatMessage.id).where(
                ChatMessage.room_id == room_id, ChatMessage.notified_at.is_(None)
            )
        )
        db.session.remove()
        return pending is None


def test_counts_move_live_in_two_tabs_survive_a_reconnect_and_clear_when_read(
    app, new_context, new_page, chat_room, proxy
):
    board_id = board_id_of(app, chat_room)
    listing, board, room = bobs_tabs(new_context, proxy.url, count=3)
    listing.goto(f"/boards/{board_id}/rooms")
    board.goto(f"/boards/{board_id}")
    for page in (listing, board):
        expect_socket_open(page)

    alice = new_page()
    browser_login(alice, "alice")
    open_room(alice, chat_room)
    for text in ("one", "two"):
        alice.locator("#composer-input").fill(text)
        alice.locator("#composer-input").press("Enter")
        expect(alice.locator(".message-body").last).to_have_text(text)
    expect(room_count(listing, chat_room)).to_have_text("2")
    expect(listing.locator(f'[data-unread-room="{chat_room}"]')).to_have_class("unread")
    expect(board.locator(".board-actions [data-unread-total] [data-n]")).to_have_text("2")

    # bob's connection drops; alice writes meanwhile; his pages reconnect and count it.
    proxy.refuse = True
    proxy.cut()
    for page in (listing, board):
        expect(page.locator("body")).to_have_attribute("data-socket", "closed")
    say(app, chat_room, "alice", "three")
    proxy.refuse = False
    for page in (listing, board):
        expect_socket_open(page)
    expect(room_count(listing, chat_room)).to_have_text("3")
    expect(board.locator(".board-actions [data-unread-total] [data-n]")).to_have_text("3")
    alice.locator("#composer-input").fill("four")
    alice.locator("#composer-input").press("Enter")
    expect(room_count(listing, chat_room)).to_have_text("4")  # once, not twice

    # bob reads the room in a third tab: the others clear.
    open_room(room, chat_room)
    expect(room_count(listing, chat_room)).to_be_hidden()
    expect(listing.locator(f'[data-unread-room="{chat_room}"]')).not_to_have_class("unread")
    expect(board.locator(".board-actions [data-unread-total] [data-n]")).to_be_hidden()
    listing.reload()
    expect(listing.locator(f'[data-unread-room="{chat_room}"] [data-n]')).to_have_count(0)


def test_new_divider_above_the_first_unread_and_read_only_once_scrolled_down(
    app, new_context, live_server, chat_room
):
    board_id = board_id_of(app, chat_room)
    listing, room = bobs_tabs(new_context, live_server)
    open_room(room, chat_room)  # bob has seen the room as it is
    say(app, chat_room, "alice", "already seen")
    expect(room.locator(".message-body").last).to_have_text("already seen")
    room.goto(f"/boards/{board_id}")  # bob leaves; alice writes more than fits
    say(app, chat_room, "alice", "new", times=30)
    listing.goto(f"/boards/{board_id}/rooms")
    expect(room_count(listing, chat_room)).to_have_text("30")

    room.locator("a", has_text="Chat rooms").click()
    room.locator(f'[data-unread-room="{chat_room}"]').click()
    divider = room.locator("#new-divider")
    expect(divider).to_be_in_viewport()
    expect(room.locator("#new-divider + .message .message-body")).to_have_text("new 0")
    expect(room.locator("#new-divider ~ .message")).to_have_count(30)
    expect_socket_open(room)
    # Seen only once scrolled to the bottom: until then the count stays.
    expect(room_count(listing, chat_room)).to_have_text("30")
    room.locator(".message").last.scroll_into_view_if_needed()
    expect(room_count(listing, chat_room)).to_be_hidden()


def test_a_mention_seen_in_the_open_room_does_not_raise_the_badge(app, new_page, chat_room):
    bob = new_page()
    browser_login(bob, "bob")
    open_room(bob, chat_room)  # visible, at the bottom
    say(app, chat_room, "alice", "look @bob")
    expect(bob.locator(".message-body").last).to_have_text("look @bob")
    assert bobs_notifications(app) == [True]
    expect(bob.locator("#notification-badge")).to_be_hidden()

    # Away from the room a mention counts; opening the room (seen) reads it.
    bob.goto(f"/boards/{board_id_of(app, chat_room)}/rooms")
    expect_socket_open(bob)
    say(app, chat_room, "alice", "again @bob")
    expect(bob.locator("#notification-badge")).to_have_text("1", timeout=20_000)
    expect(bob.locator(f'[data-unread-room="{chat_room}"]')).to_have_class("unread mentioned")
    bob.locator(f'[data-unread-room="{chat_room}"]').click()
    expect(bob.locator("#notification-badge")).to_be_hidden()
    assert bobs_notifications(app) == [True, True]


def test_levels_decide_what_is_bold_and_what_notifies(app, new_page, chat_room):
    random = second_room(app, chat_room)
    board_id = board_id_of(app, chat_room)
    bob = new_page()
    browser_login(bob, "bob")
    open_room(bob, chat_room)
    bob.get_by_label("Notify me about").select_option("mentions")
    expect(bob.locator(".level-status")).to_have_text("Saved.")
    bob.goto(f"/boards/{board_id}/rooms")
    expect_socket_open(bob)

    say(app, chat_room, "alice", "plain")
    say(app, random, "alice", "plain in random")
    expect(room_count(bob, random)).to_have_text("1")
    expect(bob.locator(f'[data-unread-room="{chat_room}"]')).not_to_have_class("unread")
    say(app, chat_room, "alice", "for @bob")
    expect(room_count(bob, chat_room)).to_have_text("1")  # the mention only
    expect(bob.locator("#notification-badge")).to_have_text("1", timeout=20_000)

    open_room(bob, chat_room)
    bob.get_by_label("Notify me about").select_option("none")
    expect(bob.locator(".level-status")).to_have_text("Saved.")
    bob.goto(f"/boards/{board_id}/rooms")
    expect_socket_open(bob)
    say(app, chat_room, "alice", "again @bob")
    say(app, random, "alice", "more in random")
    expect(room_count(bob, random)).to_have_text("2")
    expect(bob.locator(f'[data-unread-room="{chat_room}"]')).not_to_have_class("unread")
    assert notified(app, chat_room)
    assert bobs_notifications(app) == [True]  # the first, read when seen; none since
    bob.reload()
    expect(bob.locator(f'[data-unread-room="{chat_room}"]')).not_to_have_class("unread")


def test_without_javascript_the_list_shows_counts_and_a_room_is_read_once_loaded(
    app, no_js, chat_room
):
    board_id = board_id_of(app, chat_room)
    bob = no_js("bob")
    bob.goto(f"/rooms/{chat_room}")
    say(app, chat_room, "alice", "new", times=3)
    bob.goto(f"/boards/{board_id}/rooms")
    link = bob.locator(f'[data-unread-room="{chat_room}"]')
    expect(link).to_have_class("unread")
    expect(link).to_have_accessible_name("#general 3 unread")
    bob.goto(f"/boards/{board_id}")
    rooms_link = bob.locator(".board-actions [data-unread-total]")
    expect(rooms_link).to_have_accessible_name("Chat rooms 3 unread")
    bob.goto(f"/boards/{board_id}/rooms")
    link.click()
    expect(bob.locator("#new-divider + .message .message-body")).to_have_text("new 0")
    bob.get_by_label("Notify me about").select_option("mentions")
    bob.get_by_role("button", name="Apply").click()
    expect(bob.locator(".flash")).to_have_text("Notifications of #general: mentions only.")
    bob.goto(f"/boards/{board_id}/rooms")
    expect(link).not_to_have_class("unread")
    expect(link).to_have_accessible_name("#general")


def test_the_level_applies_on_change_with_no_apply_button(app, new_page, chat_room):
    """Issue 22: with JavaScript the select saves on change; an Apply button beside it only
    said it would not (it is kept for browsers without JavaScript, below)."""
    bob = new_page()
    browser_login(bob, "bob")
    open_room(bob, chat_room)
    level = bob.get_by_label("Notify me about")
    expect(level).to_be_visible()
    expect(bob.locator("#level-form").get_by_role("button", name="Apply")).to_have_count(0)
    level.select_option("mentions")
    expect(bob.locator(".level-status")).to_have_text("Saved.")
    expect(bob.locator("#level-form").get_by_role("button", name="Apply")).to_have_count(0)
    bob.reload()
    expect(bob.get_by_label("Notify me about")).to_have_value("mentions")


def test_without_javascript_the_level_has_its_apply_button(app, no_js, chat_room):
    bob = no_js("bob")
    bob.goto(f"/rooms/{chat_room}")
    apply = bob.locator("#level-form").get_by_role("button", name="Apply")
    expect(apply).to_be_visible()
    bob.get_by_label("Notify me about").select_option("none")
    apply.click()
    expect(bob.locator(".flash")).to_have_text("Notifications of #general: nothing.")
    expect(bob.get_by_label("Notify me about")).to_have_value("none")
