"""Issue 20 ("Trust, second round"): what one member can make others pay for in rooms.

Creating rooms is limited (a rate per user, a cap per board) and every list of rooms is
paged; a profile save costs the next view only the page it shows; a room's member count does
not change what a request does; forms that add people are idempotent; a direct message can
be left, and is read-only once its people share no board."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, insert, select

from taskflow.extensions import db
from taskflow.models import Board, ChatMessage, ChatRoom, User, room_reads
from taskflow.models.room import OPEN, room_members

from .conftest import as_user
from .helpers import board_of


def ids_of(app, *names: str) -> list[int]:
    with app.app_context():
        return [User.by_username(n).id for n in names]


@contextmanager
def counted_queries(app):
    """The SQL statements the block runs, in a list filled as it runs."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@contextmanager
def config(app, **values):
    before = {name: app.config.get(name) for name in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(before)


def add_rooms(app, board_id: int, count: int, creator: str = "alice", prefix: str = "r") -> None:
    """`count` open rooms on the board, made directly (as many as a flood would)."""
    with app.app_context():
        board, user = db.session.get(Board, board_id), User.by_username(creator)
        for i in range(count):
            db.session.add(ChatRoom(board, f"{prefix}{i:04}", "", user, kind=OPEN))
        db.session.commit()


def add_board_people(app, room_id: int, count: int, in_room: bool = True) -> list[int]:
    """`count` new users on the room's board (and in the room), in bulk (no password hash
    each: they never log in)."""
    from taskflow.models.board import Membership
    from taskflow.names import name_key

    with app.app_context():
        board_id = db.session.get(ChatRoom, room_id).board_id
        start = db.session.scalar(select(db.func.count()).select_from(User))
        names = [f"member{start + i:05}" for i in range(count)]
        users = [{"username": n, "username_key": name_key(n), "password_hash": "!"} for n in names]
        db.session.execute(insert(User), users)
        ids = list(db.session.scalars(select(User.id).where(User.username.in_(names))))
        db.session.execute(insert(Membership), [{"board_id": board_id, "user_id": i} for i in ids])
        if in_room:
            rows = [{"room_id": room_id, "user_id": i, "last_read_id": 0} for i in ids]
            db.session.execute(insert(room_members), rows)
        db.session.commit()
        db.session.remove()
        return ids


# -- 4. forms that add people are idempotent ----------------------------------------------


def test_a_boards_first_room_with_people_ticked_twice_is_made_once(app, login, make_user):
    alice = login("alice")
    for name in ("bob", "carol"):
        make_user(name)
    with app.app_context():
        board = Board.create("Fresh", "", User.by_username("alice"))
        for name in ("bob", "carol"):
            board.add_member(User.by_username(name))
        db.session.commit()
        board_id = board.id
    bob, carol = ids_of(app, "bob", "carol")
    new = f"/boards/{board_id}/rooms/new"
    # A resubmitted or doctored form names a person twice: each is in the room once.
    response = alice.post(new, {"name": "first", "members": [bob, carol, bob, carol]})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        room = db.session.scalar(select(ChatRoom).where(ChatRoom.board_id == board_id))
        assert sorted(u.username for u in room.members) == ["alice", "bob", "carol"]


def test_adding_someone_already_in_changes_nothing(app, chat_room):
    alice = as_user(app, "alice")
    (bob,) = ids_of(app, "bob")
    for _ in range(2):
        response = alice.post(f"/rooms/{chat_room}/members", {"user_id": bob})
        assert response.status_code == 302
    bob_client = as_user(app, "bob")
    with app.app_context():
        board, alice_user = db.session.get(ChatRoom, chat_room).board, User.by_username("alice")
        lobby = ChatRoom(board, "lobby", "", alice_user, kind=OPEN)
        db.session.add(lobby)
        db.session.commit()
        lobby_id = lobby.id
    for _ in range(2):
        assert bob_client.post(f"/rooms/{lobby_id}/join").status_code == 302
    with app.app_context():
        rows = db.session.execute(
            select(room_members.c.room_id, room_members.c.user_id).order_by(
                room_members.c.room_id, room_members.c.user_id
            )
        ).all()
    assert len(rows) == len(set(rows)) == 4  # general: alice, bob; lobby: alice, bob


# -- 1. creating rooms is limited, and lists of rooms are paged ---------------------------


def test_rooms_are_created_at_a_limited_rate_per_user(app, chat_room):
    alice = as_user(app, "alice")
    new = f"/boards/{board_of(app, chat_room)}/rooms/new"
    with config(app, ROOM_LIMIT_PER_USER="3 per minute"):
        for i in range(3):
            assert alice.post(new, {"name": f"room{i}"}).status_code == 302
        refused = alice.post(new, {"name": "one-too-many"})
    assert refused.status_code == 429
    assert "many rooms in a short time" in refused.get_data(as_text=True)
    with app.app_context():
        assert ChatRoom.name_taken(db.session.get(Board, board_of(app, chat_room)), "room2")
        assert not ChatRoom.name_taken(
            db.session.get(Board, board_of(app, chat_room)), "one-too-many"
        )


def test_a_board_holds_a_limited_number_of_rooms(app, chat_room):
    board_id = board_of(app, chat_room)
    add_rooms(app, board_id, 4)  # with general: 5
    alice = as_user(app, "alice")
    with config(app, ROOMS_PER_BOARD=5):
        refused = alice.post(f"/boards/{board_id}/rooms/new", {"name": "sixth"})
    assert refused.status_code == 422
    assert "already has 5 rooms" in refused.get_data(as_text=True)


def test_the_boards_room_list_is_paged_and_costs_the_same_for_10_or_200_rooms(app, chat_room):
    rooms_page = 50  # chat.rooms.ROOMS_PAGE
    board_id = board_of(app, chat_room)
    carol = as_user(app, "carol")  # on the board, in no room: every open room is listed
    counts = []
    for added, prefix in ((10, "a"), (190, "b")):  # 10 open rooms, then 200
        add_rooms(app, board_id, added, prefix=prefix)
        with counted_queries(app) as statements:
            page = carol.get(f"/boards/{board_id}/rooms").get_data(as_text=True)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    cards = re.findall(r'id="room-card-(\d+)"', page)
    assert len(cards) == rooms_page
    more = re.search(r'<a href="(/boards/\d+/rooms\?page=2)"[^>]*>More rooms', page)
    assert more, "no link to the next page of rooms"
    second = carol.get(more[1].replace("&amp;", "&")).get_data(as_text=True)
    assert not set(re.findall(r'id="room-card-(\d+)"', second)) & set(cards)
    assert "1 member" in second


def test_the_room_pages_list_of_rooms_is_bounded(app, chat_room):
    """A member ticked in many rooms by someone else: the room page lists a bounded number of
    them (and links to all), and costs the same queries."""
    sidebar_rooms = 30  # models.room.SIDEBAR_ROOMS
    board_id = board_of(app, chat_room)
    bob = as_user(app, "bob")
    bob.get(f"/rooms/{chat_room}")  # the first view marks the room read: not counted
    counts, sizes = [], []
    for total in (10, sidebar_rooms + 40):
        with app.app_context():
            board, alice = db.session.get(Board, board_id), User.by_username("alice")
            have = db.session.scalar(
                select(db.func.count()).select_from(ChatRoom).where(ChatRoom.board_id == board_id)
            )
            for i in range(have, total):
                room = ChatRoom(board, f"s{i:04}", "", alice, kind=OPEN)
                room.members.append(User.by_username("bob"))
                db.session.add(room)
            db.session.commit()
        with counted_queries(app) as statements:
            page = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
        counts.append(len(statements))
        sidebar = page.split('class="room-list"')[1].split("</nav>")[0]
        sizes.append(sidebar.count("data-room-link"))
    assert counts[0] == counts[1], counts
    assert sizes[1] == sidebar_rooms, sizes
    assert f'href="/boards/{board_id}/rooms"' in sidebar


# -- 3. a room's member count does not change what a request does --------------------------


def published_frames(pubsub, until: str) -> list[str]:
    """What was published to any topic until a frame holding `until` (5 s at most)."""
    import time

    seen, deadline = [], time.monotonic() + 5
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.5)
        if message and message["type"] == "pmessage":
            seen.append(message["data"].decode())
            if until in seen[-1]:
                return seen
    raise AssertionError(f"nothing with {until!r} published within 5 s; got {seen}")


