"""Rooms people can find, in real Chromium with two users: open rooms joined and left live,
private rooms nowhere to be seen, direct messages both ways, and all of it without
JavaScript too."""

import re

from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import ChatRoom, Invitation, User
from taskflow.models.room import OPEN

from .conftest import (
    browser_login,
    close_code,
    expect_socket_open,
    http_login,
    open_room,
    ws_connect,
)


def add_lobby(app, room_id: int) -> tuple[int, int]:
    """An open room "lobby" on the board of `room_id`, with alice and bob in it; its id and
    the board's."""
    with app.app_context():
        board = db.session.get(ChatRoom, room_id).board
        alice, bob = User.by_username("alice"), User.by_username("bob")
        room = ChatRoom(board, "lobby", "Everyone", alice, kind=OPEN)
        room.members.append(bob)
        db.session.add(room)
        db.session.commit()
        ids = room.id, board.id
        db.session.remove()
        return ids


def user_id(app, name: str) -> int:
    with app.app_context():
        return User.by_username(name).id


def logged_in(new_page, name: str):
    page = new_page()
    browser_login(page, name)
    return page


def send(page, text: str) -> None:
    composer = page.locator("#composer-input")
    composer.fill(text)
    composer.press("Enter")


def test_a_private_room_stays_hidden_and_an_open_one_is_joined_live(
    app, new_page, live_server, chat_room
):
    lobby, board_id = add_lobby(app, chat_room)
    carol_id = user_id(app, "carol")
    alice = logged_in(new_page, "alice")
    open_room(alice, lobby)

    carol = logged_in(new_page, "carol")  # on the board, in neither room
    carol.goto(f"/boards/{board_id}/rooms")
    expect(carol.locator("main")).not_to_contain_text("general")  # private: not listed
    assert carol.goto(f"/rooms/{chat_room}").status == 404
    ws = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "carol"))
    assert close_code(ws) == 4404

    carol.goto(f"/boards/{board_id}/rooms")
    expect(carol.locator(f"#room-card-{lobby}")).to_contain_text("Open · 2 members")
    carol.get_by_role("button", name="Join #lobby").click()
    carol.wait_for_url(f"**/rooms/{lobby}")
    expect(carol.locator("h1")).to_have_text("#lobby")
    expect_socket_open(carol)
    # alice's open page lists her, then sees her online
    expect(alice.locator(f"#member-{carol_id}")).to_have_class("online")

    send(alice, "welcome carol")
    expect(carol.locator(".message-body").last).to_have_text("welcome carol")
    send(carol, "thanks!")
    expect(alice.locator(".message-body").last).to_have_text("thanks!")


def test_leaving_closes_the_leavers_pages_of_the_room(app, new_page, chat_room):
    lobby, board_id = add_lobby(app, chat_room)
    bob_id = user_id(app, "bob")
    alice = logged_in(new_page, "alice")
    open_room(alice, lobby)
    bob = logged_in(new_page, "bob")
    other_tab = bob.context.new_page()
    open_room(other_tab, lobby)
    open_room(bob, lobby)
    expect(alice.locator(f"#member-{bob_id}")).to_have_class("online")

    bob.get_by_role("link", name="Leave room").click()
    expect(bob.locator("h1")).to_have_text("Leave the room #lobby?")
    bob.get_by_role("button", name="Leave room").click()
    bob.wait_for_url(f"**/boards/{board_id}/rooms")
    expect(bob.locator("#flash")).to_contain_text("You left #lobby.")
    expect(bob.get_by_role("button", name="Join #lobby")).to_be_visible()  # open: rejoinable

    expect(other_tab.locator("#connection-state")).to_have_text("Access ended. Reload the page.")
    expect(other_tab.locator("body")).to_have_attribute("data-socket", "closed")
    expect(alice.locator(f"#member-{bob_id}")).to_have_count(0)  # gone from the list
    send(alice, "after bob left")
    expect(other_tab.locator(".message-body", has_text="after bob left")).to_have_count(0)


