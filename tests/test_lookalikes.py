"""Nobody passes for someone else (issue 20): a display name or a new username that looks like
another user's name (Unicode TS 39 skeleton, case- and width-insensitive) is refused, and the
@username stands beside a display name wherever who it is decides trust."""

import re

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text

from taskflow import people
from taskflow.extensions import db
from taskflow.models import Board, ChatMessage, User
from taskflow.names import cased_key, confusable_key

from .conftest import (
    PASSWORD,
    Client,
    as_user,
    http_login,
    receive_until,
    run_jobs,
    ws_connect,
)
from .helpers import board_of
from .test_invitations import make_link

LOOKALIKE = "looks like another user&#39;s name"
COLOUR = next(iter(people.PALETTE))


def set_display_name(client, name: str):
    return client.post(
        "/profile", {"display_name": name, "time_zone": "UTC", "avatar_color": COLOUR}
    )


def display_name_of(app, username: str) -> str | None:
    with app.app_context():
        name = User.by_username(username).display_name
        db.session.remove()
        return name


def test_the_confusable_key_folds_case_width_and_lookalikes():
    for lookalike in ("аlice", "ALICE", "ａｌｉｃｅ", "Alice", "a1ice", "ΑLICE"):
        assert confusable_key(lookalike) == confusable_key("alice"), lookalike
    assert confusable_key("ВОВ") == confusable_key("bob")  # Cyrillic capitals
    assert confusable_key("rnary") == confusable_key("mary")
    assert confusable_key("alice") != confusable_key("alicia")


@pytest.mark.parametrize(
    "name", ["аlice", "ALICE", "ａｌｉｃｅ", "alice", "Ａlice", "aIice", "AIice", "AIiCE"]
)
def test_a_display_name_like_another_users_username_is_refused(app, login, name):
    login("alice")
    bob = login("bob")
    refused = set_display_name(bob, name)
    assert refused.status_code == 422 and LOOKALIKE in refused.get_data(as_text=True)
    assert display_name_of(app, "bob") is None
    assert set_display_name(bob, "Bob the Builder").status_code == 302
    assert display_name_of(app, "bob") == "Bob the Builder"


def test_a_display_name_like_another_users_display_name_is_refused(app, login):
    carol, bob = login("carol"), login("bob")
    assert set_display_name(carol, "Alice Martin").status_code == 302
    for name in ("аlice martin", "ALICE  MARTIN", "Ａｌｉｃｅ Ｍａｒｔｉｎ", "Alice Martin"):
        refused = set_display_name(bob, name)
        assert refused.status_code == 422 and LOOKALIKE in refused.get_data(as_text=True), name
    assert display_name_of(app, "bob") is None
    assert set_display_name(bob, "Alice Marti").status_code == 302


def test_ones_own_username_and_own_name_stay_usable(app, login):
    """A display name may be one's own username (in any case); saving the profile again with
    the name one has is never refused."""
    alice = login("alice")
    login("bob")
    assert set_display_name(alice, "ALICE").status_code == 302
    assert set_display_name(alice, "ALICE").status_code == 302
    with app.app_context():
        # Two older accounts that already look alike (before this rule): each keeps its name.
        bob = User.by_username("bob")
        bob.display_name = "Аlice"  # Cyrillic А, set behind the form's back
        db.session.commit()
    assert set_display_name(as_user(app, "bob"), "Аlice").status_code == 302


def register(username: str, app):
    client = Client(app.test_client())
    form = {"username": username, "password": PASSWORD, "confirm": PASSWORD}
    return client.post("/register", form)


def test_a_new_username_like_another_users_name_is_refused(app, login):
    carol = login("alice") and login("carol")
    assert set_display_name(carol, "Robert").status_code == 302
    for username in ("a1ice", "A1ICE", "r0bert", "ROBERT"):
        refused = register(username, app)
        assert refused.status_code == 422, username
        assert LOOKALIKE in refused.get_data(as_text=True), username
    assert register("roberta", app).status_code == 302
    with app.app_context():
        assert User.by_username("a1ice") is None and User.by_username("roberta")