def test_joining_a_big_room_and_its_pages_cost_the_same_as_a_small_one(app, chat_room):
    """The join, the list it publishes, the room page and a socket's list on connect: the
    same statements and a bounded list of names for a room of 10 or 200 members."""
    from taskflow.chat.rooms import MEMBERS_SHOWN
    from taskflow.chat.sockets import _members_html

    board_id = board_of(app, chat_room)
    add_board_people(app, chat_room, 8)  # general: 10 members
    pubsub = app.redis.pubsub()
    pubsub.psubscribe("taskflow:t:*")
    assert pubsub.get_message(timeout=5)["type"] == "psubscribe"
    alice = as_user(app, "alice")
    alice.get(f"/rooms/{chat_room}")
    joins, pages, lists = [], [], []
    for size in (10, 200):
        if size == 200:
            add_board_people(app, chat_room, 190)
        with app.app_context():
            board = db.session.get(Board, board_id)
            lobby = ChatRoom(board, f"lobby{size}", "", User.by_username("alice"), kind=OPEN)
            db.session.add(lobby)
            db.session.flush()
            others = select(room_members.c.user_id).where(
                room_members.c.room_id == chat_room,
                room_members.c.user_id != lobby.created_by_id,  # in it already
            )
            rows = [{"room_id": lobby.id, "user_id": i} for i in db.session.scalars(others)]
            db.session.execute(insert(room_members), rows)
            db.session.commit()
            lobby_id = lobby.id
        carol = as_user(app, "carol")  # on the board, not in the room
        with counted_queries(app) as statements:
            assert carol.post(f"/rooms/{lobby_id}/join").status_code == 302
        joins.append(len(statements))
        frame = published_frames(pubsub, 'id="room-members"')[-1]
        lists.append(frame.count('<li id="member-'))
        shown = min(size + 1, MEMBERS_SHOWN)  # general's members and carol
        with counted_queries(app) as statements:
            page = alice.get(f"/rooms/{lobby_id}").get_data(as_text=True)
        pages.append(len(statements))
        assert page.count('<li id="member-') == shown
        with app.test_request_context():
            on_connect = _members_html(lobby_id, ids_of(app, "alice")[0])
        assert on_connect.count('<li id="member-') == shown
    pubsub.close()
    assert joins[0] == joins[1] and pages[0] == pages[1], (joins, pages)
    assert lists == [11, MEMBERS_SHOWN], lists
    assert (
        f"and {201 - MEMBERS_SHOWN} more" in frame
        and f"and {201 - MEMBERS_SHOWN} more" in on_connect
    )