def test_a_new_board_member_joins_the_open_room_at_once(app, new_page, chat_room, make_user):
    lobby, board_id = add_lobby(app, chat_room)
    make_user("dave")
    with app.app_context():
        board = db.session.get(ChatRoom, lobby).board
        dave = User.by_username("dave")
        db.session.add(Invitation(board=board, invitee=dave, invited_by=board.owner))
        db.session.commit()
        dave_id = dave.id
        db.session.remove()
    alice = logged_in(new_page, "alice")
    open_room(alice, lobby)

    dave = logged_in(new_page, "dave")
    dave.get_by_role("link", name="Notifications, 1 unread", exact=True).click()
    dave.locator(".invitation").get_by_role("button", name="Accept").click()
    dave.wait_for_url(f"**/boards/{board_id}")
    dave.get_by_role("link", name="Chat rooms").click()
    expect(dave.locator("main")).not_to_contain_text("general")
    # accepting put him in the open room: no Join, a link to it
    expect(dave.get_by_role("button", name="Join #lobby")).to_have_count(0)
    dave.locator(f"#room-card-{lobby}").get_by_role("link", name="#lobby", exact=True).click()
    dave.wait_for_url(f"**/rooms/{lobby}")
    expect_socket_open(dave)
    expect(alice.locator(f"#member-{dave_id}")).to_have_class("online")
    send(dave, "hello, I am new")
    expect(alice.locator(".message-body").last).to_have_text("hello, I am new")


def test_an_open_room_is_read_before_joining_and_joined_in_place(app, new_page, chat_room):
    """Issue 22: a board member who has not joined an open room reads it, live, with a Join
    bar in place of the composer; Join keeps them on the page, now with the composer."""
    lobby, board_id = add_lobby(app, chat_room)
    alice = logged_in(new_page, "alice")
    open_room(alice, lobby)
    send(alice, "before carol came")
    expect(alice.locator(".message-body").last).to_have_text("before carol came")

    carol = logged_in(new_page, "carol")  # on the board, not in the room
    carol.goto(f"/boards/{board_id}/rooms")
    carol.locator(f"#room-card-{lobby}").get_by_role("link", name="#lobby", exact=True).click()
    carol.wait_for_url(f"**/rooms/{lobby}")
    expect(carol.locator(".message-body").last).to_have_text("before carol came")
    expect(carol.locator("#composer")).to_have_count(0)
    bar = carol.locator("#join-bar")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("Join it to write here")
    expect_socket_open(carol)
    send(alice, "live while carol reads")
    expect(carol.locator(".message-body").last).to_have_text("live while carol reads")

    bar.get_by_role("button", name="Join #lobby").click()
    expect(carol.locator("#composer-input")).to_be_visible()
    expect(carol.locator("#join-bar")).to_have_count(0)
    assert carol.url.endswith(f"/rooms/{lobby}")
    expect_socket_open(carol)
    send(carol, "hello, I joined")
    expect(alice.locator(".message-body").last).to_have_text("hello, I joined")


def test_a_direct_message_works_live_both_ways(app, new_page, chat_room):
    alice = logged_in(new_page, "alice")
    alice.get_by_role("link", name="Direct messages").click()
    alice.get_by_role("link", name="New message").click()
    alice.get_by_label("bob", exact=True).check()
    alice.get_by_role("button", name="Open conversation").click()
    alice.wait_for_url(re.compile(r"/rooms/\d+$"))
    path = re.search(r"/rooms/\d+$", alice.url)[0]
    expect(alice.locator("h1")).to_have_text("bob")
    expect_socket_open(alice)

    bob = logged_in(new_page, "bob")
    bob.get_by_role("link", name="Direct messages").click()
    bob.locator(".direct-list").get_by_role("link", name="alice").click()
    bob.wait_for_url(f"**{path}")
    expect(bob.locator("h1")).to_have_text("alice")
    expect_socket_open(bob)
    expect(alice.locator("#room-members li.online")).to_have_count(2)

    alice.locator("#composer-input").press_sequentially("just us")
    expect(bob.locator("#typing-indicator")).to_have_text("alice is typing…")
    alice.locator("#composer-input").press("Enter")
    expect(bob.locator(".message-body").last).to_have_text("just us")
    expect(bob.locator("#typing-indicator")).to_have_text("")
    bob.locator("#composer-input").press_sequentially("indeed")
    expect(alice.locator("#typing-indicator")).to_have_text("bob is typing…")
    bob.locator("#composer-input").press("Enter")
    expect(alice.locator(".message-body").last).to_have_text("indeed")

    # the same two people again: the same conversation, whoever starts it
    bob.goto("/direct/new")
    bob.get_by_label("Or type their usernames").fill("alice")
    bob.get_by_role("button", name="Open conversation").click()
    bob.wait_for_url(f"**{path}")
    expect(bob.locator(".message-body")).to_have_count(2)


