"""Issue 13, knowing what is new: read positions, unread counts, levels and mentions seen,
without a browser (tests/test_browser_unread.py drives two users in Chromium)."""

import re

from sqlalchemy import func, select

from taskflow import viewing
from taskflow.chat import unread
from taskflow.extensions import db
from taskflow.models import ChatRoom, Notification, User
from taskflow.models.room import room_members

from .conftest import (
    as_user,
    frames_until,
    http_login,
    live_csrf,
    run_jobs,
    send,
    ws_connect,
)
from .helpers import board_of
from .test_rooms import fill_room


def post(client, room_id: int, text: str) -> None:
    assert client.post(f"/rooms/{room_id}/messages", {"content": text}).status_code == 302


def read_position(app, room_id: int, username: str) -> tuple[int, str]:
    with app.app_context():
        user = User.by_username(username)
        row = db.session.execute(
            select(room_members.c.last_read_id, room_members.c.level).where(
                room_members.c.room_id == room_id, room_members.c.user_id == user.id
            )
        ).one()
        db.session.remove()
        return row.last_read_id, row.level


def link(html: str, room_id: int) -> str:
    """The room's link on a page (templates/chat/_room_link.html)."""
    found = re.search(
        rf'<a href="/rooms/{room_id}(?:#new)?" data-room-link[^>]*>.*?</a>', html, re.S
    )
    assert found, f"no link to room {room_id}"
    return found[0]


def count_of(html: str, room_id: int) -> str | None:
    """The count a room's link shows, None when it is not bold."""
    found = link(html, room_id)
    if 'class="unread' not in found:
        return None
    return re.search(r"<span data-n>([^<]+)</span>", found)[1]


def with_js(client):
    """A client whose pages run unread.js (its cookie): loading a room marks nothing read."""
    client.http.set_cookie(unread.JS_COOKIE, "1")
    return client


def test_unread_messages_by_others_make_the_room_bold_with_a_count(app, chat_room):
    alice, bob = as_user(app, "alice"), with_js(as_user(app, "bob"))
    board_id = board_of(app, chat_room)
    index = f"/boards/{board_id}/rooms"
    assert count_of(bob.get(index).get_data(as_text=True), chat_room) is None
    for i in range(3):
        post(alice, chat_room, f"hello {i}")
    post(bob, chat_room, "my own message is not unread")
    assert count_of(bob.get(index).get_data(as_text=True), chat_room) == "3"
    assert count_of(alice.get(index).get_data(as_text=True), chat_room) == "1"  # bob's
    board = bob.get(f"/boards/{board_id}").get_data(as_text=True)
    assert re.search(r'class="unread"\s+data-unread-total="\d+">Chat rooms<span', board)
    # The room page with JavaScript marks nothing read when it loads: it says when it is seen.
    bob.get(f"/rooms/{chat_room}")
    assert count_of(bob.get(index).get_data(as_text=True), chat_room) == "3"


def test_the_count_is_capped_and_deleted_messages_do_not_count(app, chat_room):
    alice, bob = as_user(app, "alice"), with_js(as_user(app, "bob"))
    index = f"/boards/{board_of(app, chat_room)}/rooms"
    ids = fill_room(app, chat_room, count=240)  # alice's and bob's in turn: 120 by alice
    assert count_of(bob.get(index).get_data(as_text=True), chat_room) == "99+"
    with app.app_context():
        unread.mark_read(chat_room, User.by_username("bob").id, ids[-5])
        db.session.remove()
    assert count_of(bob.get(index).get_data(as_text=True), chat_room) == "2"
    assert alice.post(f"/messages/{ids[-2]}/delete").status_code == 302  # one of her two
    assert count_of(bob.get(index).get_data(as_text=True), chat_room) == "1"


def test_a_read_position_moves_forward_only_and_never_past_the_newest(app, chat_room):
    alice, bob = as_user(app, "alice"), with_js(as_user(app, "bob"))
    for i in range(3):
        post(alice, chat_room, f"m{i}")
    first, _, newest = _message_ids(app, chat_room)
    assert bob.post(f"/rooms/{chat_room}/read", {"message": newest + 1000}).status_code == 302
    assert read_position(app, chat_room, "bob")[0] == newest
    bob.post(f"/rooms/{chat_room}/read", {"message": first})
    assert read_position(app, chat_room, "bob")[0] == newest  # never backwards
    assert bob.post(f"/rooms/{chat_room}/read", {"message": "x"}).status_code == 400
    assert bob.post(f"/rooms/{chat_room}/read", {"message": first}, csrf=False).status_code == 400
    carol = as_user(app, "carol")  # on the board, not in the room
    assert carol.post(f"/rooms/{chat_room}/read", {"message": first}).status_code == 404