# -- 2. a profile save costs the next view only the page it shows -------------------------


@contextmanager
def counted_markdown(app):
    """How many texts the block renders as Markdown (the costly part of a message): the
    real filter, counted."""
    filters = app.jinja_env.filters
    real, calls = filters["markdown"], []

    def counting(text, *args, **kwargs):
        calls.append(text)
        return real(text, *args, **kwargs)

    filters["markdown"] = counting
    try:
        yield calls
    finally:
        filters["markdown"] = real


def author_wrote_in_rooms(app, room_id: int, rooms: int, per_room: int = 50) -> list[int]:
    """alice writes `per_room` messages in `rooms` rooms of the board (general first), all
    with bob in them. Returns the rooms' ids."""
    with app.app_context():
        general = db.session.get(ChatRoom, room_id)
        alice, bob = User.by_username("alice"), User.by_username("bob")
        ids = [general.id]
        for i in range(rooms - 1):
            room = ChatRoom(general.board, f"wrote{i}", "", alice)
            room.members.append(bob)
            db.session.add(room)
            db.session.flush()
            ids.append(room.id)
        text = "**Release** notes: see [the list](https://example.com) and `make ship`\n- one\n"
        rows = [
            {"room_id": r, "author_id": alice.id, "content": f"{text}{n}", "seq": n + 1}
            for r in ids
            for n in range(per_room)
        ]
        db.session.execute(insert(ChatMessage), rows)
        db.session.execute(ChatRoom.__table__.update().values(seq=per_room))
        db.session.commit()
    return ids


