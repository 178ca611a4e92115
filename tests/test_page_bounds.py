"""Issue 20: what a big board, a big room or many rooms cost the pages another member opens.

Each case counts what a request does (SQL statements, rows loaded) for 10 and for 200 of
what grows (members, rooms, direct messages): the same, or bounded. No timing."""

import re
from contextlib import contextmanager

from sqlalchemy import event

from taskflow.extensions import db
from taskflow.models import Board, ChatMessage, ChatRoom, User
from taskflow.models.room import direct_key

from .conftest import as_user
from .helpers import board_of
from .test_room_bounds import (
    add_board_people,
    add_rooms,
    counted_queries,
    ids_of,
    start_direct,
)


@contextmanager
def loaded_rows(*models):
    """The instances of these models the block loads from the database, as class names."""
    rows: list[str] = []

    def count(target, context) -> None:
        rows.append(type(target).__name__)

    for model in models:
        event.listen(model, "load", count)
    try:
        yield rows
    finally:
        for model in models:
            event.remove(model, "load", count)


def test_the_notification_center_costs_the_same_for_10_or_200_rooms(app, chat_room):
    """The center lists the rooms one is in on each board: a fixed number of statements
    (never one per room) and a bounded list per board, with a link to all of them."""
    from taskflow.models.room import SIDEBAR_ROOMS

    board_id = board_of(app, chat_room)
    alice = as_user(app, "alice")
    with app.app_context():  # a second board, with rooms of its own
        second = Board.create("Second", "", User.by_username("alice"))
        db.session.commit()
        second_id = second.id
    counts = []
    for added in (5, 95):  # 10 rooms of alice's, then 200
        add_rooms(app, board_id, added, prefix=f"a{added}-")
        add_rooms(app, second_id, added, prefix=f"b{added}-")
        alice.get("/notifications")
        with counted_queries(app) as statements:
            page = alice.get("/notifications").get_data(as_text=True)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    section = page.split('id="rooms-heading"')[1].split("</section>")[0]
    assert section.count('href="/rooms/') == 2 * SIDEBAR_ROOMS
    assert f'href="/boards/{board_id}/rooms"' in section
    assert f'href="/boards/{second_id}/rooms"' in section
    assert ">#a5-0000<" in section and ">#b5-0000<" in section


def test_mention_autocomplete_loads_only_the_matching_people(app, chat_room, board_with_task_in):
    """Typing "@bo" in a room (or a task's comment) of 10 or 200 members loads the few
    people whose names start so, at most LIMIT, never the whole membership."""
    from taskflow.notifications.autocomplete import LIMIT

    alice = as_user(app, "alice")
    paths = (f"/rooms/{chat_room}/mentions", f"/tasks/{board_with_task_in}/mentions")
    loaded: dict[str, list[int]] = {path: [] for path in paths}
    for added in (8, 190):
        add_board_people(app, chat_room, added)
        for path in paths:
            with loaded_rows(User) as rows:
                page = alice.get(f"{path}?content=hi+@bo&caret=6").get_data(as_text=True)
            loaded[path].append(len(rows))
            assert "@bob" in page and "member0" not in page
            with loaded_rows(User) as rows:
                page = alice.get(f"{path}?content=@mem").get_data(as_text=True)
            assert len(rows) <= LIMIT + 1 and page.count(">@member") == LIMIT
    for path, counts in loaded.items():
        assert counts[0] == counts[1] <= 2, (path, counts)  # bob, and at most the viewer


def test_the_board_pages_count_members_without_loading_them(app, chat_room):
    """The board page's "Members (N)" and the list of boards' "N members": counted in SQL,
    the same statements and rows for a board of 10 or 200 (and for 10 boards)."""
    board_id = board_of(app, chat_room)
    bob = as_user(app, "bob")
    with app.app_context():
        for i in range(9):
            board = Board.create(f"Other {i}", "", User.by_username("alice"))
            board.add_member(User.by_username("bob"))
        db.session.commit()
    from taskflow.models.board import Membership

    costs: dict[str, list[tuple[int, int]]] = {f"/boards/{board_id}": [], "/boards": []}
    for added in (7, 190):
        add_board_people(app, chat_room, added, in_room=False)
        for path, seen in costs.items():
            bob.get(path)
            with counted_queries(app) as statements, loaded_rows(Membership, User) as rows:
                page = bob.get(path).get_data(as_text=True)
            seen.append((len(statements), len(rows)))
    assert f"Members ({3 + 7 + 190})" in bob.get(f"/boards/{board_id}").get_data(as_text=True)
    assert f"{3 + 7 + 190} members" in page
    for path, seen in costs.items():
        assert seen[0] == seen[1], (path, seen)