def _message_ids(app, room_id: int) -> list[int]:
    from taskflow.models import ChatMessage

    with app.app_context():
        ids = db.session.scalars(
            select(ChatMessage.id).where(ChatMessage.room_id == room_id).order_by(ChatMessage.id)
        ).all()
        db.session.remove()
        return list(ids)


def test_a_room_page_without_javascript_is_read_once_loaded_with_new_above_the_first(
    app, chat_room
):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")  # bob: no JavaScript cookie
    post(alice, chat_room, "seen before")
    bob.get(f"/rooms/{chat_room}")
    post(alice, chat_room, "first new")
    post(alice, chat_room, "second new")
    index = f"/boards/{board_of(app, chat_room)}/rooms"
    listed = bob.get(index).get_data(as_text=True)
    assert count_of(listed, chat_room) == "2"
    assert f'href="/rooms/{chat_room}#new"' in listed  # leads to the divider
    page = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
    before, after = message_list(page).split('id="new-divider"')
    assert "seen before" in before and "first new" in after and "second new" in after
    assert count_of(bob.get(index).get_data(as_text=True), chat_room) is None  # read now
    assert 'id="new-divider"' not in message_list(bob.get(f"/rooms/{chat_room}").get_data(True))
    # The shared list stays the same for everyone: alice's page has no divider.
    assert 'id="new-divider"' not in message_list(alice.get(f"/rooms/{chat_room}").get_data(True))


def message_list(page: str) -> str:
    """The room page's list of messages: the page also carries the divider in a <template>
    for room.js (issue 21: the server writes the HTML), which is not the list's."""
    start = page.index('<ol id="messages"')
    return page[start : page.index("</ol>", start)]


def test_levels_decide_what_is_bold_and_what_notifies(app, chat_room):
    alice, bob = as_user(app, "alice"), with_js(as_user(app, "bob"))
    index = f"/boards/{board_of(app, chat_room)}/rooms"
    response = bob.post(f"/rooms/{chat_room}/level", {"level": "mentions"})
    assert response.status_code == 302
    assert read_position(app, chat_room, "bob")[1] == "mentions"
    post(alice, chat_room, "a plain message")
    assert count_of(bob.get(index).get_data(as_text=True), chat_room) is None
    post(alice, chat_room, "for you @bob")
    assert count_of(bob.get(index).get_data(as_text=True), chat_room) == "1"
    run_jobs(app)
    assert _notifications(app, "bob") == [False]

    bob.post(f"/rooms/{chat_room}/read")
    assert _notifications(app, "bob") == [True]  # the mention, seen: read
    form = bob.post(f"/rooms/{chat_room}/level", {"level": "none"}, htmx=True)
    assert form.status_code == 200 and "Saved." in form.get_data(as_text=True)
    assert 'value="none" selected' in form.get_data(as_text=True)
    post(alice, chat_room, "again @bob")
    run_jobs(app)
    assert count_of(bob.get(index).get_data(as_text=True), chat_room) is None
    assert _notifications(app, "bob") == [True]  # nothing new: "nothing" never notifies

    assert bob.post(f"/rooms/{chat_room}/level", {"level": "loud"}).status_code == 400
    assert bob.post(f"/rooms/{chat_room}/level", {"level": "all"}, csrf=False).status_code == 400


def _notifications(app, username: str) -> list[bool]:
    """The user's notifications, oldest first: whether each is read."""
    with app.app_context():
        user = User.by_username(username)
        found = db.session.scalars(
            select(Notification.is_read)
            .where(Notification.recipient_id == user.id)
            .order_by(Notification.id)
        ).all()
        db.session.remove()
        return list(found)


def test_a_mention_in_the_room_being_looked_at_is_created_read(app, chat_room):
    alice = as_user(app, "alice")
    with app.app_context():
        bob_id = User.by_username("bob").id
        viewing.visible(chat_room, bob_id, "tab-1")
        assert viewing.viewers(chat_room, [bob_id]) == {bob_id}
    post(alice, chat_room, "look @bob")
    run_jobs(app)
    assert _notifications(app, "bob") == [True]
    with app.app_context():
        viewing.hidden(chat_room, bob_id, "tab-1")
        assert viewing.viewers(chat_room, [bob_id]) == set()
    post(alice, chat_room, "and now @bob")
    run_jobs(app)
    assert _notifications(app, "bob") == [True, False]