def set_zone(app, username: str, zone: str | None) -> None:
    with app.app_context():
        User.by_username(username).time_zone = zone
        db.session.commit()


PROFILE = {"display_name": "Alice B", "time_zone": "UTC", "avatar_color": "#2e6b1f"}


def test_a_profile_save_renders_no_message_text_again_in_any_zone(app, chat_room):
    """Readers in three zones saw general; alice, who wrote in 20 rooms, changes her name.
    The save renders nothing; each reader's next view renders her messages' wrappers
    (their new name) but none of their texts again, whichever zone they read in."""
    rooms = author_wrote_in_rooms(app, chat_room, 20)
    bob = as_user(app, "bob")
    zones = (None, "Europe/Paris", "Asia/Tokyo")
    for zone in zones:
        set_zone(app, "bob", zone)
        assert bob.get(f"/rooms/{chat_room}").status_code == 200
    alice = as_user(app, "alice")
    with counted_markdown(app) as rendered:
        assert alice.post("/profile", PROFILE).status_code == 302
    assert rendered == []  # the save itself renders nothing, in none of her 20 rooms
    with counted_markdown(app) as rendered:
        for zone in zones:
            set_zone(app, "bob", zone)
            page = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
            assert page.count(">Alice B</b>") == 50  # every message shows the new name
    assert rendered == [], f"{len(rendered)} message texts rendered again"
    assert len(rooms) == 20


# -- 5. a direct message can be left; once its people share no board it is read-only ------


def start_direct(client, usernames: str) -> int:
    response = client.post("/direct/new", {"usernames": usernames})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def test_a_direct_message_can_be_left_and_the_leavers_sockets_end(app, chat_room):
    from .test_inprocess import Published

    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    dm = start_direct(alice, "bob carol")
    page = bob.get(f"/rooms/{dm}").get_data(as_text=True)
    # A plain form with its token on the page: it works without JavaScript.
    form = re.search(
        rf'<form method="post" action="/rooms/{dm}/leave"[^>]*>(.*?)</form>', page, re.S
    )
    assert form and 'name="csrf_token"' in form[1] and "Leave conversation" in form[1]
    assert bob.post(f"/rooms/{dm}/leave", csrf=False).status_code == 400
    published = Published(app)
    try:
        response = bob.post(f"/rooms/{dm}/leave")
        events = published.events()
    finally:
        published.close()
    assert response.status_code == 302 and response.location == "/direct"
    (bob_id,) = ids_of(app, "bob")
    # bob's open pages of it close (end_access), on every process
    assert any(e["kind"] == "close" and e["topic"] == f"user:{bob_id}" for e in events), events
    # the others' pages get the member list without him
    (members,) = [e["html"] for e in events if 'id="room-members"' in e["html"]]
    assert ">alice<" in members and ">carol<" in members and ">bob<" not in members
    assert bob.get(f"/rooms/{dm}").status_code == 404
    assert f'href="/rooms/{dm}"' not in bob.get("/direct").get_data(as_text=True)
    assert alice.get(f"/rooms/{dm}").status_code == 200  # the others keep it
    # Writing to the same people again starts a conversation bob reads.
    again = start_direct(alice, "bob carol")
    assert again != dm and bob.get(f"/rooms/{again}").status_code == 200
    # The last one out: the conversation goes with its messages.
    for name in ("alice", "carol"):
        assert as_user(app, name).post(f"/rooms/{dm}/leave").status_code == 302
    with app.app_context():
        assert db.session.get(ChatRoom, dm) is None