def test_a_change_of_case_with_a_capital_i_for_an_l_is_refused(app, login):
    """A capital I looks like an l; folded, it is an i. "AIice" (capital A and I) had the key
    "aiice" and the cased skeleton "Alice", neither alice's: it passed for alice. The second
    key is now the skeleton as written, folded, compared with both keys of everyone."""
    login("alice")
    bill = login("bill")
    for name in ("AIice", "aIice", "AIiCE"):
        refused = set_display_name(bill, name)
        assert refused.status_code == 422 and LOOKALIKE in refused.get_data(as_text=True), name
    carol = login("carol")
    for name in ("AIice", "BiII", "BIll"):
        refused = set_display_name(carol, name)
        assert refused.status_code == 422 and LOOKALIKE in refused.get_data(as_text=True), name
    for username in ("AIice", "BiII", "bilI"):
        refused = register(username, app)
        assert refused.status_code == 422 and LOOKALIKE in refused.get_data(as_text=True), username
    # The other way round: an older "AIice" (before this rule) keeps "alice" from registering.
    with app.app_context():
        User.by_username("carol").display_name = "AIexandra"
        db.session.commit()
        db.session.remove()
    refused = register("alexandra", app)
    assert refused.status_code == 422 and LOOKALIKE in refused.get_data(as_text=True)
    assert display_name_of(app, "bill") is None and display_name_of(app, "carol") == "AIexandra"
    assert set_display_name(bill, "BiII").status_code == 302  # one's own name, as written


SKELETONS = (
    User.username_skeleton,
    User.display_skeleton,
    User.username_skeleton_cased,
    User.display_skeleton_cased,
)


def skeletons(username: str, display_name: str | None) -> tuple:
    """What the four columns of SKELETONS should hold for these names."""
    return (
        confusable_key(username),
        display_name and confusable_key(display_name),
        cased_key(username),
        display_name and cased_key(display_name),
    )


def test_skeletons_are_indexed_and_kept_with_the_names(app, login):
    login("alice")
    with app.app_context():
        alice = User.by_username("alice")
        alice.display_name = "Ａlice Ｍartin"
        db.session.commit()
        row = db.session.execute(select(*SKELETONS).where(User.id == alice.id)).one()
        assert tuple(row) == skeletons("alice", "Alice Martin")
        assert tuple(row)[:2] == ("alice", "alice rnartin")  # m looks like rn
        # The migration made the indexes the one query uses.
        indexes = sa_inspect(db.engine).get_indexes("users")
        indexed = {tuple(index["column_names"]) for index in indexes}
        assert {(column.key,) for column in SKELETONS} <= indexed
        db.session.remove()


def test_whether_a_name_looks_taken_is_answered_by_the_indexes(app, login):
    """One query that reads the four indexes, never a scan of all users (SQLite's plan)."""
    login("alice")
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("reads SQLite's query plan")
        query = User.lookalikes("аlice", me=1).limit(1)
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        db.session.remove()
    assert "MULTI-INDEX OR" in plan and "SCAN" not in plan, plan
    for column in SKELETONS:
        assert f"ix_users_{column.key} " in plan, plan


def test_the_migration_computes_the_skeletons_of_existing_users(tmp_path, redis_url):
    from flask_migrate import downgrade, upgrade

    from .conftest import scratch_app

    app = scratch_app(tmp_path, redis_url)
    with app.app_context():
        upgrade()
        alice, bob = User("alice", "x" * 10), User("bob", "x" * 10)
        alice.display_name, bob.display_name = "AIex", "Ｂob Вuilder"
        db.session.add_all([alice, bob])
        db.session.commit()
        downgrade(revision="c9f5e1a3b7d2")  # before the skeletons
        upgrade()
        rows = db.session.execute(select(*SKELETONS).order_by(User.id)).all()
        db.session.remove()
    assert [tuple(row) for row in rows] == [
        skeletons("alice", "AIex"),
        skeletons("bob", "Ｂob Вuilder"),
    ]
    assert rows[1][1] == "bob builder" and rows[0][3] == "alex"  # a capital I, folded


# --- the @username beside the display name ----------------------------------------------


def named(app, **names: str) -> None:
    """Give users display names (as the profile does)."""
    with app.app_context():
        for username, name in names.items():
            user = User.by_username(username)
            user.display_name = name
            user.profile_version += 1
        db.session.commit()
        db.session.remove()


def beside(page: str, name: str, username: str) -> bool:
    """Whether `name` is followed by its @username, nothing but markup between them."""
    return re.search(rf"{re.escape(name)}(</[^>]+>)*\s*<small[^>]*>@{username}</small>", page)