def add_directs(app, room_id: int, username: str, count: int) -> list[int]:
    """`count` direct messages of the user with new people of the room's board (as others
    would start them)."""
    ids = add_board_people(app, room_id, count, in_room=False)
    (user_id,) = ids_of(app, username)
    with app.app_context():
        user, rooms = db.session.get(User, user_id), []
        for other in ids:
            room = ChatRoom(None, f"dm{other}", "", db.session.get(User, other), kind="direct")
            room.members.append(user)
            room.direct_key = direct_key([user_id, other])
            db.session.add(room)
            rooms.append(room)
        db.session.commit()
        return [room.id for room in rooms]


def test_the_navigations_direct_message_count_is_bounded(app, chat_room):
    """Every page's "Direct messages" counts the latest active conversations (those the
    first page of /direct shows), not all of them: the same statement and as many rows for
    10 or 200 conversations; a new message in an old one brings it back into the count."""
    from taskflow.chat.direct import DIRECTS_PAGE

    bob = as_user(app, "bob")
    counts, listed = [], []
    for added in (10, 190):
        directs = add_directs(app, chat_room, "bob", added)
        bob.get("/profile")
        with counted_queries(app) as statements:
            page = bob.get("/profile").get_data(as_text=True)
        counts.append(len(statements))
        link = re.search(r'data-unread-total="([^"]*)"[^>]*>Direct messages', page)
        listed.append(len(link[1].split()))
    assert counts[0] == counts[1], counts
    assert listed == [10, DIRECTS_PAGE], listed
    oldest = directs[0] - 10  # among the first ten, out of the count now
    assert str(oldest) not in link[1].split()
    with app.app_context():  # someone writes in it: it is the latest active again
        room = db.session.get(ChatRoom, oldest)
        (sender,) = [u.id for u in room.members if u.username != "bob"]
        db.session.add(ChatMessage(room_id=oldest, author_id=sender, content="back", seq=1))
        db.session.commit()
    page = bob.get("/profile").get_data(as_text=True)
    link = re.search(r'data-unread-total="([^"]*)"[^>]*>Direct messages(.*?)</a>', page, re.S)
    assert link[1].split()[0] == str(oldest) and len(link[1].split()) == DIRECTS_PAGE
    assert "<span data-n>1</span>" in link[2]


def last_member(app, board_id: int) -> str:
    """The board's last member by name: beyond the first hundred of a big board."""
    from taskflow.models.board import Membership

    with app.app_context():
        query = (
            db.select(User.username)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.board_id == board_id)
            .order_by(User.username_key.desc())
        )
        return db.session.scalars(query).first()


def test_the_new_room_form_of_a_big_board_lists_100_people_then_takes_usernames(app, chat_room):
    """The new room form ticks people among the board's first hundred (by name) and, on a
    bigger board, takes the others' usernames: the same statements for a board of 10 or
    200, and the server checks whoever is named is on the board."""
    board_id = board_of(app, chat_room)
    new = f"/boards/{board_id}/rooms/new"
    alice = as_user(app, "alice")
    counts, pages = [], []
    for added in (7, 190):
        add_board_people(app, chat_room, added, in_room=False)
        alice.get(new)
        with counted_queries(app) as statements, loaded_rows(User) as rows:
            pages.append(alice.get(new).get_data(as_text=True))
        counts.append((len(statements), len(rows) <= 102))
    assert counts[0] == counts[1], counts
    small, big = pages
    assert small.count('name="members"') == 9 and 'name="usernames"' not in small
    assert big.count('name="members"') == 100 and 'name="usernames"' in big
    far = last_member(app, board_id)
    assert f">{far}<" not in big and ">member00010<" in big  # listed: the first by name
    (bob,) = ids_of(app, "bob")
    made = alice.post(new, {"name": "far", "members": [bob], "usernames": f"@{far}, carol"})
    assert made.status_code == 302, made.get_data(as_text=True)
    with app.app_context():
        room = db.session.scalar(db.select(ChatRoom).where(ChatRoom.name == "far"))
        assert sorted(u.username for u in room.members) == sorted(["alice", "bob", "carol", far])
    refused = alice.post(new, {"name": "near", "usernames": f"{far} nobody_here"})
    assert refused.status_code == 422
    assert "not on this board: nobody_here" in refused.get_data(as_text=True)