def test_a_direct_message_whose_people_share_no_board_is_read_only(app, chat_room):
    from .test_inprocess import handle, messages

    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    dm = start_direct(alice, "bob")
    assert bob.post(f"/rooms/{dm}/messages", {"content": "hello"}).status_code == 302
    (bob_id,) = ids_of(app, "bob")
    board_id = board_of(app, chat_room)
    assert alice.post(f"/boards/{board_id}/members/{bob_id}/delete").status_code in (200, 302)
    for client in (alice, bob):  # still readable by both, and shown as read-only
        page = client.get(f"/rooms/{dm}").get_data(as_text=True)
        assert ">hello</div>" in page
        assert "read-only" in page and 'id="composer"' not in page
        refused = client.post(f"/rooms/{dm}/messages", {"content": "still there?"})
        assert refused.status_code == 403 and "read-only" in refused.get_data(as_text=True)
    connection = handle(app, dm, "alice", {"content": "over the socket"})
    assert "read-only" in "".join(connection.sent)
    assert messages(app) == ["hello"]
    # Sharing a board again opens it again.
    with app.app_context():
        db.session.get(Board, board_id).add_member(User.by_username("bob"))
        db.session.commit()
    assert bob.post(f"/rooms/{dm}/messages", {"content": "back"}).status_code == 302


def test_the_list_of_direct_messages_is_paged(app, chat_room):
    """Others start conversations with you (each within their own limit): /direct shows a
    page of them, the latest active first, and links to the next."""
    from taskflow.models.room import direct_key

    ids = add_board_people(app, chat_room, 60, in_room=False)
    (alice_id,) = ids_of(app, "alice")
    with app.app_context():
        alice = db.session.get(User, alice_id)
        for other in ids:
            room = ChatRoom(None, f"dm{other}", "", alice, kind="direct")
            room.members.append(db.session.get(User, other))
            room.direct_key = direct_key([alice_id, other])
            db.session.add(room)
        db.session.commit()
    alice = as_user(app, "alice")
    with counted_queries(app) as statements:
        page = alice.get("/direct").get_data(as_text=True)
    first = re.findall(r'data-unread-room="(\d+)"', page.split("<main")[1])
    assert len(first) == 50, len(first)
    more = re.search(r'<a href="(/direct\?page=2)"[^>]*>Older conversations', page)
    assert more, "no link to the next page"
    second = alice.get(more[1]).get_data(as_text=True)
    rest = re.findall(r'data-unread-room="(\d+)"', second.split("<main")[1])
    assert len(rest) == 10 and not set(rest) & set(first)
    assert len(statements) < 20


def test_a_mention_in_a_big_room_loads_only_the_people_it_names(app, chat_room):
    """Posting "@bob" in a room of 10 or 200 members loads the same users: those named,
    never the room's (nor the board's) whole membership."""
    alice = as_user(app, "alice")
    loaded: list[int] = []

    def count(target, context) -> None:
        loaded.append(target.id)

    alice.post(f"/rooms/{chat_room}/messages", {"content": "@bob hi"})  # the first post
    counts = []
    for size in (10, 200):
        add_board_people(app, chat_room, 10 if not counts else 190)  # 12 members, then 202
        event.listen(User, "load", count)
        try:
            text = {"content": f"@bob @carol {size}"}
            response = alice.post(f"/rooms/{chat_room}/messages", text)
        finally:
            event.remove(User, "load", count)
        assert response.status_code == 302
        counts.append(len(loaded))
        loaded.clear()
        with app.app_context():  # bob is in the room: mentioned; carol is not: told
            last = db.session.scalars(select(ChatMessage).order_by(ChatMessage.id.desc())).first()
            assert [u.username for u in last.mentioned_users] == ["bob"]
        page = alice.get(response.location).get_data(as_text=True)
        assert "@carol is not in this room and was not notified." in page
    assert counts[0] == counts[1], counts