def test_a_mention_in_a_direct_message_notifies_its_person(app, new_page, chat_room, live_worker):
    alice = logged_in(new_page, "alice")
    alice.goto("/direct/new")
    alice.get_by_label("Or type their usernames").fill("bob carol")
    alice.get_by_role("button", name="Open conversation").click()
    alice.wait_for_url(re.compile(r"/rooms/\d+$"))
    expect(alice.locator("h1")).to_have_text("bob, carol")
    expect_socket_open(alice)
    bob = logged_in(new_page, "bob")  # on his boards page: the badge is live there
    expect_socket_open(bob)

    alice.locator("#composer-input").press_sequentially("@bo")
    alice.get_by_role("option", name="@bob").click()  # the conversation's people only
    alice.locator("#composer-input").press_sequentially("see this")
    alice.locator("#composer-input").press("Enter")
    expect(alice.locator(".message .mention")).to_have_text("@bob")
    expect(bob.locator("#notification-badge")).to_have_text("1")
    bob.get_by_role("link", name="Notifications, 1 unread", exact=True).click()
    item = bob.locator(".notification.unread")
    group = bob.locator(".notification-group", has=item)
    expect(group.get_by_role("heading")).to_have_text("Direct message with alice, carol")
    expect(item.locator(".notification-summary")).to_have_text("alice mentioned you")
    expect(item.locator(".notification-excerpt")).to_have_text("@bob see this")
    item.get_by_role("button", name="View: alice mentioned you in a direct message").click()
    bob.wait_for_url(re.compile(r"/rooms/\d+#message-\d+"))
    expect(bob.locator(".message:target")).to_contain_text("see this")


def test_join_leave_and_new_message_without_javascript(app, new_context, chat_room, make_user):
    lobby, board_id = add_lobby(app, chat_room)
    make_user("mallory")  # shares no board with carol
    context = new_context(java_script_enabled=False)
    carol = context.new_page()
    try:
        browser_login(carol, "carol")
        carol.goto(f"/boards/{board_id}/rooms")
        carol.get_by_role("button", name="Join #lobby").click()
        carol.wait_for_url(f"**/rooms/{lobby}")
        carol.locator("#composer-input").fill("joined without JS")
        carol.get_by_role("button", name="Send").click()
        expect(carol.locator(".message-body").last).to_have_text("joined without JS")
        carol.get_by_role("link", name="Leave room").click()
        carol.get_by_role("button", name="Leave room").click()
        carol.wait_for_url(f"**/boards/{board_id}/rooms")
        expect(carol.locator("#flash")).to_contain_text("You left #lobby.")

        carol.get_by_role("link", name="Direct messages").click()
        carol.get_by_role("link", name="New message").click()
        carol.get_by_label("Or type their usernames").fill("mallory")
        carol.get_by_role("button", name="Open conversation").click()
        expect(carol.locator(".error")).to_have_text(
            "You can write only to people who share a board with you: mallory."
        )
        expect(carol.get_by_label("Or type their usernames")).to_have_value("mallory")
        carol.get_by_label("Or type their usernames").fill("")
        carol.get_by_label("alice", exact=True).check()
        carol.get_by_role("button", name="Open conversation").click()
        carol.wait_for_url(re.compile(r"/rooms/\d+$"))
        expect(carol.locator("h1")).to_have_text("alice")
        carol.locator("#composer-input").fill("hi alice")
        carol.get_by_role("button", name="Send").click()
        expect(carol.locator(".message-body").last).to_have_text("hi alice")
    finally:
        context.close()