def test_the_username_stands_beside_the_display_name_in_chat_and_member_lists(
    app, chat_room, board_with_task_in
):
    named(app, alice="Alice Martin", bob="Bob Stone")
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    assert bob.post(f"/rooms/{chat_room}/messages", {"content": "hi"}).status_code in (200, 302)
    room = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    message = room.split('class="message"')[1]
    assert beside(message, "Bob Stone", "bob")  # each message's author
    members = room.split('id="room-members"')[1].split("</ul>")[0]
    assert beside(members, "Alice Martin", "alice") and beside(members, "Bob Stone", "bob")
    managed = alice.get(f"/rooms/{chat_room}/members").get_data(as_text=True)
    assert beside(managed, "Bob Stone", "bob")
    board = alice.get(f"/boards/{board_of(app, chat_room)}/members").get_data(as_text=True)
    assert beside(board, "Bob Stone", "bob") and beside(board, "Alice Martin", "alice")
    # A task's comments
    assert bob.post(f"/tasks/{board_with_task_in}/comments", {"content": "ok"}).status_code < 400
    task = alice.get(f"/tasks/{board_with_task_in}").get_data(as_text=True)
    assert beside(task.split('class="comment"')[1], "Bob Stone", "bob")
    # The people pickers (issue 22: as the member lists write it, not "Bob Stone (@bob)");
    # carol has no display name: her username alone.
    picker = alice.get("/direct/new").get_data(as_text=True)
    assert beside(picker, "Bob Stone", "bob") and ">carol</label>" in picker
    assert "(@bob)" not in picker
    picker = alice.get(f"/boards/{board_of(app, chat_room)}/rooms/new").get_data(as_text=True)
    assert beside(picker, "Bob Stone", "bob") and ">carol</label>" in picker
    # A reply's quote names the original's author the same way (issue 22: it said "bob").
    with app.app_context():
        original = db.session.scalar(select(ChatMessage.id).where(ChatMessage.content == "hi"))
    reply = {"content": "yes", "reply_to": str(original)}
    assert alice.post(f"/rooms/{chat_room}/messages", reply).status_code in (200, 302)
    room = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    quote = room.split('class="reply-quote"')[1].split("</a>")[0]
    assert beside(quote, "Bob Stone", "bob") and "hi" in quote


def test_the_username_stands_beside_the_display_name_in_invitations_and_notifications(
    app, chat_room, make_user
):
    make_user("dave")
    named(app, alice="Alice Martin", dave="Dave Hill")
    alice = as_user(app, "alice")
    board_id = board_of(app, chat_room)
    assert alice.post(f"/boards/{board_id}/members", {"username": "dave"}).status_code == 302
    pending = alice.get(f"/boards/{board_id}/members").get_data(as_text=True)
    assert beside(pending.split('id="pending-invitations"')[1], "Dave Hill", "dave")
    dave = as_user(app, "dave")
    received = dave.get("/notifications").get_data(as_text=True)
    assert beside(received.split('class="notification invitation')[1], "Alice Martin", "alice")
    # The invite link's page names the board's owner.
    join = dave.get(f"/join/{make_link(alice, board_id)}").get_data(as_text=True)
    assert beside(join, "Alice Martin", "alice")
    # A notification's row
    alice.post(f"/rooms/{chat_room}/messages", {"content": "hello @bob"})
    run_jobs(app)
    rows = as_user(app, "bob").get("/notifications").get_data(as_text=True)
    assert beside(rows.split('<li class="notification')[1], "Alice Martin", "alice")


def test_a_name_without_a_display_name_is_not_repeated(app, chat_room):
    """The name shown is then the username itself: nothing is added (the room page's bytes)."""
    alice = as_user(app, "alice")
    alice.post(f"/rooms/{chat_room}/messages", {"content": "hi"})
    room = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert '<b class="author">alice</b> <time' in room and "@alice</small>" not in room


def test_live_rows_carry_the_username_beside_the_display_name(app, live_server, chat_room):
    """The rows pushed to an open notification center (rendered once, shared): a mention and
    an invitation."""
    named(app, alice="Alice Martin")
    with app.app_context():  # a second board of alice's, to invite bob to
        Board.create("Second", "", User.by_username("alice"))
        db.session.commit()
        second = db.session.scalar(select(Board.id).where(Board.name == "Second"))
        db.session.remove()
    session = http_login(live_server, "bob")
    center = ws_connect(live_server, "/ws/notifications/center", session)
    try:
        receive_until(center, 'data-count="0"')
        alice = as_user(app, "alice")
        alice.post(f"/rooms/{chat_room}/messages", {"content": "@bob hi"})
        run_jobs(app)
        row = receive_until(center, '<li class="notification')  # its badge comes apart
        assert beside(row.split('<li class="notification')[1], "Alice Martin", "alice")
        assert alice.post(f"/boards/{second}/members", {"username": "bob"}).status_code == 302
        invitation = receive_until(center, "invitation-list")
        assert beside(invitation.split("invitation-list")[1], "Alice Martin", "alice")
    finally:
        center.close()