def test_the_direct_message_form_lists_100_people_then_takes_usernames(app, chat_room):
    """Starting a direct message lists the first hundred people one shares a board with
    (the usernames field takes anyone else's): the same statements for 10 or 200."""
    from taskflow.chat.direct import PEOPLE_SHOWN

    alice = as_user(app, "alice")
    counts, pages = [], []
    for added in (7, 190):
        add_board_people(app, chat_room, added, in_room=False)
        alice.get("/direct/new")
        with counted_queries(app) as statements, loaded_rows(User) as rows:
            pages.append(alice.get("/direct/new").get_data(as_text=True))
        counts.append((len(statements), len(rows) <= PEOPLE_SHOWN + 2))
    assert counts[0] == counts[1], counts
    assert pages[0].count('name="people"') == 9
    assert pages[1].count('name="people"') == PEOPLE_SHOWN
    assert "Only the first 100" in pages[1] and "Only the first" not in pages[0]
    far = last_member(app, board_of(app, chat_room))
    assert start_direct(alice, far)


def test_the_board_members_page_is_paged(app, chat_room):
    """The board's members page lists a page of members (with the owner's Remove buttons):
    the same statements and at most a page of people loaded for a board of 10 or 200; the
    next page lists the others, and a member far down the list still finds "Leave board"."""
    from taskflow.boards.members import MEMBERS_PAGE

    board_id = board_of(app, chat_room)
    path = f"/boards/{board_id}/members"
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    costs, pages = [], []
    for added in (7, 190):
        add_board_people(app, chat_room, added, in_room=False)
        alice.get(path)
        with counted_queries(app) as statements, loaded_rows(User) as rows:
            pages.append(alice.get(path).get_data(as_text=True))
        costs.append((len(statements), len(rows) <= MEMBERS_PAGE + 1))
    assert costs[0] == costs[1], costs
    small, big = pages
    assert small.count('<li id="member-') == 10 and "More members" not in small
    assert big.count('<li id="member-') == MEMBERS_PAGE and big.count(">Remove</button>") < 100
    more = re.search(rf'<a href="({path}\?page=2)"[^>]*>More members', big)
    assert more, "no link to the next page of members"
    second = alice.get(more[1]).get_data(as_text=True)
    assert second.count('<li id="member-') == 200 - MEMBERS_PAGE
    assert not set(re.findall(r'id="member-(\d+)"', second)) & set(
        re.findall(r'id="member-(\d+)"', big)
    )
    far = last_member(app, board_id)
    assert f">{far}</a>" in second and f">{far}</a>" not in big
    assert "Leave board" in bob.get(path).get_data(as_text=True)  # bob: on the first page