def test_the_members_page_of_a_big_room_is_paged(app, chat_room):
    """The managers' members page lists a page of members, and the board members to add
    only while they are few (then a username is typed): the same statements for a room of
    10 or 200, and a board of 200 more."""
    alice = as_user(app, "alice")
    counts, pages = [], []
    for added in (8, 190):
        add_board_people(app, chat_room, added)
        add_board_people(app, chat_room, added + 2, in_room=False)  # addable
        with counted_queries(app) as statements:
            page = alice.get(f"/rooms/{chat_room}/members").get_data(as_text=True)
        counts.append(len(statements))
        pages.append(page)
    assert counts[0] == counts[1], counts
    small, big = pages
    assert 'name="user_id"' in small and 'name="username"' not in small
    assert big.count('form="remove-member"') <= 100 and 'name="username"' in big
    assert big.count("<option") <= 20  # no list of everyone on the board
    more = re.search(r'<a href="(/rooms/\d+/members\?page=2)"[^>]*>More members', big)
    assert more and "Remove" in alice.get(more[1]).get_data(as_text=True)
    with app.app_context():
        outsider = db.session.scalars(
            select(User).where(User.id.not_in(select(room_members.c.user_id)))
        ).first()
        name = outsider.username
    response = alice.post(f"/rooms/{chat_room}/members", {"username": f"@{name}"})
    assert response.status_code == 302
    with app.app_context():
        room = db.session.get(ChatRoom, chat_room)
        assert room.is_member(User.by_username(name))


def test_leaving_a_direct_message_closes_the_leavers_sockets_live(app, live_server, chat_room):
    """On the live server: bob's open socket of the conversation closes (4403) when he
    leaves it, and alice's page gets the member list without him."""
    from .conftest import close_code, http_login, live_csrf, receive_until, ws_connect

    alice_http, bob_http = http_login(live_server, "alice"), http_login(live_server, "bob")
    token = live_csrf(alice_http, live_server, "/direct/new")
    response = alice_http.post(
        f"{live_server}/direct/new",
        data={"usernames": "bob", "csrf_token": token},
        allow_redirects=False,
    )
    dm = int(response.headers["Location"].rsplit("/", 1)[1])
    alice = ws_connect(live_server, f"/ws/chat-room/{dm}", alice_http)
    bob = ws_connect(live_server, f"/ws/chat-room/{dm}", bob_http)
    try:
        receive_until(bob, 'class="online">bob<')  # set up: followed, announced
        receive_until(alice, 'class="online">bob<')
        page = bob_http.get(f"{live_server}/rooms/{dm}").text
        left = bob_http.post(
            f"{live_server}/rooms/{dm}/leave",
            data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page)[1]},
            allow_redirects=False,
        )
        assert left.status_code == 302
        assert close_code(bob) == 4403
        members = receive_until(alice, lambda f: 'id="room-members"' in f and ">bob<" not in f)
        assert ">alice<" in members
    finally:
        alice.close()
        bob.close()


# -- the room page's direct messages: the latest active, and only theirs aggregated ---------


def make_directs(app, owner: str, others: list[str], board_id: int) -> list[int]:
    """A direct message of `owner` with each of `others` (users made here, on the board: a
    direct message is written in while its people share one), in that order."""
    with app.app_context():
        me, ids, board = User.by_username(owner), [], db.session.get(Board, board_id)
        for name in others:
            other = User(name, "x" * 10)
            db.session.add(other)
            db.session.flush()
            board.add_member(other)
            room = ChatRoom.direct([other], me)
            db.session.add(room)
            db.session.flush()
            ids.append(room.id)
        db.session.commit()
        db.session.remove()
    return ids


