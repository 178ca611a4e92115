from taskflow.extensions import db
from taskflow.models import Column, User

from .helpers import add_member, columns, create_board


def test_new_board_has_default_columns_and_shows_in_my_boards(app, login):
    alice = login("alice")
    board_id = create_board(alice, "Launch <plan>", "Ship it")
    assert [name for _, name, _ in columns(app, board_id)] == ["To Do", "In Progress", "Done"]
    page = alice.get("/boards").get_data(as_text=True)
    assert "Launch &lt;plan&gt;" in page and "<plan>" not in page
    page = alice.get(f"/boards/{board_id}").get_data(as_text=True)
    assert "To Do" in page and "In Progress" in page and 'id="notification-badge"' in page


def test_board_name_is_required_and_limited(login):
    alice = login("alice")
    for name in ["", "   ", "x" * 101]:
        response = alice.post("/boards", {"name": name})
        assert response.status_code == 422
    assert 'value="' + "x" * 101 + '"' in response.get_data(as_text=True)


def test_non_members_get_404_and_members_beyond_their_rights_403(app, login):
    alice, bob, mallory = login("alice"), login("bob"), login("mallory")
    board_id = create_board(alice)
    add_member(alice, board_id, "bob")
    column_id = columns(app, board_id)[0][0]
    for url in [
        f"/boards/{board_id}",
        f"/boards/{board_id}/members",
        f"/boards/{board_id}/edit",
        f"/columns/{column_id}/tasks/new",
        f"/columns/{column_id}/delete",
    ]:
        assert mallory.get(url).status_code == 404, url
    assert mallory.post(f"/boards/{board_id}/members", {"username": "mallory"}).status_code == 404
    assert "Launch" not in mallory.get("/boards").get_data(as_text=True)
    assert bob.get(f"/boards/{board_id}").status_code == 200
    assert bob.get(f"/boards/{board_id}/edit").status_code == 403
    assert bob.post(f"/boards/{board_id}/delete").status_code == 403
    assert bob.post(f"/boards/{board_id}/members", {"username": "mallory"}).status_code == 403
    assert bob.get("/boards/999999").status_code == 404


def test_owner_adds_and_removes_members(app, login):
    alice, bob, _ = login("alice"), login("bob"), login("carol")
    board_id = create_board(alice)
    response = alice.post(f"/boards/{board_id}/members", {"username": "nobody"})
    assert response.status_code == 422 and "No user has that username" in response.get_data(True)
    add_member(alice, board_id, "BOB")
    response = alice.post(f"/boards/{board_id}/members", {"username": "bob"})
    assert "already a member" in response.get_data(as_text=True)
    response = alice.post(f"/boards/{board_id}/members", {"username": "carol"}, htmx=True)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="members-panel"' in fragment
    assert "<html" not in fragment and "carol" in fragment
    bob_id = _user_id(app, "bob")
    assert alice.post(f"/boards/{board_id}/members/{bob_id}/delete").status_code == 302
    assert bob.get(f"/boards/{board_id}").status_code == 404
    alice_id = _user_id(app, "alice")
    assert alice.post(f"/boards/{board_id}/members/{alice_id}/delete").status_code == 403


def test_member_can_leave(app, login):
    alice, bob = login("alice"), login("bob")
    board_id = create_board(alice)
    add_member(alice, board_id, "bob")
    alice_id = _user_id(app, "alice")
    assert bob.post(f"/boards/{board_id}/members/{alice_id}/delete").status_code == 403
    response = bob.post(f"/boards/{board_id}/members/{_user_id(app, 'bob')}/delete")
    assert response.status_code == 302 and response.location == "/boards"
    assert bob.get(f"/boards/{board_id}").status_code == 404


def test_owner_renames_archives_and_deletes_with_confirmation(app, login):
    alice, bob = login("alice"), login("bob")
    board_id = create_board(alice)
    add_member(alice, board_id, "bob")
    assert alice.post(f"/boards/{board_id}/edit", {"name": "Renamed"}).status_code == 302
    assert "Renamed" in alice.get(f"/boards/{board_id}").get_data(as_text=True)
    # A live board is archived first: its delete page offers that, and its POST deletes nothing.
    confirm = alice.get(f"/boards/{board_id}/delete").get_data(as_text=True)
    assert "Archive the board" in confirm and "cannot be undone" not in confirm
    assert alice.post(f"/boards/{board_id}/delete").status_code == 409
    assert bob.post(f"/boards/{board_id}/archive").status_code == 403  # the owner's
    assert alice.post(f"/boards/{board_id}/archive").status_code == 302
    listed = bob.get("/boards").get_data(as_text=True)  # off the members' list...
    assert "Archived boards" in listed and f"/boards/{board_id}/restore" in listed
    assert f'href="/boards/{board_id}"' not in listed
    assert bob.post(f"/boards/{board_id}/restore").status_code == 302  # any member restores
    assert f'href="/boards/{board_id}"' in bob.get("/boards").get_data(as_text=True)
    assert alice.post(f"/boards/{board_id}/archive").status_code == 302
    assert bob.post(f"/boards/{board_id}/delete").status_code == 403
    confirm = alice.get(f"/boards/{board_id}/delete").get_data(as_text=True)
    assert "cannot be undone" in confirm
    assert alice.post(f"/boards/{board_id}/delete").status_code == 302
    assert alice.get(f"/boards/{board_id}").status_code == 404
    with app.app_context():  # its columns went with it
        assert db.session.query(Column).filter_by(board_id=board_id).count() == 0


def _user_id(app, username: str) -> int:
    with app.app_context():
        return User.by_username(username).id


def test_a_board_of_1000_tasks_shows_each_columns_first_cards_and_the_rest_on_demand(app, login):
    """The page stays small (under 300 KB) however big the board: each column shows its
    first cards and "Show N more" links to the next ones, a page without JavaScript and
    only the cards for htmx."""
    from taskflow.boards.live import MORE, WINDOW

    from .helpers import seed_tasks

    alice = login("alice")
    board_id = create_board(alice)
    (todo, *_), (doing, *_), (done, *_) = columns(app, board_id)
    ids = seed_tasks(app, todo, 700) + seed_tasks(app, doing, 290) + seed_tasks(app, done, 10)
    response = alice.get(f"/boards/{board_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and len(response.data) < 300_000, len(response.data)
    assert page.count('<li class="card') == 2 * WINDOW + 10
    assert f"Show {700 - WINDOW} more" in page and f"Show {290 - WINDOW} more" in page
    assert page.count('name="csrf_token"') < 2 * WINDOW + 10 + 20  # one per card, not four

    plain = alice.get(f"/columns/{todo}/cards?offset={WINDOW}").get_data(as_text=True)
    assert "<html" in plain and f'id="task-{ids[WINDOW]}"' in plain
    assert f'id="task-{ids[WINDOW - 1]}"' not in plain
    assert plain.count('<li class="card') == MORE and "Show" in plain
    more = alice.get(f"/columns/{todo}/cards?offset={WINDOW}", htmx=True)
    fragment = more.get_data(as_text=True)
    assert "<html" not in fragment and fragment.count('<li class="card') == MORE
    assert more.headers["X-Board-Version"] == "0"
    outsider = login("mallory")
    assert outsider.get(f"/columns/{todo}/cards").status_code == 404