def test_the_room_list_socket_counts_live_and_a_read_reaches_the_users_other_pages(
    app, live_server, chat_room
):
    board_id = board_of(app, chat_room)
    bob_session = http_login(live_server, "bob")
    listing = ws_connect(live_server, f"/ws/rooms/{board_id}", bob_session)
    first = frames_until(listing, 'id="notification-badge"')
    state = next(f for f in first if f.startswith("<template data-unread-state"))
    assert f'data-room="{chat_room}"' in state and 'data-unread="0"' in state

    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    frames_until(alice, 'id="notification-badge"')
    send(alice, content="hi @bob")
    activity = frames_until(listing, "data-unread-activity")[-1]
    assert f'data-room="{chat_room}"' in activity
    bob_id = _user_id(app, "bob")
    assert f'data-mentions="{bob_id}"' in activity and "hi" not in activity  # ids only

    room = ws_connect(live_server, f"/ws/chat-room/{chat_room}", bob_session)
    frames_until(room, 'id="notification-badge"')
    newest = _message_ids(app, chat_room)[-1]
    send(room, type="read", message=newest)
    read = frames_until(listing, "data-unread-state")[-1]
    assert f'data-read="{newest}"' in read and 'data-unread="0"' in read
    send(room, type="read", message="nope")
    frames_until(room, "not a message id")
    assert live_csrf(bob_session, live_server)  # the session is still good


def _user_id(app, username: str) -> int:
    with app.app_context():
        user_id = User.by_username(username).id
        db.session.remove()
        return user_id


def test_a_new_member_starts_with_the_room_read(app, chat_room):
    alice = as_user(app, "alice")
    for i in range(3):
        post(alice, chat_room, f"before carol {i}")
    carol_id = _user_id(app, "carol")
    assert alice.post(f"/rooms/{chat_room}/members", {"user_id": carol_id}).status_code == 302
    carol = with_js(as_user(app, "carol"))
    index = f"/boards/{board_of(app, chat_room)}/rooms"
    assert count_of(carol.get(index).get_data(as_text=True), chat_room) is None
    post(alice, chat_room, "after carol")
    assert count_of(carol.get(index).get_data(as_text=True), chat_room) == "1"


def test_the_migration_starts_existing_members_fully_read(tmp_path, redis_url):
    """Upgrading a database with rooms and messages: nobody finds an old room bold."""
    from flask_migrate import downgrade, upgrade

    from taskflow.models import Board, ChatMessage

    from .conftest import scratch_app

    app = scratch_app(tmp_path, redis_url)
    with app.app_context():
        upgrade()
        alice, bob = User("alice", "x" * 10), User("bob", "x" * 10)
        board = Board.create("B", "", alice)
        board.add_member(bob)
        room = ChatRoom(board, "r", "", alice)
        room.members.append(bob)
        db.session.add_all([alice, bob, room])
        db.session.flush()
        db.session.add_all(ChatMessage(room=room, author=alice, content=f"m{i}") for i in range(3))
        db.session.commit()
        downgrade(revision="d3c7a1e9f520")  # before read positions
        upgrade()
        newest = db.session.scalar(select(func.max(ChatMessage.id)))
        positions = db.session.scalars(select(room_members.c.last_read_id)).all()
        levels = db.session.scalars(select(room_members.c.level)).all()
        db.session.remove()
    assert newest and positions == [newest, newest] and levels == ["all", "all"]


def test_a_mention_is_created_read_for_one_past_it_unless_added_by_an_edit(app, chat_room):
    alice, bob = as_user(app, "alice"), with_js(as_user(app, "bob"))
    post(alice, chat_room, "hello @bob")
    post(alice, chat_room, "hello everyone")
    bob.post(f"/rooms/{chat_room}/read")  # before the job ran: bob has seen it
    run_jobs(app)
    assert _notifications(app, "bob") == [True]
    first_plain = _message_ids(app, chat_room)[1]
    response = alice.post(f"/messages/{first_plain}/edit", {"content": "hello @bob, too"})
    assert response.status_code == 302
    run_jobs(app)
    assert _notifications(app, "bob") == [True, False]  # the edit's mention is news


def test_every_page_counts_direct_messages_for_the_navigation(app, live_server, chat_room):
    """The navigation's "Direct messages" shows their unread sum on every page: the socket of
    a page without a topic of its own (the notification center, the boards list) starts from
    their states and follows their activity."""
    alice_session, bob_session = (http_login(live_server, name) for name in ("alice", "bob"))
    token = live_csrf(alice_session, live_server)
    created = alice_session.post(
        f"{live_server}/direct/new",
        data={"usernames": "bob", "csrf_token": token},
        allow_redirects=False,
    )
    direct = int(created.headers["Location"].rsplit("/", 1)[1])
    page = bob_session.get(f"{live_server}/boards").text
    assert f'data-unread-total="{direct}"' in page  # the navigation's link sums it

    personal = ws_connect(live_server, "/ws/notifications", bob_session)
    first = frames_until(personal, 'id="notification-badge"')
    state = next(f for f in first if f.startswith("<template data-unread-state"))
    assert f'data-room="{direct}"' in state and 'data-unread="0"' in state
    writer = ws_connect(live_server, f"/ws/chat-room/{direct}", alice_session)
    frames_until(writer, 'id="notification-badge"')
    send(writer, content="are you there?")
    activity = frames_until(personal, "data-unread-activity")[-1]
    assert f'data-room="{direct}"' in activity and "there" not in activity