def test_the_room_pages_direct_messages_are_the_latest_active(app, chat_room):
    """More direct messages than the room page lists (15): it lists the latest active, as
    /direct does, not the first 15 by their people's usernames (the one just written in,
    with "zz" people, fell out of the list)."""
    directs = make_directs(app, "alice", [f"zz{i:02}" for i in range(20)], board_of(app, chat_room))
    alice = as_user(app, "alice")
    sent = alice.post(f"/rooms/{directs[-1]}/messages", {"content": "still there?"})
    assert sent.status_code == 302
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    sidebar = page.split('class="room-list"')[1].split("</nav>")[0]
    shown = re.findall(r'href="/rooms/(\d+)"', sidebar)
    assert str(directs[-1]) in shown
    assert sum(1 for room in shown if int(room) in directs) == 15  # models.room.SIDEBAR_DIRECTS


def sqlite_steps(app, work) -> int:
    """How many SQLite virtual machine instructions `work()` runs (in the app context):
    the work its statements do, counted, not timed."""
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0  # go on

    with app.app_context():
        raw = db.session.connection().connection.dbapi_connection
        raw.set_progress_handler(step, 1)
        try:
            work()
        finally:
            raw.set_progress_handler(None, 1)
            db.session.remove()
    return steps[0]


def test_the_room_pages_direct_messages_aggregate_only_those_it_lists(app, chat_room):
    """Each listed direct message's people's names are aggregated (a subquery per row): for
    the 15 listed, not for every direct message of the user before the 15 are picked. The
    direct messages left out of the list growing to 30 people each costs the list nothing."""
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect != "sqlite":
        pytest.skip("counts SQLite's virtual machine instructions")
    directs = make_directs(app, "alice", [f"p{i:02}" for i in range(20)], board_of(app, chat_room))
    alice = as_user(app, "alice")
    for room in directs[:15]:  # the latest active, and first by name: the last five are out
        assert alice.post(f"/rooms/{room}/messages", {"content": "hello"}).status_code == 302
    with app.app_context():
        alice_id, board_id = (
            User.by_username("alice").id,
            db.session.get(ChatRoom, chat_room).board_id,
        )

    def listed() -> list:
        return room_reads.names_of_member(board_id, alice_id)

    before = sqlite_steps(app, listed)
    with app.app_context():
        crowd = [User(f"crowd{i:02}", "x" * 10) for i in range(30)]
        db.session.add_all(crowd)
        db.session.flush()
        rows = [{"room_id": r, "user_id": u.id} for r in directs[15:] for u in crowd]
        db.session.execute(insert(room_members), rows)
        db.session.commit()
        shown = {link.id for link in listed()}
        db.session.remove()
    assert shown & set(directs) == set(directs[:15])
    after = sqlite_steps(app, listed)
    assert after <= before * 1.05, (before, after)


def test_a_page_past_the_end_of_a_list_is_not_found(app, chat_room):
    """/direct, a board's rooms and a room's members, paged: a page past the last (a link
    kept from when there were more, or typed) answered the list's empty state ("No direct
    messages yet") with no way back; it is a 404. The first page of an empty list stays
    the empty state."""
    board_id = board_of(app, chat_room)
    alice = as_user(app, "alice")
    direct = alice.get("/direct?page=1")
    assert direct.status_code == 200 and "No direct messages yet" in direct.get_data(as_text=True)
    for listed in (
        "/direct",
        f"/boards/{board_id}/rooms",
        f"/rooms/{chat_room}/members",
    ):
        assert alice.get(listed).status_code == 200, listed
        assert alice.get(f"{listed}?page=1").status_code == 200, listed
        for page in (2, 9999):
            assert alice.get(f"{listed}?page={page}").status_code == 404, (listed, page)
    alice.post("/direct/new", {"usernames": "bob"})
    assert alice.get("/direct?page=2").status_code == 404