def test_the_sockets_of_pages_follow_the_counted_direct_messages_only(app, live_server, chat_room):
    """The board page's, the room list's and a room page's sockets start from the counts of
    the direct messages the navigation counts (the latest LATEST_DIRECTS), not of every
    conversation: 60 of them, 50 states on connect; a room page's own list is among them."""
    from taskflow.models.room import LATEST_DIRECTS, SIDEBAR_DIRECTS

    from .conftest import following, http_login, ws_connect

    directs = set(add_directs(app, chat_room, "bob", LATEST_DIRECTS + 10))
    board_id = board_of(app, chat_room)
    bob = http_login(live_server, "bob")
    paths = (f"/ws/board/{board_id}", f"/ws/rooms/{board_id}", f"/ws/chat-room/{chat_room}")
    for path in paths:
        ws = ws_connect(live_server, path, bob)
        try:
            first = "".join(following(ws))
        finally:
            ws.close()
        states = {int(i) for i in re.findall(r'data-unread-state data-room="(\d+)"', first)}
        # a room page's also follows its own list's (the first SIDEBAR_DIRECTS by name)
        most = LATEST_DIRECTS + (SIDEBAR_DIRECTS if "chat-room" in path else 0)
        assert LATEST_DIRECTS <= len(states & directs) <= most, (path, len(states & directs))
        assert len(states - directs) <= 2  # general (and the page's own room)
    page = as_user(app, "bob").get(f"/rooms/{chat_room}").get_data(as_text=True)
    sidebar = page.split('class="room-list"')[1].split("</nav>")[0]
    assert len(set(map(int, re.findall(r'/rooms/(\d+)"', sidebar))) & directs) == SIDEBAR_DIRECTS


def test_a_mention_in_a_task_comment_loads_only_the_people_it_names(
    app, chat_room, board_with_task_in
):
    """A comment "@bob" on a board of 10 or 200 loads the same users: those named, never
    the board's whole membership."""
    from taskflow.models import TaskThreadComment

    alice = as_user(app, "alice")
    path = f"/tasks/{board_with_task_in}/comments"
    alice.post(path, {"content": "first"})
    counts = []
    for added in (7, 190):
        add_board_people(app, chat_room, added, in_room=False)
        with loaded_rows(User) as rows:
            response = alice.post(path, {"content": f"@bob @carol. see {added}"})
        assert response.status_code in (200, 302), response.status_code
        counts.append(len(rows))
        with app.app_context():
            last = db.session.scalars(
                db.select(TaskThreadComment).order_by(TaskThreadComment.id.desc())
            ).first()
            assert sorted(u.username for u in last.mentioned_users) == ["bob", "carol"]
    assert counts[0] == counts[1], counts


def test_the_task_form_of_a_big_board_lists_100_assignees_then_takes_a_username(
    app, chat_room, board_with_task_in
):
    """The task form (new, edit, and every quick add of the board page) lists the board's
    first hundred members as assignees, and takes anyone else's username: the same
    statements and at most a hundred people loaded for a board of 10 or 200."""
    from taskflow.models import Task

    alice = as_user(app, "alice")
    edit = f"/tasks/{board_with_task_in}/edit"
    costs, pages = [], []
    for added in (7, 190):
        add_board_people(app, chat_room, added, in_room=False)
        alice.get(edit)
        with counted_queries(app) as statements, loaded_rows(User) as rows:
            pages.append(alice.get(edit).get_data(as_text=True))
        costs.append((len(statements), len(rows) <= 102))
    assert costs[0] == costs[1], costs
    small, big = pages
    options = re.compile(r'<option[^>]*value="\d+"')
    # The assignees' list, not the reminder's choices.
    assignees = re.compile(r'<select[^>]*name="assignee_id".*?</select>', re.S)
    lists = [assignees.search(page).group(0) for page in pages]
    assert len(options.findall(lists[0])) == 11 and 'name="assignee_username"' not in small
    assert len(options.findall(lists[1])) == 101 and 'name="assignee_username"' in big
    far = last_member(app, board_of(app, chat_room))
    form = {"title": "Ship it", "priority": "medium", "assignee_username": f"@{far}"}
    assert alice.post(edit, form).status_code == 302
    with app.app_context():
        assert db.session.get(Task, board_with_task_in).assignee.username == far
    page = alice.get(edit).get_data(as_text=True)  # the assignee is listed, though far down
    assert re.search(rf'<option selected value="\d+">{far}</option>', page), page[:0]
    refused = alice.post(edit, {**form, "assignee_username": "nobody_here"})
    assert refused.status_code == 422
    assert "must be a member of this board" in refused.get_data(as_text=True)
