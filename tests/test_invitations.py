"""Board invitations and invite links: over HTTP, over a real socket, and in real Chromium."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from sqlalchemy.exc import IntegrityError

from taskflow.boards.invitations import BAD_LINK, TOO_MANY
from taskflow.extensions import db
from taskflow.models import Board, Invitation, InviteLink, User
from taskflow.models.user import utcnow

from .conftest import (
    PASSWORD,
    Client,
    browser_login,
    close_code,
    http_login,
    live_csrf,
    page_csrf,
    receive_until,
    ws_connect,
)
from .helpers import columns, create_board, create_task, invitation_form
from .test_xss import assert_safe, hostile_world, watch  # noqa: F401 (hostile_world: a fixture)


def invite(owner, board_id: int, username: str, **kw):
    return owner.post(f"/boards/{board_id}/members", {"username": username}, **kw)


def statuses(app, board_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = Invitation.query.filter_by(board_id=board_id).order_by(Invitation.id)
        result = [(i.invitee.username, i.status) for i in rows]
        db.session.remove()
        return result


def is_member(app, board_id: int, username: str) -> bool:
    with app.app_context():
        member = db.session.get(Board, board_id).is_member(User.by_username(username))
        db.session.remove()
        return member


def board_urls(app, board_id: int, task_id: int) -> list[str]:
    column_id = columns(app, board_id)[0][0]
    return [
        f"/boards/{board_id}",
        f"/boards/{board_id}/members",
        f"/boards/{board_id}/rooms",
        f"/boards/{board_id}/rooms/new",
        f"/columns/{column_id}/tasks/new",
        f"/tasks/{task_id}",
    ]


def secret_board(app, alice) -> tuple[int, int]:
    """A board whose description and task an invitee must not see before accepting."""
    board_id = create_board(alice, "Launch", "The secret plan")
    task_id = create_task(alice, columns(app, board_id)[0][0], "Hidden task")
    return board_id, task_id


# -- inviting by name ---------------------------------------------------------------------


def test_invitee_sees_only_the_invitation_until_accepting(app, login):
    alice, bob = login("alice"), login("bob")
    board_id, task_id = secret_board(app, alice)
    response = invite(alice, board_id, "bob")
    assert response.status_code == 302
    members = alice.get(f"/boards/{board_id}/members").get_data(as_text=True)
    assert 'id="pending-invitations"' in members and "Cancel the invitation of bob" in members
    assert not is_member(app, board_id, "bob")

    for url in board_urls(app, board_id, task_id):
        assert bob.get(url).status_code == 404, url
    assert "Launch" not in bob.get("/boards").get_data(as_text=True)

    center = bob.get("/notifications").get_data(as_text=True)
    assert "<title>(1) Notifications · TaskFlow</title>" in center
    item = re.search(r'<li class="notification invitation unread".*?</li>', center, re.S)[0]
    assert "<strong>alice</strong> invited you to the board “Launch”" in item
    assert f'action="/invitations/{_only_id(app)}/accept"' in item
    assert f'action="/invitations/{_only_id(app)}/decline"' in item
    assert item.count('name="csrf_token"') == 2
    for secret in ("The secret plan", "Hidden task", "To Do", "In Progress"):
        assert secret not in center, secret
    assert 'data-count="1"' in bob.get("/notifications/badge").get_data(as_text=True)

    response = bob.post(invitation_form(bob, "accept"))
    assert response.status_code == 302 and response.location == f"/boards/{board_id}"
    page = bob.get(response.location).get_data(as_text=True)
    assert "You joined “Launch”." in page and "Hidden task" in page
    assert is_member(app, board_id, "bob") and statuses(app, board_id) == [("bob", "accepted")]
    assert 'data-count="0"' in bob.get("/notifications/badge").get_data(as_text=True)
    assert "invitation unread" not in bob.get("/notifications").get_data(as_text=True)
    assert "Launch" in bob.get("/boards").get_data(as_text=True)


def test_answering_twice_is_a_redirect_with_a_message(app, login):
    alice, bob = login("alice"), login("bob")
    board_id = create_board(alice)
    invite(alice, board_id, "bob")
    accept = invitation_form(bob, "accept")
    assert bob.post(accept).status_code == 302
    for url in (accept, accept.replace("accept", "decline")):
        response = bob.post(url)
        assert response.status_code == 302 and response.location == f"/boards/{board_id}"
        page = bob.get(response.location).get_data(as_text=True)
        assert "You already answered the invitation to “Launch”." in page
    assert statuses(app, board_id) == [("bob", "accepted")]


def test_decline_removes_it_and_the_owner_may_invite_again(app, login):
    alice, bob = login("alice"), login("bob")
    board_id, task_id = secret_board(app, alice)
    invite(alice, board_id, "bob")
    decline = invitation_form(bob, "decline")
    response = bob.post(decline)
    assert response.status_code == 302 and response.location == "/notifications"
    center = bob.get("/notifications").get_data(as_text=True)
    assert "You declined the invitation to “Launch”." in center
    assert "invited you" not in center and 'data-count="0"' in center
    assert bob.get(f"/boards/{board_id}").status_code == 404
    again = bob.post(decline)
    assert again.status_code == 302 and again.location == "/notifications"
    assert "already answered" in bob.get("/notifications").get_data(as_text=True)
    assert bob.post(decline.replace("decline", "accept")).status_code == 302
    assert not is_member(app, board_id, "bob")

    assert invite(alice, board_id, "bob").status_code == 302  # a new question
    assert statuses(app, board_id) == [("bob", "declined"), ("bob", "pending")]


def test_htmx_answers(app, login):
    alice, bob = login("alice"), login("bob")
    board_id = create_board(alice)
    second = create_board(alice, "Second")
    invite(alice, board_id, "bob")
    invite(alice, second, "bob")
    response = bob.post(invitation_form(bob, "decline"), htmx=True)  # the newest: Second
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in response.get_data(as_text=True)
    assert 'data-count="1"' in response.get_data(as_text=True)
    response = bob.post(invitation_form(bob, "accept"), htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/boards/{board_id}"


def test_only_the_invitee_may_answer(app, login):
    alice, bob, carol = login("alice"), login("bob"), login("carol")
    board_id = create_board(alice)
    invite(alice, board_id, "bob")
    invitation_id = _only_id(app)
    for client in (alice, carol):
        for action in ("accept", "decline"):
            assert client.post(f"/invitations/{invitation_id}/{action}").status_code == 404
    assert bob.post(f"/invitations/{invitation_id + 1}/accept").status_code == 404
    assert "invited you" not in carol.get("/notifications").get_data(as_text=True)
    assert statuses(app, board_id) == [("bob", "pending")]
    assert not is_member(app, board_id, "carol")


def test_invite_errors_are_clear(app, login):
    alice, _, _ = login("alice"), login("bob"), login("carol")
    board_id = create_board(alice)
    for username, error in [
        ("nobody", "No user has that username."),
        ("ALICE", "alice is already a member."),
        ("", "This field is required."),
    ]:
        response = invite(alice, board_id, username)
        assert response.status_code == 422, username
        assert error in response.get_data(as_text=True)
    assert invite(alice, board_id, "bob").status_code == 302
    response = invite(alice, board_id, "Bob", htmx=True)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 422 and "bob is already invited." in fragment
    assert 'id="members-panel"' in fragment and "<html" not in fragment
    response = invite(alice, board_id, "carol", htmx=True)
    assert response.status_code == 200 and 'id="pending-invitation-' in response.get_data(True)
    assert statuses(app, board_id) == [("bob", "pending"), ("carol", "pending")]


def test_owner_cancels_an_invitation(app, login):
    alice, bob = login("alice"), login("bob")
    board_id = create_board(alice)
    other_board = create_board(alice, "Other")
    invite(alice, board_id, "bob")
    invitation_id = _only_id(app)
    assert (
        alice.post(f"/boards/{other_board}/invitations/{invitation_id}/delete").status_code == 404
    )
    assert bob.post(f"/boards/{board_id}/invitations/{invitation_id}/delete").status_code == 404
    response = alice.post(f"/boards/{board_id}/invitations/{invitation_id}/delete")
    assert response.status_code == 302
    members = alice.get(response.location).get_data(as_text=True)
    assert (
        "The invitation of bob was cancelled." in members and "pending-invitations" not in members
    )
    assert "invited you" not in bob.get("/notifications").get_data(as_text=True)
    assert bob.post(f"/invitations/{invitation_id}/accept").status_code == 404
    assert statuses(app, board_id) == [] and not is_member(app, board_id, "bob")


def test_invitations_are_rate_limited_per_owner(app, login, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "INVITE_LIMIT_PER_OWNER", "2 per hour")
    alice, dave = login("alice"), login("dave")
    for name in ("u1", "u2", "u3"):
        make_user(name)
    board_id = create_board(alice)
    assert invite(alice, board_id, "u1").status_code == 302
    assert invite(alice, board_id, "u2").status_code == 302
    response = invite(alice, board_id, "u3")
    assert response.status_code == 429 and TOO_MANY in response.get_data(as_text=True)
    assert [name for name, _ in statuses(app, board_id)] == ["u1", "u2"]
    assert invite(dave, create_board(dave), "u3").status_code == 302  # per owner


def test_the_database_allows_one_pending_invitation_per_board_and_user(app, login):
    alice, _ = login("alice"), login("bob")
    board_id = create_board(alice)
    invite(alice, board_id, "bob")
    with app.app_context():
        board, bob = db.session.get(Board, board_id), User.by_username("bob")
        db.session.add(Invitation(board=board, invitee=bob))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        Invitation.query.one().status = "declined"  # answered ones stay as history
        db.session.add(Invitation(board=board, invitee=bob))
        db.session.commit()
        db.session.remove()
    assert statuses(app, board_id) == [("bob", "declined"), ("bob", "pending")]


# -- invite links -------------------------------------------------------------------------


def make_link(alice, board_id: int, expiry: str = "never") -> str:
    response = alice.post(f"/boards/{board_id}/invite-link", {"expiry": expiry})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = alice.get(f"/boards/{board_id}/members").get_data(as_text=True)
    return re.search(
        r'id="invite-link-url" type="text" readonly value="http://[^/]+/join/([^"]+)"', page
    )[1]


def test_join_by_link(app, login):
    alice, bob, carol = login("alice"), login("bob"), login("carol")
    board_id, task_id = secret_board(app, alice)
    invite(alice, board_id, "bob")
    code = make_link(alice, board_id)
    assert len(code) >= 22

    page = carol.get(f"/join/{code}").get_data(as_text=True)
    assert "Join the board “Launch”?" in page and 'name="csrf_token"' in page
    assert "The secret plan" not in page and "Hidden task" not in page
    assert not is_member(app, board_id, "carol")
    response = carol.post(f"/join/{code}")
    assert response.status_code == 302 and response.location == f"/boards/{board_id}"
    assert "You joined “Launch”." in carol.get(response.location).get_data(as_text=True)
    assert carol.get(f"/tasks/{task_id}").status_code == 200
    response = carol.get(f"/join/{code}")  # already a member
    assert response.status_code == 302 and response.location == f"/boards/{board_id}"

    assert bob.post(f"/join/{code}").status_code == 302  # his invitation is answered too
    assert statuses(app, board_id) == [("bob", "accepted")]
    assert 'data-count="0"' in bob.get("/notifications/badge").get_data(as_text=True)


def test_join_link_logs_in_first_and_comes_back(app, login, make_user):
    alice = login("alice")
    make_user("erin")
    code = make_link(alice, create_board(alice))
    erin = Client(app.test_client())
    response = erin.get(f"/join/{code}")
    assert response.status_code == 302
    assert response.location == f"/login?next={quote(f'/join/{code}', safe='')}"
    response = erin.post(response.location, {"username": "erin", "password": PASSWORD})
    assert response.status_code == 302 and response.location == f"/join/{code}"
    assert "Join the board “Launch”?" in erin.get(response.location).get_data(as_text=True)


def test_reset_disable_and_unknown_codes_are_a_clear_404(app, login):
    alice, carol = login("alice"), login("carol")
    board_id = create_board(alice)
    old = make_link(alice, board_id)
    new = make_link(alice, board_id)  # reset
    assert new != old
    response = carol.get(f"/join/{old}")
    assert response.status_code == 404 and BAD_LINK in response.get_data(as_text=True)
    assert carol.post(f"/join/{old}").status_code == 404
    assert carol.get(f"/join/{new}").status_code == 200
    assert alice.post(f"/boards/{board_id}/invite-link/delete").status_code == 302
    members = alice.get(f"/boards/{board_id}/members").get_data(as_text=True)
    assert "The invite link is disabled." in members and 'id="invite-link-url"' not in members
    for code in (new, "unknown-code", "x" * 200):
        assert carol.get(f"/join/{code}").status_code == 404, code
    assert not is_member(app, board_id, "carol")


def test_an_expired_link_is_a_404(app, login):
    alice, carol = login("alice"), login("carol")
    board_id = create_board(alice)
    code = make_link(alice, board_id, expiry="1")
    with app.app_context():
        link = db.session.get(InviteLink, board_id)
        assert abs(link.expires_at - (utcnow() + timedelta(days=1))) < timedelta(minutes=1)
    assert "Works until" in alice.get(f"/boards/{board_id}/members").get_data(as_text=True)
    assert carol.get(f"/join/{code}").status_code == 200
    with app.app_context():
        db.session.get(InviteLink, board_id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = carol.post(f"/join/{code}")
    assert response.status_code == 404 and BAD_LINK in response.get_data(as_text=True)
    assert not is_member(app, board_id, "carol")
    response = alice.post(f"/boards/{board_id}/invite-link", {"expiry": "forever"})
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(True)


def test_joining_by_link_is_rate_limited_per_ip(app, login, monkeypatch):
    monkeypatch.setitem(app.config, "JOIN_LIMIT_PER_IP", "3 per minute")
    alice, carol = login("alice"), login("carol")
    code = make_link(alice, create_board(alice))
    for _ in range(3):
        assert carol.get("/join/guessed-code").status_code == 404
    response = carol.get(f"/join/{code}")
    assert response.status_code == 429
    assert "Slow down a little" in response.get_data(as_text=True)


# -- live ---------------------------------------------------------------------------------


def test_the_invitees_badge_rises_live(app, live_server, make_user):
    make_user("alice")
    make_user("bob")
    with app.app_context():
        board = Board.create("Launch", "The secret plan", User.by_username("alice"))
        db.session.commit()
        board_id = board.id
        db.session.remove()
    bob_session = http_login(live_server, "bob")
    # The center's socket gets the invitation to show; any other page's, the badge alone.
    ws = ws_connect(live_server, "/ws/notifications/center", bob_session)
    elsewhere = ws_connect(live_server, "/ws/notifications", bob_session)
    try:
        assert 'data-count="0"' in receive_until(ws, "notification-badge")
        assert 'data-count="0"' in receive_until(elsewhere, "notification-badge")
        alice = http_login(live_server, "alice")
        page = alice.get(f"{live_server}/boards/{board_id}/members").text
        token = page_csrf(page)
        response = alice.post(
            f"{live_server}/boards/{board_id}/members",
            data={"username": "bob", "csrf_token": token},
            allow_redirects=False,
        )
        assert response.status_code == 302
        frame = badge_and_row(ws, 'data-count="1"', "#invitation-list")
        assert 'hx-swap-oob="afterbegin:#invitation-list"' in frame
        assert "<strong>alice</strong> invited you to the board “Launch”" in frame
        assert "The secret plan" not in frame and "csrf_token" not in frame
        assert "invitation" not in receive_until(elsewhere, 'data-count="1"')
        board_ws = ws_connect(live_server, f"/ws/board/{board_id}", bob_session)
        assert close_code(board_ws) == 4404  # the board's socket, too, until he accepts

        center = bob_session.get(f"{live_server}/notifications").text
        accept = re.search(r'action="(/invitations/\d+/accept)"', center)[1]
        token = page_csrf(center)
        response = bob_session.post(
            f"{live_server}{accept}", data={"csrf_token": token}, allow_redirects=False
        )
        assert response.status_code == 302
        receive_until(ws, 'data-count="0"')  # the badge on his other pages comes down
    finally:
        ws.close()
        elsewhere.close()


def badge_and_row(ws, count: str, row: str) -> str:
    """The center's frames up to both the badge with `count` and the `row` change: they come
    on two topics (the user's stream, the center's own), each one rendering for every socket."""
    seen = ""
    while count not in seen or row not in seen:
        seen += receive_until(ws, lambda frame: count in frame or row in frame)
    return seen


def live_post(session, base_url: str, page: str, url: str, data: dict | None = None):
    token = live_csrf(session, base_url, page)
    response = session.post(
        f"{base_url}{url}", data={**(data or {}), "csrf_token": token}, allow_redirects=False
    )
    assert response.status_code == 302, response.text
    return response


def test_cancelled_and_deleted_board_invitations_leave_live(app, live_server, make_user):
    make_user("alice")
    make_user("bob")
    alice = http_login(live_server, "alice")
    boards = [
        int(
            live_post(alice, live_server, "/boards", "/boards", {"name": n})
            .headers["Location"]
            .rsplit("/", 1)[1]
        )
        for n in ("Launch", "Spam")
    ]
    ws = ws_connect(live_server, "/ws/notifications/center", http_login(live_server, "bob"))
    try:
        receive_until(ws, 'data-count="0"')
        for board_id in boards:
            live_post(
                alice, live_server, "/boards", f"/boards/{board_id}/members", {"username": "bob"}
            )
        receive_until(ws, 'data-count="2"')
        with app.app_context():
            first, second = (i.id for i in Invitation.query.order_by(Invitation.id))
        live_post(alice, live_server, "/boards", f"/boards/{boards[0]}/invitations/{first}/delete")
        frame = badge_and_row(ws, 'data-count="1"', f'id="invitation-{first}"')
        assert f'<li id="invitation-{first}" hx-swap-oob="delete"></li>' in frame
        live_post(alice, live_server, "/boards", f"/boards/{boards[1]}/archive")
        live_post(alice, live_server, "/boards", f"/boards/{boards[1]}/delete")  # for good
        frame = badge_and_row(ws, 'data-count="0"', f'id="invitation-{second}"')
        assert f'<li id="invitation-{second}" hx-swap-oob="delete"></li>' in frame
    finally:
        ws.close()
    assert statuses(app, boards[1]) == []  # gone with the board


@pytest.fixture
def alice_and_bob(make_user):
    make_user("alice")
    make_user("bob")


def badge(page):
    return page.locator("#notification-badge")


def socket_open(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-socket", "open")


def test_browser_invite_accept(app, new_page, alice_and_bob):
    with app.app_context():
        board = Board.create("Launch", "", User.by_username("alice"))
        db.session.commit()
        board_id = board.id
        db.session.remove()
    alice, bob = new_page(), new_page()
    browser_login(alice, "alice")
    browser_login(bob, "bob")
    socket_open(bob)
    expect(badge(bob)).to_be_hidden()
    expect(bob.locator("main")).not_to_contain_text("Launch")

    alice.goto(f"/boards/{board_id}/members")
    alice.get_by_label("Username").fill("bob")
    alice.get_by_role("button", name="Invite", exact=True).click()
    expect(alice.locator("#pending-invitations")).to_contain_text("bob")
    expect(alice.get_by_label("Username")).to_have_value("")

    expect(badge(bob)).to_have_text("1")  # live, on the page he has open
    bob.get_by_role("link", name="Notifications, 1 unread", exact=True).click()
    item = bob.locator(".invitation")
    expect(item).to_contain_text("alice invited you to the board “Launch”")
    item.get_by_role("button", name="Accept").click()
    bob.wait_for_url(f"**/boards/{board_id}")
    expect(badge(bob)).to_be_hidden()
    bob.get_by_role("link", name="Boards").click()
    expect(bob.locator("main")).to_contain_text("Launch")


def test_browser_invitation_arrives_in_the_open_center(app, new_page, alice_and_bob):
    with app.app_context():
        alice_user = User.by_username("alice")
        boards = [Board.create(name, "", alice_user) for name in ("Launch", "Spam")]
        db.session.commit()
        board_ids = [b.id for b in boards]
        db.session.remove()
    alice, bob = new_page(), new_page()
    browser_login(alice, "alice")
    browser_login(bob, "bob")
    bob.goto("/notifications")
    socket_open(bob)
    expect(bob.get_by_role("heading", name="Invitations")).to_be_hidden()

    for board_id in board_ids:
        alice.goto(f"/boards/{board_id}/members")
        alice.get_by_label("Username").fill("bob")
        alice.get_by_role("button", name="Invite", exact=True).click()
        expect(alice.locator("#pending-invitations")).to_contain_text("bob")

    items = bob.locator(".invitation")
    expect(items).to_have_count(2)  # pushed live into the open center
    expect(bob.get_by_role("heading", name="Invitations")).to_be_visible()
    expect(badge(bob)).to_have_text("2")
    items.filter(has_text="Spam").get_by_role("button", name="Decline").click()  # via htmx
    expect(items).to_have_count(1)
    expect(badge(bob)).to_have_text("1")
    items.get_by_role("button", name="Accept").click()
    bob.wait_for_url(f"**/boards/{board_ids[0]}")
    expect(badge(bob)).to_be_hidden()


def _only_id(app) -> int:
    with app.app_context():
        invitation_id = Invitation.query.one().id
        db.session.remove()
        return invitation_id


def test_hostile_board_names_in_invitations_render_as_text(app, new_page, make_user, request):
    boards = request.getfixturevalue("hostile_world")["boards"]
    make_user("carol")
    with app.app_context():
        carol, alice = User.by_username("carol"), User.by_username("alice")
        for board_id in boards:
            board = db.session.get(Board, board_id)
            db.session.add(Invitation(board=board, invitee=carol, invited_by=alice))
        code = InviteLink.reset(db.session.get(Board, boards[1]), alice, None).code
        db.session.commit()
        names = [db.session.get(Board, b).name for b in boards]
        db.session.remove()
    page = new_page()
    dialogs = watch(page)
    browser_login(page, "carol")
    page.goto("/notifications")
    shown = page.locator(".invitation .notification-summary").all_text_contents()
    assert sorted(shown) == sorted(f"alice invited you to the board “{n}”" for n in names)
    assert_safe(page, dialogs)
    page.goto(f"/join/{code}")
    expect(page.locator("main h1")).to_have_text(f"Join the board “{names[1]}”?")
    assert_safe(page, dialogs)
