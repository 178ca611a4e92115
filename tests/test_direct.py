"""Direct messages over HTTP: between people who share a board only, one per set of people,
read by their people only, listed in the navigation, and mentions that stay inside."""

import re

from taskflow.extensions import db
from taskflow.models import ChatRoom, Notification, User
from taskflow.models.room import DIRECT, MAX_DIRECT_PEOPLE

from .conftest import as_user, run_jobs
from .helpers import link_to

STRANGERS = "You can write only to people who share a board with you"


def ids(app, *names: str) -> list[int]:
    with app.app_context():
        return [User.by_username(n).id for n in names]


def open_direct(client, **form) -> str:
    """The conversation's path, after the New message form."""
    response = client.post("/direct/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert re.fullmatch(r"/rooms/\d+", response.location)
    return response.location


def test_people_who_share_a_board_get_one_conversation(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    (bob_id, alice_id, carol_id) = ids(app, "bob", "alice", "carol")
    form = alice.get("/direct/new").get_data(as_text=True)
    assert "bob" in form and "carol" in form and f'value="{alice_id}"' not in form
    path = open_direct(alice, people=[bob_id])
    assert open_direct(alice, people=[bob_id]) == path  # the same people: the same one
    assert open_direct(bob, people=[alice_id]) == path  # whoever opens it
    assert open_direct(bob, usernames="@ALICE, bob") == path  # by name, oneself ignored
    group = open_direct(alice, people=[bob_id], usernames="carol")
    assert group != path and open_direct(bob, people=[carol_id, alice_id]) == group
    with app.app_context():
        rooms = db.session.query(ChatRoom).filter_by(kind=DIRECT).all()
        assert sorted(len(r.members) for r in rooms) == [2, 3]
        assert all(r.board_id is None for r in rooms)


def test_strangers_are_refused_without_telling_who_exists(app, chat_room, make_user):
    make_user("mallory")  # on no board with alice
    alice = as_user(app, "alice")
    (mallory_id,) = ids(app, "mallory")
    for form, named in [
        ({"usernames": "mallory"}, "mallory"),
        ({"usernames": "nobody_at_all"}, "nobody_at_all"),  # no such user: the same answer
        ({"people": [mallory_id]}, None),
        ({"people": [999999]}, None),
    ]:
        response = alice.post("/direct/new", form)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and STRANGERS in page, form
        assert (f"{STRANGERS}: {named}." if named else f"{STRANGERS}.") in page
    response = alice.post("/direct/new", {"usernames": "bob mallory"})  # one is enough
    assert response.status_code == 422 and f"{STRANGERS}: mallory." in response.get_data(True)
    assert "mallory" not in alice.get("/direct/new").get_data(as_text=True)
    mallory = as_user(app, "mallory")
    assert mallory.post("/direct/new", {"usernames": "alice"}).status_code == 422
    with app.app_context():
        assert db.session.query(ChatRoom).filter_by(kind=DIRECT).count() == 0


def test_nobody_too_many_and_bad_input_are_clear_errors(app, chat_room, make_user):
    alice = as_user(app, "alice")
    for form, error in [
        ({}, "Pick at least one person"),
        ({"usernames": "alice"}, "Pick at least one person"),
        ({"people": ["x"]}, "could not be coerced"),
        ({"usernames": "x" * 401}, "longer than 400"),
    ]:
        response = alice.post("/direct/new", form)
        assert response.status_code == 422 and error in response.get_data(as_text=True), form
    names = [f"user{i}" for i in range(MAX_DIRECT_PEOPLE)]
    for name in names:
        make_user(name)
    with app.app_context():
        board = db.session.get(ChatRoom, chat_room).board
        for name in names:
            board.add_member(User.by_username(name))
        db.session.commit()
    response = alice.post("/direct/new", {"usernames": " ".join(names)})  # 9 with alice
    assert response.status_code == 422 and "at most 8 people" in response.get_data(True)
    assert open_direct(alice, usernames=" ".join(names[:7])).startswith("/rooms/")


def test_only_its_people_read_it_and_each_sees_the_others_names(app, chat_room):
    alice, bob, carol = (as_user(app, n) for n in ("alice", "bob", "carol"))
    path = open_direct(alice, usernames="bob")
    room_id = int(path.rsplit("/", 1)[1])
    alices = alice.get(path).get_data(as_text=True)
    assert '<h1 id="room-name">bob</h1>' in alices and "← Direct messages" in alices
    assert "Manage members" not in alices and "Leave room" not in alices
    assert f'ws-connect="/ws/chat-room/{room_id}"' in alices
    assert '<h1 id="room-name">alice</h1>' in bob.get(path).get_data(as_text=True)
    assert carol.get(path).status_code == 404  # on the board, not in the conversation
    assert carol.post(f"{path}/messages", {"content": "hi"}).status_code == 404
    assert carol.get(f"{path}/mentions?content=@a").status_code == 404
    for url in (f"{path}/members", f"{path}/delete"):
        assert alice.get(url).status_code == 403  # nobody manages a conversation
    assert carol.post(f"{path}/leave").status_code == 404  # its people leave it (issue 20)
    assert alice.post(f"{path}/join").status_code == 404
    assert bob.post(f"{path}/messages", {"content": "hello alice"}).status_code == 302
    assert "hello alice" in alice.get(path).get_data(as_text=True)


def test_the_navigation_and_room_pages_list_your_conversations(app, chat_room):
    alice, carol = as_user(app, "alice"), as_user(app, "carol")
    with_bob = open_direct(alice, usernames="bob")
    with_both = open_direct(alice, usernames="carol bob")
    alice.post(f"{with_bob}/messages", {"content": "latest"})  # the latest active comes first
    boards = alice.get("/boards").get_data(as_text=True)
    assert link_to("/direct", boards) == ("Direct messages", False)
    listing = alice.get("/direct").get_data(as_text=True)
    assert link_to("/direct", listing) == ("Direct messages", True)
    assert listing.index(f'href="{with_bob}"') < listing.index(f'href="{with_both}"')
    assert link_to(with_bob, listing) == ("bob", False)
    assert link_to(with_both, listing) == ("bob, carol", False)
    sidebar = alice.get(f"/rooms/{chat_room}").get_data(as_text=True).split("</nav>")[1]
    assert link_to(with_bob, sidebar) == ("bob", False)
    assert link_to(f"/rooms/{chat_room}", sidebar) == ("#general", True)
    carols = carol.get("/direct").get_data(as_text=True)
    assert with_bob not in carols and link_to(with_both, carols) == ("alice, bob", False)
    on_direct = carol.get(with_both).get_data(as_text=True).split("</nav>")[1]
    assert "#general" not in on_direct and 'aria-current="page">alice, bob</a>' in on_direct


def test_mentions_in_a_direct_message_notify_its_people_only(app, chat_room):
    alice = as_user(app, "alice")
    path = open_direct(alice, usernames="bob")
    response = alice.post(f"{path}/messages", {"content": "@bob and @carol, look"})
    assert response.status_code == 302
    run_jobs(app)
    with app.app_context():
        notes = db.session.query(Notification).all()
        assert [(n.recipient.username, n.text) for n in notes] == [
            ("bob", "alice mentioned you in a direct message")
        ]
        note_id = notes[0].id
    bob = as_user(app, "bob")
    center = bob.get("/notifications").get_data(as_text=True)
    assert "in a direct message" in center
    view = bob.post(f"/notifications/{note_id}/view")
    assert view.status_code == 302 and view.location.startswith(f"{path}#message-")


def test_a_direct_message_outlives_the_board_it_began_on(app, chat_room):
    """It belongs to its people, not to a board: deleting the board leaves it."""
    alice = as_user(app, "alice")
    path = open_direct(alice, usernames="bob")
    with app.app_context():
        board_id = db.session.get(ChatRoom, chat_room).board_id
    assert alice.post(f"/boards/{board_id}/archive").status_code == 302
    assert alice.post(f"/boards/{board_id}/delete").status_code == 302  # for good
    assert as_user(app, "bob").get(path).status_code == 200
    assert alice.get(f"/rooms/{chat_room}").status_code == 404
